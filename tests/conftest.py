"""Shared fixtures: the spaCy pipeline once per session, paths to ../shared data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SLANT_SHARED", ROOT.parent / "shared"))
DATA = SHARED / "data"
EXAMPLES = ROOT / "examples"
EXAMPLE_000 = EXAMPLES / "000_fdf29f950fa548b4.txt"


@pytest.fixture(scope="session")
def nlp():
    from slant.nlp import get_nlp

    return get_nlp()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip: CI always has it; a bare checkout may not."""
    if not DATA.is_dir():
        pytest.skip(f"needs the shared data folder at {DATA} (set SLANT_SHARED to its parent)")
    return DATA


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE_000.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_analysis(example_text):
    import slant

    return slant.analyze(example_text, meta={"source": str(EXAMPLE_000)})
