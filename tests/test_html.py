"""The HTML report: lossless, escaped article text; overlapping spans; panels; safe JSON."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from rich.console import Console
from rich.style import Style
from hypothesis import given, settings
from hypothesis import strategies as st

from slant.document import text_id
from slant.render.html import (
    json_for_script, places_svg, render_html, render_report, split_pieces, technique_colour,
)
from slant.render.terminal import highlighted_text, technique_style
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
        assert f'{label} <b class="n-all">1</b>' in page  # legend chip with its count
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


def _shown(page: str) -> tuple[list[tuple[int, int, str | None, dict[str, str | None]]], dict[str, str]]:
    """The article's pieces as drawn: ``(start, end, technique whose colour it has, attrs)``, and
    the legend: technique -> its swatch's background colour (both read from the page itself)."""
    tags = _parse(page).tags
    cls_of: dict[str, str] = {}  # "tc-3" -> technique, from the legend chips' swatches
    for (tag, a), (tag2, a2) in zip(tags, tags[1:]):
        if tag == "button" and "chip" in (a.get("class") or "").split() and tag2 == "span":
            cls_of[next(c for c in (a2.get("class") or "").split() if c.startswith("tc-"))] = a["data-label"]
    background = dict(re.findall(r"\.slant-report \.(tc-\d+)\{background:(#[0-9a-f]{6})\}", page))
    legend = {label: background[tc] for tc, label in cls_of.items()}
    pieces = []
    for tag, a in tags:
        classes = (a.get("class") or "").split()
        if tag == "span" and "seg" in classes:
            tcs = [c for c in classes if c.startswith("tc-")]
            assert len(tcs) <= 1, classes
            pieces.append((int(a["data-s"]), int(a["data-e"]), cls_of[tcs[0]] if tcs else None, a))
    return pieces, legend


def _assert_colours_follow_innermost_span(analysis: Analysis, text: str, every_legend_colour: bool = True) -> None:
    """Each piece has the colour of its innermost (shortest; of equals the later) technique span, as
    in the terminal; ``every_legend_colour``: each legend entry's colour is on some text (false only
    where a technique's every span may lie under shorter or identical spans)."""
    page = render_html(analysis, text)
    pieces, legend = _shown(page)
    techs = analysis.techniques
    assert set(legend) == {t.technique for t in techs}
    for label, colour in legend.items():
        assert colour == technique_colour(label)
    coloured = {label for *_, label, _ in pieces if label is not None}
    assert coloured <= set(legend)
    if every_legend_colour:
        assert coloured == set(legend), f"legend colours with no coloured text: {set(legend) - coloured}"
    for s, e, label, attrs in pieces:
        over = [i for i, t in enumerate(techs) if t.start <= s and e <= t.end]
        if not over:
            assert label is None and "data-t" not in attrs
            continue
        inner = min(over, key=lambda i: (techs[i].end - techs[i].start, -i))
        assert label == techs[inner].technique, (text[s:e], label, techs[inner].technique)
        assert sorted(map(int, attrs["data-t"].split())) == sorted(over)  # every technique still listed
        assert int(attrs["data-t"].split()[0]) == inner  # first: what the report script recolours with
        assert ("multi" in attrs["class"].split()) == (len({techs[i].technique for i in over}) > 1)
        for i in over:
            assert techs[i].technique.replace("_", " ").replace(",", ", ") in attrs["title"]
    for k, t in enumerate(techs):  # a span not buried under shorter spans shows its own colour
        shorter = [u for i, u in enumerate(techs) if (u.end - u.start, -i) < (t.end - t.start, -k)]
        free = any(not any(u.start <= x < u.end for u in shorter) for x in range(t.start, t.end))
        if free:
            assert any(label == t.technique and s < t.end and t.start < e for s, e, label, _ in pieces), t


def test_html_nested_span_shows_the_inner_technique_colour():
    text = "They are vile traitors and liars, all of them."
    outer = _find(text, "vile traitors and liars")
    inner = _find(text, "traitors")
    a = Analysis(id=text_id(text), text_length=len(text), techniques=[
        TechniqueOut(start=outer[0], end=outer[1], technique="Appeal_to_Authority", score=0.9),  # outer scores higher
        TechniqueOut(start=inner[0], end=inner[1], technique="Name_Calling,Labeling", score=0.4),
    ])
    pieces, legend = _shown(render_html(a, text))
    by_text = {text[s:e]: (label, attrs) for s, e, label, attrs in pieces}
    label, attrs = by_text["traitors"]
    assert label == "Name_Calling,Labeling"  # the inner span's colour, not the outer's
    assert attrs["data-t"] == "1 0" and "multi" in attrs["class"].split()  # still both, still marked
    assert "Name Calling, Labeling (0.40)" in attrs["title"] and "Appeal to Authority (0.90)" in attrs["title"]
    assert by_text["vile "][0] == by_text[" and liars"][0] == "Appeal_to_Authority"
    assert legend == {l: technique_colour(l) for l in ("Appeal_to_Authority", "Name_Calling,Labeling")}
    _assert_colours_follow_innermost_span(a, text)


_TERMINAL_TECHNIQUES = ["Loaded_Language", "Doubt", "Flag-Waving", "Name_Calling,Labeling", "Slogans"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from(_TERMINAL_TECHNIQUES),
                          st.floats(0.05, 1.0)), max_size=8))
def test_html_colours_agree_with_terminal(spans):
    text = "y" * 30
    techniques = [TechniqueOut(start=min(s, e), end=max(s, e), technique=t, score=p) for s, e, t, p in spans]
    techniques = [t for t in techniques if t.end > t.start]
    a = Analysis(id=text_id(text), text_length=len(text), techniques=techniques)
    shown, _ = _shown(render_html(a, text))
    term = highlighted_text(text, a)
    console = Console()
    bg_of = {Style.parse(technique_style(l)).bgcolor.name: l for l in _TERMINAL_TECHNIQUES}
    for s, e, label, _attrs in shown:
        for x in range(s, e):
            bg = term.get_style_at_offset(console, x).bgcolor
            assert label == (bg_of[bg.name] if bg is not None else None), (x, label, bg)
    _assert_colours_follow_innermost_span(a, text, every_legend_colour=False)


def test_html_example_every_legend_colour_is_shown(example_analysis, example_text):
    nested = [(o, i) for o in example_analysis.techniques for i in example_analysis.techniques
              if o is not i and o.start <= i.start and i.end <= o.end and o.technique != i.technique]
    assert nested, "the example should have nested spans of different techniques"
    _assert_colours_follow_innermost_span(example_analysis, example_text)


def test_html_ptc_article_every_legend_colour_is_shown(shared_data):
    import slant

    path = shared_data / "ptc" / "dev" / "articles" / "article785331076.txt"
    if not path.is_file():
        pytest.skip(f"needs {path}")
    text = path.read_text(encoding="utf-8")
    _assert_colours_follow_innermost_span(slant.analyze(text), text)


def test_only_the_outlets_voice_hides_a_speakers_span_over_narration():
    """A tester's finding: with "Show only the outlet's voice" ticked, a speaker's sentence span stayed
    highlighted on the outlet's words around the quotation (", he said,"), and the legend kept
    counting every voice."""
    text = 'The liars lied, he said, "and the corrupt elites are traitors to the nation."'
    q0 = text.index('"') + 1
    a = Analysis(
        id=text_id(text), text_length=len(text),
        techniques=[TechniqueOut(start=0, end=len(text), technique="Name_Calling,Labeling", score=0.9,
                                 voice="e1", kind="sentence"),
                    TechniqueOut(start=4, end=9, technique="Loaded_Language", score=0.8, voice="outlet")],
        voices=[VoiceOut(id="outlet", name="outlet", segments=[SpanOut(start=0, end=q0 - 1)]),
                VoiceOut(id="e1", name="Abu Baker", segments=[SpanOut(start=q0 - 1, end=len(text))])],
    )
    page = render_html(a, text)
    segs = re.findall(r'<span class="([^"]*)"[^>]*data-s="(\d+)" data-e="(\d+)"', page)
    other = {(int(s), int(e)) for cls, s, e in segs if "t-other" in cls.split()}
    # the speaker's span alone covers 0-4 and 9-end; 4-9 is also the outlet's own Loaded_Language span
    assert (0, 4) in other and (9, q0 - 1) in other and (4, 9) not in other
    assert '<b class="n-all">1</b><b class="n-outlet" title="in the outlet&#x27;s voice">0</b>' in page
    assert '<b class="n-all">1</b><b class="n-outlet" title="in the outlet&#x27;s voice">1</b>' in page
    assert ".slant-report.only-outlet .seg.t-other" in page


def test_a_direction_override_in_the_article_stays_in_its_piece():
    """A tester's finding: an unclosed U+202E reversed the rest of the paragraph and the title."""
    text = "Officials said the elites lied \u202e about the vote. The mayor said turnout was 61 percent."
    a = Analysis(id=text_id(text), text_length=len(text),
                 techniques=[TechniqueOut(start=19, end=30, technique="Loaded_Language", score=0.8)])
    page = render_html(a, text)  # the title is the first sentence: it holds the override too
    assert ".slant-report .seg { unicode-bidi: isolate; }" in page
    assert "<h1><bdi>" in page
    # the override sits inside one piece; the pieces after it are their own isolates
    segs = re.findall(r'<span class="seg[^"]*"[^>]*>([^<]*)</span>', page)
    assert sum("\u202e" in s for s in segs) == 1 and segs[-1].endswith("61 percent.")
