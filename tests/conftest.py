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


def hard_wrap(text: str, width: int = 72) -> str:
    """``text`` hard-wrapped greedily at ``width`` columns by turning spaces into line ends,
    so every offset is unchanged (as e-mail and PDF text is wrapped, without reflowing)."""
    chars, col, space = list(text), 0, -1
    for i, ch in enumerate(text):
        if ch == "\n":
            col, space = 0, -1
            continue
        space = i if ch == " " else space
        col += 1
        if col > width and space >= 0:
            chars[space], col, space = "\n", i - space, -1
    return "".join(chars)


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
