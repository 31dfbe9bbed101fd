"""Quality gate: the shipped techniques model stays at or above the floors pinned in
``benchmarks/floors.json`` on PTC dev (lowering a floor means editing that file)."""

import hashlib
import json
from pathlib import Path

import pytest

FLOORS = Path(__file__).resolve().parents[2] / "benchmarks" / "floors.json"


@pytest.mark.slow
def test_shipped_model_meets_the_dev_floors(shared_data):
    from slant.techniques.model import load_model
    from slant.techniques.training import evaluate

    floors = json.loads(FLOORS.read_text(encoding="utf-8"))["techniques"]
    dev = shared_data / "ptc" / "dev"
    ids = sorted((dev / "ids.txt").read_text(encoding="utf-8").split())
    assert hashlib.sha256("\n".join(ids).encode()).hexdigest() == floors["dev_ids_sha256"], "dev split changed"
    result = evaluate(load_model(), dev)  # the default: technique_encoder = false
    tol = floors["tolerance"]
    assert result["si"]["f1"] >= floors["si_f1"] - tol, result["si"]
    assert result["tc"]["micro_f1"] >= floors["tc_micro_f1"] - tol, result["tc"]["micro_f1"]
    with_encoder = evaluate(load_model(), dev, encoder=True)
    assert with_encoder["encoder"] and with_encoder["si"]["f1"] >= floors["si_f1_encoder"] - tol, with_encoder["si"]
    assert with_encoder["tc"]["micro_f1"] >= floors["tc_micro_f1_encoder"] - tol, with_encoder["tc"]["micro_f1"]
