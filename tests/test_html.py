"""The HTML report: lossless, escaped article text; overlapping spans; panels; safe JSON."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slant.document import text_id
from slant.render.html import json_for_script, places_svg, render_html, render_report, split_pieces
from slant.schema import (
    Analysis, ClaimOut, CredibilityOut, EntityOut, EvidenceOut, MentionOut, PlaceOut, QuotationOut, SpanOut,
    SpeakerOut, TechniqueOut, VoiceOut,
)

HOSTILE = (
    'The minister said <script>alert(1)</script> was "a disgrace".\n'
    'Critics wrote "><img src=x onerror=alert(1)> and </script><b>bold</b> & more. '
    "\u201cWe will crush these traitors,\u201d said Abu Baker Almuhajer in Raqqa."
)


def _find(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return i, i + len(needle)


def hostile_analysis(text: str = HOSTILE) -> Analysis:
    """A hand-built Analysis of HOSTILE with every panel filled and overlapping technique spans."""
    q0, q1 = _find(text, "\u201cWe will crush these traitors,\u201d")
    sp = _find(text, "Abu Baker Almuhajer")
    raqqa = _find(text, "Raqqa")
    script = _find(text, "<script>alert(1)</script>")
    img = _find(text, '"><img src=x onerror=alert(1)>')
    crush = _find(text, "crush these traitors")
    traitors = _find(text, "traitors")
    return Analysis(
        id=text_id(text),
        meta={"source": "<script>alert('meta')</script>", "title": '"><img src=x onerror=alert(2)>'},
        text_length=len(text),
        entities=[
            EntityOut(id="e1", label="PERSON", name="Abu Baker Almuhajer", aliases=["Almujaher"],
                      mentions=[MentionOut(start=sp[0], end=sp[1])]),
            EntityOut(id="e2", label="GPE", name="Raqqa", mentions=[MentionOut(start=raqqa[0], end=raqqa[1])]),
        ],
        places=[PlaceOut(entity_id="e2", name="Ar Raqqah", lat=35.95, lon=39.01, country="SY", confidence=0.9,
                         mention_count=1)],
        quotations=[QuotationOut(start=q0, end=q1, type="direct", cue=SpanOut(start=q1 + 1, end=q1 + 5),
                                 speaker=SpeakerOut(entity_id="e1", name="Abu Baker Almuhajer",
                                                    mention=SpanOut(start=sp[0], end=sp[1])))],
        voices=[VoiceOut(id="outlet", name="outlet", segments=[SpanOut(start=0, end=q0), SpanOut(start=q1, end=len(text))]),
                VoiceOut(id="e1", name="Abu Baker Almuhajer", segments=[SpanOut(start=q0, end=q1)])],
        techniques=[
            TechniqueOut(start=script[0], end=img[1], technique="Loaded_Language", score=0.6, voice="outlet"),
            TechniqueOut(start=img[0] + 3, end=img[1] + 10, technique="Doubt", score=0.9, voice="outlet"),
            TechniqueOut(start=crush[0], end=crush[1], technique="Appeal_to_fear-prejudice", score=0.7, voice="e1"),
            TechniqueOut(start=traitors[0], end=traitors[1], technique="Name_Calling,Labeling", score=0.95, voice="e1"),
        ],
        claims=[ClaimOut(start=0, end=script[1] + 20, score=0.8, voice="outlet")],
        credibility=CredibilityOut(score=0.2, label="unreliable", evidence=[
            EvidenceOut(feature="loaded_rate", value=0.5, effect=-1.2, description="<b>loaded</b> words",
                        spans=[SpanOut(start=script[0], end=script[1])])]),
    )


class _Dom(HTMLParser):
    """Tags, attributes, and the text inside the article element, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.article: list[str] = []
        self._depth = 0  # > 0 while inside <div class="article">
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if self._depth:
            self._depth += 1
        elif tag == "div" and a.get("class") == "article":
            self._depth = 1
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        elif self._depth:
            self.article.append(data)


def _parse(html: str) -> _Dom:
    dom = _Dom()
    dom.feed(html)
    dom.close()
    return dom


def test_html_hostile_article_renders_as_text():
    page = render_html(hostile_analysis(), HOSTILE)
    dom = _parse(page)
    tags = [t for t, _ in dom.tags]
    assert "img" not in tags  # the article's markup is text, not elements
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert tags.count("script") == 2  # our own: the data block and the report script
    assert {a.get("type") for t, a in dom.tags if t == "script"} == {"application/json", None}
    assert not [k for _, a in dom.tags for k in a if k.startswith("on")]  # no event-handler attribute at all
    assert "".join(dom.article) == HOSTILE  # every character of the article, in order, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "alert(1)</script>" not in page.split('<script type="application/json"')[0]


def test_html_is_self_contained_offline():
    page = render_html(hostile_analysis(), HOSTILE)
    dom = _parse(page)
    for tag, attrs in dom.tags:
        for key in ("src", "href"):
            value = attrs.get(key)
            assert value is None or value.startswith(("#", "data:")), (tag, key, value)
    assert "http://" not in page.replace("http-equiv", "") and "https://" not in page
    csp = next(a["content"] for t, a in dom.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "'sha256-" in csp and "unsafe-inline'; img" in csp


def test_html_embedded_json_cannot_close_its_script():
    page = render_html(hostile_analysis(), HOSTILE)
    dom = _parse(page)
    data_json = dom.scripts[0]
    assert "</" not in data_json and "<" not in data_json
    data = json.loads(data_json)
    assert any("</script>" in t["excerpt"] for t in data["techniques"])  # survives as data
    assert json.loads(json_for_script({"x": "</script><!--\u2028"})) == {"x": "</script><!--\u2028"}


def test_html_overlapping_techniques_split_at_every_boundary():
    a = hostile_analysis()
    pieces = split_pieces(a, HOSTILE)
    assert pieces[0].start == 0 and pieces[-1].end == len(HOSTILE)
    assert all(p.end == q.start for p, q in zip(pieces, pieces[1:]))
    bounds = {p.start for p in pieces}
    for t in a.techniques:
        assert t.start in bounds and (t.end in bounds or t.end == len(HOSTILE))
    # "traitors" lies inside "crush these traitors": both techniques, best score first
    traitors = next(p for p in pieces if HOSTILE[p.start:p.end] == "traitors")
    assert traitors.techniques == (3, 2) and traitors.voice == "e1" and traitors.quotation == 0
    page = render_report(a, HOSTILE)
    assert 'data-t="3 2"' in page and "multi" in page


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.sampled_from(["A", "B", "C"])), max_size=8))
def test_html_pieces_cover_text_and_match_spans(spans):
    text = "x" * 40
    techniques = [TechniqueOut(start=min(s, e), end=max(s, e), technique=t, score=0.5) for s, e, t in spans]
    a = Analysis(id=text_id(text), text_length=len(text), techniques=techniques)
    pieces = split_pieces(a, text)
    assert "".join(text[p.start:p.end] for p in pieces) == text
    for p in pieces:
        covering = {i for i, t in enumerate(techniques) if t.start <= p.start and p.end <= t.end}
        assert set(p.techniques) == covering


def test_html_panels_legend_voices_places_claims_credibility():
    page = render_html(hostile_analysis(), HOSTILE)
    assert "Show only the outlet&#x27;s voice" in page and 'class="only-outlet"' in page
    for label in ("Loaded Language", "Doubt", "Appeal to fear-prejudice", "Name Calling, Labeling"):
        assert f"{label} <b>1</b></button>" in page  # legend chip with its count
    assert page.count('class="bar"') == 4  # the per-technique chart
    assert "Abu Baker Almuhajer" in page and "1 quotation" in page
    assert page.count("<circle") == 1 and "Ar Raqqah" in page
    assert "0.20" in page and "unreliable" in page and "&lt;b&gt;loaded&lt;/b&gt; words" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page  # hostile title escaped
    assert "v-other" in page  # the speaker's voice is marked
    assert 'class="show-claims"' in page and page.count(" claim") >= 1


def test_html_empty_analysis_says_what_is_missing():
    text = "Nothing to see here."
    page = render_html(Analysis(id=text_id(text), text_length=len(text)), text)
    assert "No technique spans detected" in page and "No quotations found." in page
    assert "No places found." in page and "the credibility stage has not run" in page
    assert "".join(_parse(page).article) == text


def test_html_rejects_text_of_another_length():
    with pytest.raises(ValueError):
        render_html(hostile_analysis(), HOSTILE + "!")


def test_html_places_svg_plots_coordinates():
    places = [PlaceOut(entity_id="e1", name="Mosul", lat=36.34, lon=43.13, confidence=1),
              PlaceOut(entity_id="e2", name="Palmyra", lat=34.56, lon=38.28, confidence=1),
              PlaceOut(entity_id="e3", name="Nowhere", confidence=0.2)]
    svg = places_svg(places)
    assert svg.startswith("<svg") and svg.count("<circle") == 2
    cx = {name: float(svg.split(f"{name}</text>")[0].rsplit('<text x="', 1)[1].split('"')[0]) for name in ("Mosul", "Palmyra")}
    assert cx["Mosul"] > cx["Palmyra"]  # east is right
    assert places_svg([]) == ""


def test_html_example_article_report(example_analysis, example_text):
    page = render_html(example_analysis, example_text)
    dom = _parse(page)
    assert "".join(dom.article) == example_text
    assert "Almuhajer" in page
    assert page.count('class="seg') >= len(example_analysis.sentences)
