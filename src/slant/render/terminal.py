"""Terminal view of an Analysis (rich): the text with highlighted spans, then a table per kind."""

from __future__ import annotations

import re

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..schema import Analysis, technique_uses
from . import baseline_sentence, language_warning, missing_credibility

#: one colour per technique (14 SemEval-2020 classes plus the 18-class extras)
TECHNIQUE_STYLES: dict[str, str] = {
    "Loaded_Language": "bold white on red3",
    "Name_Calling,Labeling": "bold white on dark_orange3",
    "Repetition": "black on khaki1",
    "Exaggeration,Minimisation": "black on light_salmon1",
    "Doubt": "black on plum2",
    "Appeal_to_fear-prejudice": "bold white on purple4",
    "Flag-Waving": "bold white on blue3",
    "Causal_Oversimplification": "black on aquamarine1",
    "Slogans": "bold white on deep_pink3",
    "Appeal_to_Authority": "black on light_sky_blue1",
    "Black-and-White_Fallacy": "bold white on grey30",
    "Thought-terminating_Cliches": "black on wheat1",
    "Whataboutism,Straw_Men,Red_Herring": "black on dark_sea_green2",
    "Bandwagon,Reductio_ad_hitlerum": "bold white on dark_red",
}
QUOTE_STYLE = "italic cyan"
ENTITY_STYLE = "underline"


def technique_style(technique: str) -> str:
    """The rich style of a technique (a neutral one for techniques outside the table)."""
    return TECHNIQUE_STYLES.get(technique, "black on grey70")


#: control characters shown as Unicode control pictures (ESC -> U+241B), one character for
#: one, so span offsets still index the shown text; C1 controls become U+FFFD
_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_CONTROL_PICTURES[0x7F] = 0x2421
_CONTROL_PICTURES.update({c: 0xFFFD for c in range(0x80, 0xA0)})


def printable(text: str) -> str:
    """``text`` safe to print to a terminal, same length: no escape sequence or other
    control character of the article reaches the terminal (tabs and newlines are kept;
    ``\\r\\n`` becomes `` \\n`` and a lone ``\\r`` a newline)."""
    return text.replace("\r\n", " \n").replace("\r", "\n").translate(_CONTROL_PICTURES)


def plain(value: object) -> Text:
    """``str(value)`` as rich Text through :func:`printable`: shown as written, never parsed
    as rich markup (a "[/]" in article text or a file name raised MarkupError)."""
    return Text(printable(str(value)))


def highlighted_text(text: str, analysis: Analysis) -> Text:
    """The original text with quotations, entities and technique spans styled.

    Later layers win where spans overlap: quotations, then entity mentions, then techniques.
    The text is shown through :func:`printable` and never parsed as rich markup.
    """
    out = Text(printable(text))
    for q in analysis.quotations:
        out.stylize(QUOTE_STYLE, q.start, q.end)
    for e in analysis.entities:
        for m in e.mentions:
            out.stylize(ENTITY_STYLE, m.start, m.end)
    for t in sorted(analysis.techniques, key=lambda t: t.start - t.end):
        out.stylize(technique_style(t.technique), t.start, t.end)
    return out


def _clip(s: str, n: int = 70) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


class _Rows:
    """Collects rows, then builds a table whose short columns never shrink or wrap and
    whose last column (quoted text) takes the room left, cut with an ellipsis."""

    def __init__(self, title: str, *columns: str):
        self.title, self.columns, self.rows = title, columns, []

    def add_row(self, *cells) -> None:
        self.rows.append(tuple(c if isinstance(c, Text) else plain(c) for c in cells))  # article text: no markup

    def __rich_console__(self, console, options):
        table = Table(title=self.title, title_justify="left")
        widths = []
        for i, col in enumerate(self.columns[:-1]):
            cells = [r[i] for r in self.rows]
            width = max([len(col)] + [c.cell_len for c in cells])
            widths.append(width)
            table.add_column(col, no_wrap=True, min_width=width, max_width=width)
        room = options.max_width - sum(widths) - 3 * len(self.columns) - 1
        table.add_column(self.columns[-1], overflow="ellipsis", no_wrap=True, max_width=max(12, room))
        for row in self.rows:
            table.add_row(*row)
        yield table


def _table(title: str, *columns: str) -> _Rows:
    return _Rows(title, *columns)


def render(analysis: Analysis, text: str) -> Group:
    """Build the renderable for one analysis of ``text`` (the original text)."""
    parts = []
    title = analysis.meta.get("title") or analysis.meta.get("source") or analysis.id[:12]
    header = f"{len(analysis.sentences)} sentences · {len(analysis.entities)} entities · {len(analysis.quotations)} quotations · {len(analysis.techniques)} technique spans"
    if analysis.propaganda is not None:
        header += f" · propaganda {analysis.propaganda.score:.2f}"
    if analysis.credibility is not None:
        header += f" · credibility {analysis.credibility.score:.2f} ({analysis.credibility.label})"
    parts.append(Panel(highlighted_text(text, analysis), title=plain(title)))
    parts.append(Text(header, style="bold"))
    foreign = language_warning(analysis)
    if foreign:
        parts.append(Text(foreign, style="bold yellow"))
    missing = missing_credibility(analysis)  # declined (W601: too short) or not run: say which
    if missing:
        parts.append(Text(missing, style="dim"))

    if analysis.techniques:
        legend = Text()
        counts: dict[str, int] = {}
        for t in technique_uses(analysis.techniques):
            counts[t.technique] = counts.get(t.technique, 0) + 1
        for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            legend.append(f" {name} ×{n} ", style=technique_style(name))
            legend.append(" ")
        parts.append(legend)
        table = _table("Techniques", "span", "technique", "score", "voice", "text")
        voice_names = {v.id: v.name for v in analysis.voices}
        for t in analysis.techniques:
            table.add_row(
                f"{t.start}-{t.end}", Text(t.technique, style=technique_style(t.technique)), f"{t.score:.2f}",
                voice_names.get(t.voice or "", t.voice or "-"), _clip(text[t.start : t.end], 200),
            )
        parts.append(table)

    if analysis.voices:
        table = _table("Voices", "voice", "share of text", "segments", "techniques")
        for v in analysis.voices:
            techs = ", ".join(f"{k} ×{n}" for k, n in sorted(v.techniques.items(), key=lambda kv: -kv[1])) or "-"
            table.add_row(v.name, f"{v.share:.0%}", str(len(v.segments)), techs)
        parts.append(table)

    if analysis.quotations:
        table = _table("Quotations", "span", "type", "speaker", "cue", "text")
        for q in analysis.quotations:
            speaker = q.speaker.name if q.speaker and q.speaker.name else (
                text[q.speaker.mention.start : q.speaker.mention.end] if q.speaker and q.speaker.mention else "-"
            )
            cue = text[q.cue.start : q.cue.end] if q.cue else "-"
            table.add_row(f"{q.start}-{q.end}", q.type, speaker, cue, _clip(text[q.start : q.end], 200))
        parts.append(table)

    if analysis.entities:
        table = _table("Entities", "id", "label", "name", "mentions", "aliases")
        for e in analysis.entities:
            table.add_row(e.id, e.label, e.name, str(len(e.mentions)), _clip(", ".join(e.aliases), 50))
        parts.append(table)

    if analysis.places:
        table = _table("Places", "name", "country", "lat", "lon", "geonameid", "confidence", "mentions")
        for p in analysis.places:
            table.add_row(
                p.name, p.country or "-", f"{p.lat:.3f}" if p.lat is not None else "-",
                f"{p.lon:.3f}" if p.lon is not None else "-", str(p.geonameid or "-"), f"{p.confidence:.2f}", str(p.mention_count),
            )
        parts.append(table)

    if analysis.claims:
        table = _table("Check-worthy claims", "span", "score", "voice", "text")
        voice_names = {v.id: v.name for v in analysis.voices}
        for c in sorted(analysis.claims, key=lambda c: -c.score)[:15]:
            table.add_row(f"{c.start}-{c.end}", f"{c.score:.2f}", voice_names.get(c.voice or "", c.voice or "-"), _clip(text[c.start : c.end], 200))
        parts.append(table)

    if analysis.credibility is not None and analysis.credibility.evidence:
        table = _table(
            f"Credibility {analysis.credibility.score:.2f} ({analysis.credibility.label}): evidence",
            "feature", "value", "effect", "spans", "description",
        )
        for ev in analysis.credibility.evidence:
            shown = str(len(ev.spans)) if (ev.n_spans or 0) <= len(ev.spans) else f"{len(ev.spans)} of {ev.n_spans}"
            table.add_row(ev.feature, f"{ev.value:.3g}", f"{ev.effect:+.3f}", shown, ev.description or "")
        parts.append(table)
        if analysis.credibility.baseline is not None:
            parts.append(Text(baseline_sentence(analysis.credibility), style="dim"))

    if analysis.notices:
        table = _table("Notices", "code", "where", "message")
        for n in analysis.notices:
            where = f"{n.start}-{n.end}" if n.start is not None else "-"
            table.add_row(n.code, where, n.message)
        parts.append(table)
    return Group(*parts)


#: the last line of a text view written to a file (``slant analyze ... -o view.txt``): it tells
#: a reader what the file is, and a later folder run that the file is slant's, not an article
FOOTER = "written by slant {version}: text view of {count} {noun}"
#: what :data:`FOOTER` matches, whatever the version and count
FOOTER_RE = re.compile(r"^written by slant \S+: text view of \d+ documents?$")


def footer(count: int) -> str:
    """:data:`FOOTER` for a view of ``count`` documents."""
    from .. import __version__

    return FOOTER.format(version=__version__, count=count, noun="document" if count == 1 else "documents")


def print_analysis(analysis: Analysis, text: str, console: Console | None = None) -> None:
    """Print one analysis to the terminal."""
    (console or Console()).print(render(analysis, text))
