"""Propaganda techniques: PTC data, the SemEval-2020 Task 11 measures, the detector."""
