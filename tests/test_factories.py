"""Every stage is usable as a spaCy component, registered by entry point (no slant import needed)."""

from __future__ import annotations

import spacy

from slant.nlp import MODEL_NAME


def test_factories_stage_components_share_one_context(example_text):
    nlp = spacy.load(MODEL_NAME)
    for name in ("slant_entities", "slant_places", "slant_attribution"):
        nlp.add_pipe(name)
    doc = nlp(example_text)
    out = doc._.slant
    people = [e for e in out["entities"] if e.label == "PERSON"]
    assert any("Almuhajer" in e.name for e in people)
    assert {p.name for p in out["places"]} >= {"Mosul", "Homs"}
    speakers = {q.speaker.entity_id for q in out["quotations"] if q.speaker}
    assert len(speakers) == 1 and out["voices"]
    for q in out["quotations"]:  # offsets are characters of doc.text
        assert 0 <= q.start < q.end <= len(doc.text)


def test_factories_analysis_component_gives_an_analysis(example_text):
    nlp = spacy.load(MODEL_NAME)
    nlp.add_pipe("slant_analysis", config={"stages": ["sentences", "entities", "attribution"]})
    doc = nlp(example_text)
    analysis = doc._.slant_analysis
    assert analysis.text_length == len(example_text) and analysis.sentences and analysis.quotations
    assert nlp.get_pipe_meta("slant_analysis").assigns == ["doc._.slant", "doc._.slant_analysis"]
