"""The HTML report: one self-contained, offline file for an Analysis.

:func:`render_html` writes a whole page (inline CSS and JS, no external resource,
a Content-Security-Policy that allows only its own script by hash). The server's
web page reuses the pieces: :func:`render_report` (the report as an HTML fragment),
:data:`REPORT_CSS` and :data:`REPORT_JS`.

What the report shows: the article with technique spans highlighted (a colour per
technique, a legend with counts that toggles each technique; where spans nest or
overlap the innermost one's colour shows, as in the terminal, and a dark underline marks
text under more than one technique), voices (narration vs each quoted speaker, dashed
underline; a filter "show only the outlet's voice"),
hover (``title``) and click details (technique, score, voice); panels for the
per-technique count chart (outlet vs quoted), speakers and their quotations,
entities, places (an SVG plot of the coordinates, no tile server), claims,
credibility with its evidence, and notices. A stage that has not run leaves its
panel saying so.

Safety: every piece of article text, meta and label is escaped with
:func:`html.escape` (quotes too); the JSON the script reads is embedded with
``<``, ``>`` and ``&`` written as ``\\u003c``/``\\u003e``/``\\u0026`` so it cannot
close its ``<script>`` element.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import escape
from importlib import resources
from typing import Any

from ..options import SETTINGS_KEY
from ..schema import Analysis, technique_uses
from . import NOT_RUN, baseline_sentence, language_warning, missing_credibility

REPORT_CSS: str = (resources.files("slant.render") / "templates" / "report.css").read_text(encoding="utf-8")
REPORT_JS: str = (resources.files("slant.render") / "templates" / "report.js").read_text(encoding="utf-8")

#: one background colour per technique (PTC 18 labels and the SemEval-2020 merged classes)
TECHNIQUE_COLOURS: dict[str, str] = {
    "Loaded_Language": "#ff8a80",
    "Name_Calling,Labeling": "#ffb74d",
    "Repetition": "#fff176",
    "Exaggeration,Minimisation": "#ffab91",
    "Doubt": "#ce93d8",
    "Appeal_to_fear-prejudice": "#b39ddb",
    "Flag-Waving": "#90caf9",
    "Causal_Oversimplification": "#80cbc4",
    "Slogans": "#f48fb1",
    "Appeal_to_Authority": "#81d4fa",
    "Black-and-White_Fallacy": "#bcaaa4",
    "Thought-terminating_Cliches": "#e6ee9c",
    "Whataboutism,Straw_Men,Red_Herring": "#a5d6a7",
    "Bandwagon,Reductio_ad_hitlerum": "#ef9a9a",
    "Whataboutism": "#a5d6a7",
    "Straw_Men": "#c5e1a5",
    "Red_Herring": "#dcedc8",
    "Bandwagon": "#ef9a9a",
    "Reductio_ad_hitlerum": "#e57373",
    "Obfuscation,Intentional_Vagueness,Confusion": "#b0bec5",
}
_SPARE_COLOURS = ["#ffe082", "#b2dfdb", "#d1c4e9", "#f8bbd0", "#c8e6c9", "#ffccbc", "#cfd8dc", "#dce775"]
#: dashed-underline colour per quoted voice (cycled)
VOICE_COLOURS = ["#7a4cc2", "#0b8f6a", "#c2571a", "#1f6fd1", "#b0246a", "#5f7d14", "#8c6d1f", "#2a7f8f"]
MAX_EXCERPT = 320
MAX_TABLE_ROWS = 200
MAX_EVIDENCE_SHOWN = 6


def technique_colour(technique: str) -> str:
    """The highlight colour of a technique (a stable spare colour for unknown labels)."""
    if technique in TECHNIQUE_COLOURS:
        return TECHNIQUE_COLOURS[technique]
    digest = hashlib.sha256(technique.encode()).digest()
    return _SPARE_COLOURS[digest[0] % len(_SPARE_COLOURS)]


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _excerpt(text: str, start: int, end: int, limit: int = MAX_EXCERPT) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def _label(technique: str) -> str:
    return technique.replace("_", " ").replace(",", ", ")


def json_for_script(data: Any) -> str:
    """JSON safe to place inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


@dataclass(frozen=True)
class Piece:
    """A stretch ``[start, end)`` of the text with the same technique spans, voice, quotation,
    entity mention and claim over all of it (the text is cut at every span boundary)."""

    start: int
    end: int
    #: indices into analysis.techniques, innermost first (see :func:`technique_order`): the
    #: first colours the piece, here and in the report script's recolouring
    techniques: tuple[int, ...]
    voice: str | None
    quotation: int | None
    entity: str | None
    claim: bool


def technique_order(analysis: Analysis, index: int) -> tuple[int, int]:
    """Sort key of the technique spans over one piece: innermost (shortest) first, and of
    spans equally long the later in ``analysis.techniques`` first.

    The first colours the piece. This is the terminal's rule
    (:func:`slant.render.terminal.highlighted_text` styles spans longest first, so the
    shortest, and of equals the later, is drawn last and shows), so both views give a
    character the same technique colour, and every span with a character not covered by a
    shorter span shows its own colour there.
    """
    t = analysis.techniques[index]
    return (t.end - t.start, -index)


def split_pieces(analysis: Analysis, text: str) -> list[Piece]:
    """Cut ``text`` at every span boundary so overlapping spans need no nesting.

    Returns:
        Pieces covering ``[0, len(text))`` in order, each non-empty.
    """
    n = len(text)
    spans: list[tuple[int, int, str, Any]] = []
    for i, t in enumerate(analysis.techniques):
        spans.append((t.start, t.end, "t", i))
    for v in analysis.voices:
        for seg in v.segments:
            spans.append((seg.start, seg.end, "v", v.id))
    for i, q in enumerate(analysis.quotations):
        spans.append((q.start, q.end, "q", i))
    for ent in analysis.entities:
        for m in ent.mentions:
            spans.append((m.start, m.end, "e", ent.id))
    for c in analysis.claims:
        spans.append((c.start, c.end, "c", None))
    spans = [(max(0, s), min(n, e), k, x) for s, e, k, x in spans if min(n, e) > max(0, s)]
    bounds = sorted({0, n, *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    for k, (s, e, *_rest) in enumerate(spans):
        starts[s].append(k)
        ends[e].append(k)
    active: set[int] = set()
    pieces = []
    for a, b in zip(bounds, bounds[1:]):
        active.difference_update(ends.get(a, ()))
        active.update(starts.get(a, ()))
        if b <= a:
            continue
        kinds: dict[str, list[Any]] = defaultdict(list)
        for k in active:
            kinds[spans[k][2]].append(spans[k][3])
        techs = tuple(sorted(kinds["t"], key=lambda i: technique_order(analysis, i)))
        voices = [v for v in kinds["v"] if v != "outlet"]
        voice = voices[0] if voices else ("outlet" if analysis.voices else None)
        pieces.append(
            Piece(a, b, techs, voice, min(kinds["q"]) if kinds["q"] else None,
                  kinds["e"][0] if kinds["e"] else None, bool(kinds["c"]))
        )
    return pieces


class _Ctx:
    """Lookups shared by the panels of one report."""

    def __init__(self, analysis: Analysis, text: str) -> None:
        self.a = analysis
        self.text = text
        self.labels = sorted({t.technique for t in analysis.techniques},
                             key=lambda l: (-sum(t.technique == l for t in analysis.techniques), l))
        self.entities = {e.id: e for e in analysis.entities}
        self.voice_names = {v.id: v.name for v in analysis.voices}
        self.voice_names.setdefault("outlet", "the outlet (narration)")
        others = [v.id for v in analysis.voices if v.id != "outlet"]
        self.voice_colour = {vid: VOICE_COLOURS[i % len(VOICE_COLOURS)] for i, vid in enumerate(others)}

    def voice_name(self, vid: str | None) -> str:
        if vid is None:
            return "-"
        if vid == "outlet":
            return "outlet"
        return self.voice_names.get(vid) or (self.entities[vid].name if vid in self.entities else vid)


def _article(c: _Ctx) -> str:
    out = []
    techs = c.a.techniques
    for p in split_pieces(c.a, c.text):
        classes = ["seg"]
        attrs = [f'data-s="{p.start}"', f'data-e="{p.end}"']
        tips = []
        if p.techniques:
            classes.append("tech")
            classes.append(f"tc-{c.labels.index(techs[p.techniques[0]].technique)}")
            if len({techs[i].technique for i in p.techniques}) > 1:
                classes.append("multi")
            attrs.append(f'data-t="{" ".join(map(str, p.techniques))}"')
            if all(techs[i].voice not in (None, "outlet") for i in p.techniques):
                classes.append("t-other")  # a speaker's span over the outlet's words (a sentence span)
            for i in p.techniques:
                t = techs[i]
                tips.append(f"{_label(t.technique)} ({t.score:.2f}), voice: {c.voice_name(t.voice)}")
        if p.voice is not None:
            attrs.append(f'data-v="{_e(p.voice)}"')
            if p.voice != "outlet":
                classes.append("v-other")
                attrs.append(f'style="--vc:{c.voice_colour.get(p.voice, VOICE_COLOURS[0])}"')
                tips.append(f"voice: {c.voice_name(p.voice)}")
        if p.quotation is not None:
            classes.append("q")
        if p.entity is not None:
            classes.append("ent")
            ent = c.entities.get(p.entity)
            if ent is not None:
                tips.append(f"{ent.label}: {ent.name}")
        if p.claim:
            classes.append("claim")
        if tips:
            attrs.append(f'title="{_e(chr(10).join(tips))}"')
        out.append(f'<span class="{" ".join(classes)}" {" ".join(attrs)}>{_e(c.text[p.start:p.end])}</span>')
    return "".join(out)


def _technique_style(c: _Ctx) -> str:
    rules = [f".slant-report .tc-{i}{{background:{technique_colour(l)}}}" for i, l in enumerate(c.labels)]
    return "<style>" + "".join(rules) + "</style>"


def _legend(c: _Ctx) -> str:
    uses = technique_uses(c.a.techniques)
    counts = Counter(t.technique for t in uses)
    outlet = Counter(t.technique for t in uses if t.voice in (None, "outlet"))
    if not counts:
        return '<div class="legend"><span class="empty">No technique spans detected (or the techniques stage has not run).</span></div>'
    chips = [
        f'<button type="button" class="chip" data-label="{_e(l)}" title="show/hide {_e(_label(l))}">'
        f'<span class="sw tc-{i}"></span>{_e(_label(l))} <b class="n-all">{counts[l]}</b>'
        f'<b class="n-outlet" title="in the outlet&#x27;s voice">{outlet[l]}</b></button>'
        for i, l in enumerate(c.labels)
    ]
    return '<div class="legend toolbar">' + "".join(chips) + "</div>"


def _voices_legend(c: _Ctx) -> str:
    parts = ['<label><input type="checkbox" class="only-outlet"> Show only the outlet&#x27;s voice</label>']
    if c.a.claims:
        parts.append('<label><input type="checkbox" class="show-claims"> Underline claims</label>')
    for v in c.a.voices:
        if v.id == "outlet":
            parts.append(f'<span class="badge">outlet {v.share:.0%}</span>')
        else:
            parts.append(
                f'<span class="badge" style="border-bottom:2px dashed {c.voice_colour[v.id]}">'
                f"{_e(v.name)} {v.share:.0%}</span>"
            )
    if not c.a.voices:
        parts.append('<span class="empty">voices not attributed (the attribution stage has not run)</span>')
    return '<div class="toolbar voices">' + " ".join(parts) + "</div>"


def _chart(c: _Ctx) -> str:
    if not c.a.techniques:
        return '<p class="empty">No techniques to count.</p>'
    uses = technique_uses(c.a.techniques)
    counts = Counter(t.technique for t in uses)
    outlet = Counter(t.technique for t in uses if t.voice in (None, "outlet"))
    top = max(counts.values())
    rows = []
    for i, l in enumerate(c.labels):
        n, own = counts[l], outlet[l]
        w_own, w_q = 100 * own / top, 100 * (n - own) / top
        rows.append(
            f'<span title="{_e(_label(l))}">{_e(_label(l))}</span>'
            f'<span class="bar" title="{own} in the outlet&#x27;s voice, {n - own} quoted">'
            f'<span class="tc-{i}" style="width:{w_own:.1f}%"></span>'
            f'<span class="tc-{i} quoted" style="width:{w_q:.1f}%"></span></span>'
            f'<span class="num">{n}</span>'
        )
    return (
        '<div class="bars chart">' + "".join(rows) + "</div>"
        '<p class="sub">Solid: the outlet&#x27;s own voice; hatched: inside quotations of a speaker.</p>'
    )


def _speakers(c: _Ctx) -> str:
    if not c.a.quotations:
        return '<p class="empty">No quotations found.</p>'
    groups: dict[str, list[int]] = defaultdict(list)
    names: dict[str, str] = {}
    for i, q in enumerate(c.a.quotations):
        sp = q.speaker
        key = (sp.entity_id or sp.name or "?") if sp else "?"
        groups[key].append(i)
        names[key] = (sp.name or c.voice_name(sp.entity_id)) if sp else "unattributed"
    html = []
    for key, idx in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        colour = c.voice_colour.get(key, "#999")
        html.append(f'<details open><summary><b>{_e(names[key])}</b> '
                    f'<span class="badge">{len(idx)} quotation{"s" if len(idx) != 1 else ""}</span></summary>')
        for i in idx[:MAX_TABLE_ROWS]:
            q = c.a.quotations[i]
            cue = f' <span class="sub">cue: {_e(c.text[q.cue.start:q.cue.end])}</span>' if q.cue else ""
            html.append(
                f'<div class="quote" style="--vc:{colour}" data-jump="{q.start}">'
                f'<span class="badge">{_e(q.type)}</span> {_e(_excerpt(c.text, q.start, q.end))}{cue}</div>'
            )
        html.append("</details>")
    return "".join(html)


def _entities(c: _Ctx) -> str:
    if not c.a.entities:
        return '<p class="empty">No entities found.</p>'
    rows = []
    for e in sorted(c.a.entities, key=lambda e: (-len(e.mentions), e.name))[:MAX_TABLE_ROWS]:
        first = min((m.start for m in e.mentions), default=0)
        aliases = ", ".join(a for a in e.aliases if a != e.name)[:200]
        rows.append(
            f'<tr class="jump" data-jump="{first}"><td>{_e(e.name)}</td><td>{_e(e.label)}</td>'
            f'<td class="num">{len(e.mentions)}</td><td class="sub">{_e(aliases)}</td></tr>'
        )
    return ("<table><thead><tr><th>entity</th><th>label</th><th>mentions</th><th>also written</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table>")


def places_svg(places: list[Any], width: int = 360, height: int = 220) -> str:
    """An offline map: the places' lat/lon on an equirectangular grid (no tiles, no coastlines).

    Args:
        places: :class:`~slant.schema.PlaceOut` items; those without coordinates are skipped.
    Returns:
        An ``<svg>`` element (escaped labels), or an empty string when no place has coordinates.
    """
    pts = [p for p in places if p.lat is not None and p.lon is not None]
    if not pts:
        return ""
    lats, lons = [p.lat for p in pts], [p.lon for p in pts]
    pad = max(4.0, 0.25 * max(max(lats) - min(lats), max(lons) - min(lons)))
    lat0, lat1 = max(-90.0, min(lats) - pad), min(90.0, max(lats) + pad)
    lon0, lon1 = max(-180.0, min(lons) - pad), min(180.0, max(lons) + pad)
    # keep degrees square-ish: widen the narrower axis to the box's aspect
    span_lon, span_lat = lon1 - lon0, lat1 - lat0
    if span_lon / width < span_lat / height:
        extra = (span_lat * width / height - span_lon) / 2
        lon0, lon1 = max(-180.0, lon0 - extra), min(180.0, lon1 + extra)
    else:
        extra = (span_lon * height / width - span_lat) / 2
        lat0, lat1 = max(-90.0, lat0 - extra), min(90.0, lat1 + extra)

    def x(lon: float) -> float:
        return (lon - lon0) / (lon1 - lon0) * width

    def y(lat: float) -> float:
        return (lat1 - lat) / (lat1 - lat0) * height

    step = next(s for s in (1, 2, 5, 10, 15, 30, 45, 90) if (lon1 - lon0) / s <= 8)
    parts = [f'<svg class="map" viewBox="0 0 {width} {height}" role="img" aria-label="places mentioned">']
    g = int(lon0 // step + 1) * step
    while g < lon1:
        parts.append(f'<line class="grid" x1="{x(g):.1f}" y1="0" x2="{x(g):.1f}" y2="{height}"/>'
                     f'<text class="gl" x="{x(g) + 2:.1f}" y="{height - 3}">{g:g}°</text>')
        g += step
    g = int(lat0 // step + 1) * step
    while g < lat1:
        parts.append(f'<line class="grid" x1="0" y1="{y(g):.1f}" x2="{width}" y2="{y(g):.1f}"/>'
                     f'<text class="gl" x="2" y="{y(g) - 2:.1f}">{g:g}°</text>')
        g += step
    for p in sorted(pts, key=lambda p: -p.mention_count):
        r = 3 + min(6, p.mention_count)
        parts.append(
            f'<g><title>{_e(p.name)} ({p.lat:.2f}, {p.lon:.2f}) {_e(p.country or "")}, '
            f'{p.mention_count} mention(s), confidence {p.confidence:.2f}</title>'
            f'<circle cx="{x(p.lon):.1f}" cy="{y(p.lat):.1f}" r="{r}" fill="#c0392b" fill-opacity=".75" stroke="#fff"/>'
            f'<text x="{x(p.lon) + r + 2:.1f}" y="{y(p.lat) + 3:.1f}">{_e(p.name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _places(c: _Ctx) -> str:
    if not c.a.places:
        return '<p class="empty">No places found.</p>'
    rows = []
    for p in sorted(c.a.places, key=lambda p: (-p.mention_count, p.name))[:MAX_TABLE_ROWS]:
        ent = c.entities.get(p.entity_id)
        first = min((m.start for m in ent.mentions), default=None) if ent else None
        jump = f' class="jump" data-jump="{first}"' if first is not None else ""
        coords = f"{p.lat:.2f}, {p.lon:.2f}" if p.lat is not None and p.lon is not None else "-"
        rows.append(f"<tr{jump}><td>{_e(p.name)}</td><td>{_e(p.country or '')}</td><td>{coords}</td>"
                    f'<td class="num">{p.mention_count}</td><td class="num">{p.confidence:.2f}</td></tr>')
    return (places_svg(c.a.places)
            + "<table><thead><tr><th>place</th><th>country</th><th>lat, lon</th><th>mentions</th><th>conf.</th></tr>"
            "</thead><tbody>" + "".join(rows) + "</tbody></table>")


def _claims(c: _Ctx) -> str:
    if not c.a.claims:
        return '<p class="empty">No check-worthy claims found (or the claims stage has not run).</p>'
    rows = []
    for cl in sorted(c.a.claims, key=lambda cl: -cl.score)[:MAX_TABLE_ROWS]:
        rows.append(
            f'<tr class="jump" data-jump="{cl.start}"><td class="num">{cl.score:.2f}</td>'
            f"<td>{_e(_excerpt(c.text, cl.start, cl.end))}</td><td>{_e(c.voice_name(cl.voice))}</td></tr>"
        )
    return ("<table><thead><tr><th>score</th><th>claim</th><th>voice</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _language(c: _Ctx) -> str:
    warning = language_warning(c.a)
    return f'<p class="warning" role="note">{_e(warning)}</p>' if warning else ""


def _credibility(c: _Ctx) -> str:
    parts = []
    if c.a.propaganda is not None:
        parts.append(f'<p>Propaganda score <b>{c.a.propaganda.score:.2f}</b></p>')
    cred = c.a.credibility
    if cred is None:  # declined (a W6xx notice says why) or not run
        parts.append(f'<p class="empty">{_e(missing_credibility(c.a) or NOT_RUN)}</p>')
        return "".join(parts)
    parts.append(
        f'<p>Probability the article is reliable: <b class="cred-score">{cred.score:.2f}</b> '
        f'<span class="badge">{_e(cred.label)}</span></p>'
        f'<div class="gauge" title="0 = unreliable, 1 = reliable"><i style="left:calc({100 * cred.score:.1f}% - 1px)"></i></div>'
    )
    if cred.evidence:
        top = max(abs(ev.effect) for ev in cred.evidence) or 1.0
        rows = []
        for ev in sorted(cred.evidence, key=lambda ev: -abs(ev.effect))[:MAX_TABLE_ROWS]:
            w = 60 * abs(ev.effect) / top
            cls = "pos" if ev.effect >= 0 else "neg"
            spans = "; ".join(
                f'<span class="jump" data-jump="{s.start}">\u201c{_e(_excerpt(c.text, s.start, s.end, 60))}\u201d</span>'
                for s in ev.spans[:2]
            )
            rows.append(
                f"<tr><td>{_e(ev.description or ev.feature)}</td><td class=\"num\">{ev.value:.3g}</td>"
                f'<td><span class="effect {cls}" style="width:{w:.0f}px"></span> {ev.effect:+.2f}</td>'
                f'<td class="sub">{spans}</td></tr>'
            )
        head = ("<table><thead><tr><th>evidence</th><th>value</th><th>effect on log-odds (reliable)</th>"
                "<th>where</th></tr></thead><tbody>")
        parts.append(head + "".join(rows[:MAX_EVIDENCE_SHOWN]) + "</tbody></table>")
        if len(rows) > MAX_EVIDENCE_SHOWN:
            parts.append(f"<details><summary>{len(rows) - MAX_EVIDENCE_SHOWN} more features</summary>"
                         + head + "".join(rows[MAX_EVIDENCE_SHOWN:]) + "</tbody></table></details>")
        if cred.baseline is not None:
            parts.append(f'<p class="sub baseline">{_e(baseline_sentence(cred))}</p>')
    return "".join(parts)


def _notices(c: _Ctx) -> str:
    if not c.a.notices:
        return ""
    rows = []
    for n in c.a.notices[:MAX_TABLE_ROWS]:
        jump = f' class="jump" data-jump="{n.start}"' if n.start is not None else ""
        rows.append(f"<li{jump}><code>{_e(n.code)}</code> {_e(n.message)}</li>")
    items = "".join(rows)
    return f'<details class="panel"><summary><b>Notices ({len(c.a.notices)})</b></summary><ul>{items}</ul></details>'


def _script_data(c: _Ctx) -> str:
    data = {
        "labels": c.labels,
        "voices": {vid: c.voice_name(vid) for vid in c.voice_names},
        "techniques": [
            {"label": t.technique, "score": round(t.score, 4), "voice": t.voice, "start": t.start, "end": t.end,
             "excerpt": _excerpt(c.text, t.start, t.end, 160)}
            for t in c.a.techniques
        ],
    }
    return f'<script type="application/json" class="slant-data">{json_for_script(data)}</script>'


def render_report(analysis: Analysis, text: str) -> str:
    """The report as an HTML fragment (``<div class="slant-report">``), for embedding.

    Needs :data:`REPORT_CSS` on the page and :data:`REPORT_JS` run after insertion
    (``SlantReport.init(element)``) for the legend toggles, filter and details.

    Args:
        analysis: the Analysis of ``text``.
        text: the ORIGINAL text; ``len(text)`` must equal ``analysis.text_length``.
    Raises:
        ValueError: ``text`` is not the text the analysis indexes.
    """
    if len(text) != analysis.text_length:
        raise ValueError(f"text has {len(text)} characters, the analysis indexes {analysis.text_length}")
    c = _Ctx(analysis, text)
    meta = analysis.meta or {}
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    title = meta.get("title") or meta.get("url") or _excerpt(first_line, 0, len(first_line), 90) or "Article"
    facts = [f"{analysis.text_length:,} characters", f"{len(analysis.sentences)} sentences",
             f"{len(analysis.techniques)} technique spans", f"{len(analysis.quotations)} quotations",
             f"{len(analysis.entities)} entities", f"id {analysis.id[:12]}"]
    if meta.get("source") and meta.get("source") not in ("api", title):
        facts.insert(0, str(meta["source"]))
    settings = meta.get(SETTINGS_KEY)
    if isinstance(settings, dict) and "technique_encoder" in settings:  # recorded by slant serve
        facts.insert(3, "techniques with the transformers" if settings["technique_encoder"] is True
                     else "techniques by the linear models")
    return "".join([
        f'<div class="slant-report" data-analysis-id="{_e(analysis.id)}">',
        _technique_style(c),
        # <bdi>: a direction control in the title (an unclosed U+202E) stays inside it
        f'<header><h1><bdi>{_e(title)}</bdi></h1><p class="sub">{_e(" · ".join(facts))}</p>{_language(c)}</header>',
        '<div class="layout"><main>',
        _legend(c), _voices_legend(c),
        f'<div class="article">{_article(c)}</div>',
        '<div class="panel"><h2>Selected span</h2><div class="detail"><span class="empty">'
        "Click a highlighted span for its technique, score and voice.</span></div></div>",
        "</main><aside>",
        f'<section class="panel techniques-panel"><h2>Techniques by count</h2>{_chart(c)}</section>',
        f'<section class="panel credibility-panel"><h2>Credibility</h2>{_credibility(c)}</section>',
        f'<section class="panel speakers-panel"><h2>Speakers and quotations</h2>{_speakers(c)}</section>',
        f'<section class="panel places-panel"><h2>Places</h2>{_places(c)}</section>',
        f'<section class="panel claims-panel"><h2>Claims</h2>{_claims(c)}</section>',
        f'<section class="panel entities-panel"><h2>Entities</h2>{_entities(c)}</section>',
        _notices(c),
        "</aside></div>",
        _script_data(c),
        "</div>",
    ])


def _csp_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()


#: the ``<meta name="generator">`` of slant's HTML reports: how a later run over the same
#: folder knows a report is slant's output, not an article (:func:`slant.ingest.is_slant_output`)
GENERATOR = "slant report"


def render_html(analysis: Analysis, text: str) -> str:
    """One self-contained HTML page for ``analysis`` of ``text``; works offline.

    The page loads nothing from the network; its Content-Security-Policy allows only
    its own inline script (by hash) and inline styles, so even markup that slipped
    through could not run.

    Args:
        analysis: the Analysis of ``text``.
        text: the ORIGINAL text (every span indexes it).
    Returns:
        The HTML document as a str (UTF-8 when written).
    Raises:
        ValueError: ``len(text) != analysis.text_length``.
    """
    body = render_report(analysis, text)
    meta = analysis.meta or {}
    title = meta.get("title") or meta.get("source") or "slant report"
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src '{_csp_hash(REPORT_JS)}'; base-uri 'none'; form-action 'none'")
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="{GENERATOR}">'
        f"<title>slant: {_e(title)}</title><style>body{{margin:1rem 1.25rem;background:#fff}}{REPORT_CSS}</style>"
        f"</head><body>{body}<script>{REPORT_JS}</script></body></html>\n"
    )


def render_app_page() -> tuple[str, str]:
    """The web page of ``slant serve`` (paste text or a link, read the report, search).

    Returns:
        ``(html, csp)``: the page and the Content-Security-Policy header value that
        allows only its two inline scripts (by hash) and same-origin requests.
    """
    root = resources.files("slant.render") / "templates"
    app_js = (root / "app.js").read_text(encoding="utf-8")
    page = (root / "page.html").read_text(encoding="utf-8")
    page = page.replace("/*REPORT_CSS*/", REPORT_CSS).replace("/*REPORT_JS*/", REPORT_JS).replace("/*APP_JS*/", app_js)
    csp = (f"default-src 'none'; connect-src 'self'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src '{_csp_hash(REPORT_JS)}' '{_csp_hash(app_js)}'; base-uri 'none'; form-action 'self'")
    return page, csp
