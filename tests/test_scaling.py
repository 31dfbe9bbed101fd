"""The indexes that keep long texts linear give the answers of the plain scans they replace.

Each test runs the stages on one long text (several articles joined) and compares an
indexed lookup with the scan it replaced, on every question the stages ask and more.
Outputs only: no timing is asserted here (``benchmarks/stages.py`` times the stages).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from slant.analysis import Context, available_stages
from slant.document import Document
from slant.entities import mark_quotations, match_name
from slant.normalize import normalize
from slant.options import Options
from slant.schema import SpanOut, VoiceOut

from .conftest import DATA, EXAMPLES


def _long_text() -> str:
    """Eight PTC dev articles joined (about 30,000 characters), or the examples without the data."""
    paths = sorted((DATA / "ptc" / "dev" / "articles").glob("article*.txt"))[:8] or sorted(EXAMPLES.glob("*.txt"))
    return "\n\n".join(Path(p).read_text(encoding="utf-8") for p in paths)


@pytest.fixture(scope="module")
def long_ctx(nlp) -> Context:
    text = _long_text()
    options = Options()
    norm = normalize(text)
    ctx = Context(Document(text), norm, nlp(norm.text), options)
    for _, stage in available_stages(options.stages):
        stage(ctx)
    return ctx


def _voice_of_scan(voices, start: int, end: int) -> str | None:
    """``Context.voice_of`` as it was: every segment of every voice."""
    if not voices:
        return None
    best, best_chars = "outlet", 0
    for voice in voices:
        chars = sum(max(0, min(end, s.end) - max(start, s.start)) for s in voice.segments)
        if chars > best_chars:
            best, best_chars = voice.id, chars
    return best


def test_voice_of_matches_a_scan_of_every_segment(long_ctx):
    voices = long_ctx.out["voices"]
    assert len(voices) > 2  # quoted speakers, not only the outlet
    n = len(long_ctx.document.text)
    asked = [(t.start, t.end) for t in long_ctx.out["techniques"]] + [(c.start, c.end) for c in long_ctx.out["claims"]]
    bounds = sorted({b for v in voices for s in v.segments for b in (s.start, s.end)})
    around = [(max(0, b - d), min(n, b + e)) for b in bounds for d, e in ((5, 5), (40, 2), (2, 40), (0, 0), (0, 1))]
    wide = [(s, min(n, s + 3000)) for s in range(0, n, 997)]
    for start, end in asked + around + wide + [(0, n)]:
        assert long_ctx.voice_of(start, end) == _voice_of_scan(voices, start, end), (start, end)


def test_voice_of_with_overlapping_segments_reads_every_one(long_ctx):
    ctx = Context(long_ctx.document, long_ctx.normalized, long_ctx.doc, long_ctx.options)
    seg = SpanOut  # two voices over one stretch, in no stage's output: the fallback scan answers
    ctx.out["voices"] = [VoiceOut(id="outlet", name="outlet", segments=[seg(start=0, end=100)]),
                         VoiceOut(id="e1", name="A", segments=[seg(start=10, end=60), seg(start=80, end=90)]),
                         VoiceOut(id="e2", name="B", segments=[seg(start=50, end=120)])]
    for start in range(0, 130, 7):
        for end in range(start, 140, 11):
            assert ctx.voice_of(start, end) == _voice_of_scan(ctx.out["voices"], start, end), (start, end)


def test_mark_quotations_matches_a_test_of_every_quotation(long_ctx):
    out = {"entities": [e.model_copy(deep=True) for e in long_ctx.out["entities"]],
           "quotations": long_ctx.out["quotations"]}
    mark_quotations(out)
    spans = [(q.start, q.end) for q in out["quotations"]]
    assert spans
    for entity in out["entities"]:
        for m in entity.mentions:
            assert m.in_quotation == any(s <= m.start and m.end <= e for s, e in spans)
        assert entity.quoted_share == round(sum(m.in_quotation for m in entity.mentions) / len(entity.mentions), 3)


def test_finder_match_name_matches_a_test_of_every_cluster(long_ctx):
    from slant.attribution import _Finder

    doc, clusters = long_ctx.doc, long_ctx.state["entities"]
    finder = _Finder(doc, clusters)
    text = long_ctx.normalized.text
    names = {text[s:e] for c in clusters for s, e, _ in c.mentions}
    names |= {t.text for t in doc if t.pos_ == "PROPN"}
    names |= {" ".join(w[:1].upper() + w[1:] for w in k.split()[-1:]) for c in clusters for k in c.keys}
    for name in sorted(names):
        for label in ("PERSON", "ORG"):
            assert finder.match_name(name, label) is match_name(clusters, name, label), (name, label)
    assert finder.match_name("", "PERSON") is None


def test_finder_tokens_like_matches_a_scan_of_every_token(long_ctx):
    from slant.attribution import _Finder

    doc = long_ctx.doc
    finder = _Finder(doc, long_ctx.state["entities"])
    for noun in (t for t in doc if t.pos_ in ("NOUN", "PROPN")):
        lemma = noun.lemma_.lower()
        scan = [t.i for t in doc if t.lemma_.lower() == lemma or t.lower_ == noun.lower_]
        assert [t.i for t in finder._tokens_like(noun)] == scan


def test_role_holders_and_named_role_as_a_scan_of_the_doc(long_ctx):
    """role_holders / named_role read the word index; with it swapped for the whole Doc
    (what they read before) they find the same people."""
    from slant.attribution import _Finder, _person_like

    doc, clusters = long_ctx.doc, long_ctx.state["entities"]
    indexed, scan = _Finder(doc, clusters), _Finder(doc, clusters)
    scan._tokens_like = lambda noun: list(doc)
    # the role nouns they are asked about (a person's description), the last use of each word
    nouns = list({(t.lemma_.lower(), t.lower_): t for t in doc if t.pos_ in ("NOUN", "PROPN") and _person_like(t)}.values())
    assert len(nouns) > 5
    for noun in nouns:
        for before in (noun.idx, len(doc.text)):
            assert indexed.role_holders(noun, before) == scan.role_holders(noun, before)
        assert indexed.named_role(noun) is scan.named_role(noun)


def test_span_features_lowered_text_is_kept_per_text(long_ctx):
    from slant.techniques.features import DocView, span_features

    view = DocView(long_ctx.doc)
    text = long_ctx.normalized.text
    assert view.lowered(text) == text.lower() and view.lowered(text) is view.lowered(text)
    other = "Another Text"
    assert view.lowered(other) == "another text"
    copy = "".join(list(text))  # an equal string, another object: lowered again, same features
    for start, end in ((0, 40), (100, 180), (len(text) - 30, len(text))):
        assert span_features(view, start, end, text) == span_features(view, start, end, copy)
