"""Repair scraped news text for the NLP, keeping a map back to the original offsets.

What is repaired (each seen in public fake-news corpora):

* HTML character references left in plain text by scrapers (``company&#39;s``,
  ``&quot;We won,&quot;``, ``AT&amp;T``): named ones from the HTML5 table
  (:data:`html.entities.html5`) and numeric ones (``&#39;``, ``&#x27;``, ``&#8217;``)
  -> the character; see :func:`_decode_references` for what is left as it is;
* mojibake, UTF-8 read as Windows-1252 or Latin-1 somewhere upstream (``couldnâ€™t``,
  ``â\x80\x9cWe won``, ``Â\xa0``; 64 BuzzFeed-Webis rows hold 2,293 such runs) -> the
  characters meant, found run by run and decided by ftfy (:func:`_mojibake`); notice W204;
* ``\\r\\n`` and lone ``\\r`` line ends -> ``\\n``;
* line ends that hard wrapping put inside a paragraph (e-mail, PDF and terminal text
  wrapped at a fixed width) -> a space, or nothing after a hyphen (``well-⏎known``), so
  the parser reads one paragraph, not a sentence a line; see :func:`wrapped_line_ends`;
* zero-width characters and soft hyphens -> removed;
* non-breaking and other Unicode spaces, tabs, and runs of spaces (left where a
  scraper dropped hyphenated words: ``A   jihadi said``) -> one space; spaces before
  a line end -> removed;
* spaced dashes (``Mosul  —   how``) -> ``Mosul — how``; ``--`` -> ``—``;
* quotation marks: straight, curly, low-9 and guillemets -> directional ``“`` / ``”``,
  the direction inferred from context for the ambiguous straight ``"``; a space
  between an opening mark and its first word, or before a closing mark
  (``countries. ”``), is removed;
* apostrophes written as ``’``, `````, ``´`` inside a word -> ``'`` (``IS’`` -> ``IS'``).

References and mojibake runs are decoded first, each once (``&amp;quot;`` -> ``&quot;``), and the other
repairs then see the decoded character exactly as if it had been typed: ``&quot;`` becomes
``“`` or ``”``, ``&nbsp;`` a space, ``&#8217;`` inside a word ``'``. A decoded character
maps back to the whole reference (``&quot;``), never to part of it.

Text extracted from an HTML page (:mod:`slant.ingest.html`) is already decoded, twice:
by the HTML parser, then by trafilatura's own ``html.unescape`` of its output (2.3), so
``&amp;amp;`` in the source is ``&`` there. A reference still in it comes from a source
escaped three times and is decoded here once more; offsets index the extracted text.

Unbalanced brackets are kept and reported as notice W201; an opening quotation mark
never closed is reported as W202. Notice spans, like every span, are in the original
text (a ``&lpar;`` never closed is reported as the whole reference).

The result is a :class:`Normalized` with the repaired ``text`` and an
:class:`OffsetMap`; ``Normalized.to_original(start, end)`` turns a span of the
repaired text into the span of the original text that produced it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from html.entities import html5

from .document import Span

OPEN_DQ = "\u201c"  # “
CLOSE_DQ = "\u201d"  # ”

_HSPACE = " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# The leading lookahead lets the regex engine skip ordinary characters quickly (3x faster
# on news text than the bare alternation).
_PATTERN = re.compile(
    rf"(?=[\r\n{_ZW}{_HSPACE}\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u2019\u02bc`\u00b4\-\u2015])(?:"
    r"(?P<crlf>\r\n?|\n)"
    rf"|(?P<zw>[{_ZW}]+)"
    rf"|(?P<ws>[{_HSPACE}][{_HSPACE}{_ZW}]+|[{_HSPACE[1:]}]"
    r"|(?<=[\"\u201c\u201e\u00ab]) | (?=[\"\u201d\u00bb\r\n]|\Z))"
    r"|(?P<dq>[\"\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033])"
    r"|(?P<sq>[\u2019\u02bc`\u00b4])"
    r"|(?P<dash>-{2,3}|\u2015))"
)
#: an HTML character reference, its ``;`` required: decimal, hexadecimal, or a name (looked
#: up in :data:`html.entities.html5`; names are at most 32 characters there)
_REFERENCE = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]{0,40}));")
#: control characters a numeric reference is not decoded to (tab, line feed, form feed
#: and carriage return are decoded)
_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D} | {0x7F}
_OPENERS_BEFORE = set("([{\u2014\u2013-/\u2018")
_BRACKETS = {")": "(", "]": "[", "}": "{"}


@dataclass(frozen=True, slots=True)
class Notice:
    """A coded warning about the input, with its span in the ORIGINAL text.

    Codes: W201 unbalanced bracket, W202 unbalanced quotation mark.
    """

    code: str
    message: str
    start: int | None = None
    end: int | None = None


class OffsetMap:
    """Piecewise map between the normalised text and the original text.

    The normalised text is a sequence of pieces; each is either a verbatim copy of an
    original range (1:1 per character) or a replacement of an original range by
    other characters. Pieces of zero normalised length (deletions) are not stored:
    the characters they removed belong to no normalised character.

    Both directions are monotone (non-decreasing) and stay in bounds; see
    ``tests/test_normalize.py`` for the property tests.
    """

    __slots__ = ("_n_starts", "_n_ends", "_o_starts", "_o_ends", "_copy", "orig_len", "norm_len")

    def __init__(self, pieces: list[tuple[int, int, int, int, bool]], orig_len: int, norm_len: int):
        # pieces: (n_start, n_end, o_start, o_end, is_copy), sorted, n_end > n_start
        self._n_starts = [p[0] for p in pieces]
        self._n_ends = [p[1] for p in pieces]
        self._o_starts = [p[2] for p in pieces]
        self._o_ends = [p[3] for p in pieces]
        self._copy = [p[4] for p in pieces]
        self.orig_len = orig_len
        self.norm_len = norm_len

    def _piece(self, pos: int) -> int:
        return bisect.bisect_right(self._n_starts, pos) - 1

    def start_to_original(self, pos: int) -> int:
        """Original offset of normalised boundary ``pos`` used as a span start."""
        if pos >= self.norm_len:
            return self.orig_len
        k = self._piece(max(pos, 0))
        if self._copy[k]:
            return self._o_starts[k] + (pos - self._n_starts[k])
        return self._o_starts[k]

    def end_to_original(self, pos: int) -> int:
        """Original offset of normalised boundary ``pos`` used as an exclusive span end."""
        if pos <= 0:
            return self.start_to_original(0) if self.norm_len else 0
        pos = min(pos, self.norm_len)
        k = self._piece(pos - 1)
        if self._copy[k]:
            return self._o_starts[k] + (pos - self._n_starts[k])
        return self._o_ends[k]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to the original span that produced it.

        Raises:
            ValueError: the span is not inside the normalised text.
        """
        if not (0 <= start <= end <= self.norm_len):
            raise ValueError(f"span [{start}, {end}) is outside the normalised text (length {self.norm_len})")
        o_start = self.start_to_original(start)
        if end == start:
            return o_start, o_start
        return o_start, max(o_start, self.end_to_original(end))

    def to_normalized(self, pos: int) -> int:
        """Normalised offset of original boundary ``pos`` (deleted characters map forward)."""
        if not self._o_starts:
            return 0
        if pos >= self.orig_len:
            return self.norm_len
        k = bisect.bisect_right(self._o_starts, pos) - 1
        if k < 0:
            return 0
        if pos >= self._o_ends[k]:  # inside a deletion after piece k
            return self._n_ends[k]
        if self._copy[k]:
            return self._n_starts[k] + (pos - self._o_starts[k])
        return self._n_starts[k]


@dataclass(frozen=True)
class Normalized:
    """The repaired view of a text.

    Attributes:
        original: the text as given.
        text: the repaired text the NLP sees.
        offsets: the :class:`OffsetMap` between them.
        notices: coded warnings with spans in the original text.
    """

    original: str
    text: str
    offsets: OffsetMap
    notices: list[Notice] = field(default_factory=list)

    def to_original(self, start: int, end: int) -> Span:
        """The original :class:`~slant.document.Span` behind normalised ``[start, end)``."""
        return Span(*self.offsets.to_original(start, end))


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.out: list[str] = []
        self.pieces: list[tuple[int, int, int, int, bool]] = []
        self.n = 0  # normalised length so far
        self.o = 0  # original position copied up to

    def copy_to(self, o_end: int) -> None:
        if o_end > self.o:
            chunk = self.text[self.o : o_end]
            self.out.append(chunk)
            self.pieces.append((self.n, self.n + len(chunk), self.o, o_end, True))
            self.n += len(chunk)
            self.o = o_end

    def replace(self, o_start: int, o_end: int, repl: str) -> None:
        self.copy_to(o_start)
        if repl == self.text[o_start:o_end]:
            self.copy_to(o_end)
            return
        if repl:
            self.out.append(repl)
            self.pieces.append((self.n, self.n + len(repl), o_start, o_end, False))
            self.n += len(repl)
        self.o = o_end

    def last_char(self) -> str:
        for chunk in reversed(self.out):
            if chunk:
                return chunk[-1]
        return ""


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace() or ch in "\u200b\u200c\u200d\u2060\ufeff"


def double_quote_is_opening(text: str, i: int, is_open: bool) -> bool:
    """Decide whether the double quotation mark at ``text[i]`` opens a quotation."""
    ch = text[i]
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    before_ok = _is_space(prev) or prev in _OPENERS_BEFORE
    # the first visible character after the mark (skipping spaces)
    j = i + 1
    while j < len(text) and text[j] in _HSPACE:
        j += 1
    after = text[j] if j < len(text) else ""
    if ch in "\u201c\u201e\u201f":  # “ „ ‟ open unless clearly used to close
        return not (is_open and not before_ok and (_is_space(nxt) or not nxt.isalnum()))
    if ch == "\u201d":  # ” closes unless clearly used to open
        return (not is_open) and before_ok and after.isalnum()
    if ch == "\u00ab":
        return not (is_open and not before_ok)
    if ch == "\u00bb":
        return (not is_open) and before_ok and after.isalnum()
    # straight " and ″: by context, then by parity
    next_space = _is_space(nxt) or nxt in ".,;:!?)]}"
    if before_ok and not next_space:
        return True
    if not before_ok and next_space:
        return False
    return not is_open


def normalize(text: str) -> Normalized:
    """Repair ``text`` for the NLP and keep the map back to it.

    HTML character references are decoded first (:func:`_decode_references`); the other
    repairs then run over the decoded view, and the map through that view is folded into
    one :class:`OffsetMap` over ``text``.

    Args:
        text: the original article text (any Unicode string, possibly empty).
    Returns:
        :class:`Normalized`; ``len(result.text) <= len(text) + 1`` is not guaranteed,
        but every normalised span maps to a span inside ``text``.
    """
    decoded, refs, bad = _decode_references(text)
    norm, pieces, notices = _repair(decoded)
    if bad:
        first = next(r for r in refs if text[r[2]:r[3]] == bad[0])
        notices.append(Notice("W204", f"mis-decoded text repaired: {len(bad)} run(s) of UTF-8 read as Windows-1252 or "
                                      f"Latin-1 (the first, {bad[0]!r}, read as {decoded[first[0]:first[1]]!r})",
                              first[0], first[1]))
    if refs:
        back = _ThroughReferences(refs)
        pieces = back.pieces(pieces)
        notices = [Notice(n.code, n.message, *back.span(n.start, n.end)) if n.start is not None and n.end is not None else n
                   for n in notices]
    return Normalized(text, norm, OffsetMap(pieces, len(text), len(norm)), notices)


def _repair(text: str) -> tuple[str, list[tuple[int, int, int, int, bool]], list[Notice]]:
    """The repairs other than references: ``(repaired text, pieces over text, notices)``."""
    b = _Builder(text)
    joins = wrapped_line_ends(text)
    is_open = False
    last_open: int | None = None
    after_open_quote = -1  # index just after an opening quotation mark
    for m in _PATTERN.finditer(text):
        kind = m.lastgroup
        s, e = m.span()
        if s < b.o:
            continue  # inside a wrapped line end already replaced with the next line's indent
        if kind == "crlf":
            if s in joins:
                while e < len(text) and text[e] in _HSPACE:
                    e += 1
                b.replace(s, e, joins[s])
            elif text[s] == "\r":
                b.replace(s, e, "\n")
        elif kind == "zw":
            b.replace(s, e, "")
        elif kind == "ws":
            nxt = text[e] if e < len(text) else ""
            drop = nxt in ("\n", "\r", "")
            if not drop and s == after_open_quote and not _is_space(nxt):
                drop = True  # “ Those -> “Those
            if not drop and nxt in "\"\u201d\u00bb" and b.last_char() not in ("", "\n"):
                if not double_quote_is_opening(text, e, is_open) and is_open:
                    drop = True  # countries. ” -> countries.”
            b.replace(s, e, "" if drop else " ")
        elif kind == "dq":
            opening = double_quote_is_opening(text, s, is_open)
            b.replace(s, e, OPEN_DQ if opening else CLOSE_DQ)
            if opening:
                is_open, last_open, after_open_quote = True, s, e
            else:
                is_open = False
        elif kind == "sq":
            prev = text[s - 1] if s > 0 else ""
            nxt = text[e] if e < len(text) else ""
            if prev.isalnum() and (nxt.isalnum() or nxt == "" or _is_space(nxt) or nxt in ".,;:!?"):
                if nxt.isalnum() or text[s] != "\u2019" or prev in "sS":
                    b.replace(s, e, "'")
        elif kind == "dash":
            b.replace(s, e, "\u2014")
    b.copy_to(len(text))
    norm = "".join(b.out)
    notices = _bracket_notices(text)
    if is_open and last_open is not None:
        notices.append(Notice("W202", "unbalanced quotation mark: opened here and never closed", last_open, last_open + 1))
    return norm, b.pieces, notices


#: widest line (chars) of a block read as hard-wrapped: e-mail and terminal text wraps at
#: 60-80, text taken from PDF columns at up to about 100; scraped news has a paragraph a line
MAX_WRAP_WIDTH = 100
#: narrowest such line: blocks of short lines (lists, verse, captions) are left as they are
MIN_WRAP_WIDTH = 30
_LINE_END = re.compile(r"\r\n?|\n")
_SENTENCE_END = re.compile(r"[.!?:][\"'\u201d\u2019)\]]*$")
#: marks that may open a sentence before its first letter
_OPENING = "\"'\u201c\u2018([{*\u2014\u2013- \t"
#: a list item's opening ("- cut taxes", "* ", "• ", "1. ", "2) ", "a) "); a line end before one is kept
#: when the line before is an item too or ends with a colon (a wrapped line may start "- and")
_ITEM = re.compile(r"(?:[-*\u2022\u00b7]|\d{1,3}[.)]|[a-z][.)])[ \t]+\S")
#: a run of two or more spaces inside a line (a table's column gap, or a scraper's dropped word)
_GAP = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")


def _table(text: str, block: list[tuple[int, int]]) -> bool:
    """Whether two neighbouring lines of ``block`` have a run of spaces ending at the same column:
    columns of a table ("Franklin County       Smith 45,221"), not wrapped prose."""
    ends = [{m.end() - s for m in _GAP.finditer(text, s, e)} for s, e in block]
    return any(a & b for a, b in zip(ends, ends[1:]))


def wrapped_line_ends(text: str) -> dict[int, str]:
    """Line ends of ``text`` that hard wrapping put inside a paragraph, and what replaces them.

    A block of three or more non-blank lines whose longest line ``W`` is
    :data:`MIN_WRAP_WIDTH`-:data:`MAX_WRAP_WIDTH` characters (trailing spaces not counted)
    is read as wrapped text when at least two of its lines are *full* and end inside a sentence.
    A line is full when the next line's first word would not have fit after it within ``W``
    (``len(line) + 1 + len(word) > W``, as a greedy wrapper at width ``>= W`` leaves every line
    but a paragraph's last); it ends inside a sentence unless it ends with a stop and the next
    line starts with a capital (``...anything.⏎This is``: a break there changes nothing for the
    parser, and a scraped corpus's one-sentence lines stay as they are). Those line ends are
    joined to the next line: replaced by a space, or removed after a hyphen that ends a word
    (``well-⏎known``). Two such lines, not one: a paragraph, a list of names and a form field
    (``...said.⏎John Bolton Richard Grenell Ivanka Trump⏎Email *``) have one by chance; and one of
    them must break between two words (verse ends its lines with commas). A line end before a
    list item (``- cut taxes``, ``2) ``) is kept, and a block whose neighbouring lines have a run of
    spaces ending at the same column is a table, left as it is. Lines of the same width that are
    neither, such as a postal address, cannot be told from wrapped prose and are joined. (A list
    item counts as one after a colon or another item.) Paragraphs a line long, the layout
    of PTC and of the news corpora, are never joined (checked: no line end of PTC train or
    dev, or of the four news corpora, is joined).

    Args:
        text: the text after HTML references are decoded, before other repairs.
    Returns:
        ``{index of the line end's first character ("\\r" or "\\n"): replacement}``.
    """
    lines, pos = [], 0
    for m in _LINE_END.finditer(text):
        lines.append((pos, m.start()))
        pos = m.end()
    lines.append((pos, len(text)))
    joins: dict[int, str] = {}
    block: list[tuple[int, int]] = []
    for k, (start, end) in enumerate(lines + [(len(text), len(text))]):
        if k < len(lines) and text[start:end].strip():
            block.append((start, end))
            continue
        widths = [len(text[s:e].rstrip()) for s, e in block]
        if len(block) >= 3 and MIN_WRAP_WIDTH <= max(widths) <= MAX_WRAP_WIDTH and not _table(text, block):
            inside = {}  # full lines that end inside a sentence: the line ends to join
            between_words = False  # one of them breaks between two words (not after a comma)
            for i in range(len(block) - 1):
                line = text[block[i][0]:block[i][0] + widths[i]]
                following = text[block[i + 1][0]:block[i + 1][1]].lstrip()
                full = widths[i] + 1 + len(following.split(None, 1)[0]) > max(widths)
                opens = following.lstrip(_OPENING)[:1]  # the first letter of '“This is', '(The'
                item = _ITEM.match(following) and (line.endswith(":") or _ITEM.match(line.lstrip()))
                if full and not item and not (_SENTENCE_END.search(line) and opens.isupper()):
                    hyphen = line.endswith("-") and line[-2:-1].isalpha() and following[:1].islower()
                    inside[block[i][1]] = "" if hyphen else " "  # trailing spaces before it are dropped
                    between_words |= line[-1:].isalnum() or hyphen
            # verse ends its lines with a comma ("...over town,⏎and violets are blue ..."); wrapped prose
            # breaks mostly between words
            if len(inside) >= 2 and between_words:
                joins.update(inside)
        block = []
    return joins


def _reference_text(m: re.Match[str]) -> str | None:
    """The characters an HTML reference match stands for, or None to leave it as it is."""
    decimal, hexadecimal, name = m.groups()
    if name is not None:
        return html5.get(name + ";")
    digits = (decimal or hexadecimal).lstrip("0")
    if len(digits) > 7:  # past U+10FFFF (and int() of thousands of digits raises)
        return None
    code = int(digits or "0", 10 if decimal else 16)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF or code in _CONTROLS:
        return None
    if 0x80 <= code <= 0x9F:  # Windows-1252 bytes written as references (&#146;), read as HTML5 does
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D: C1 controls, no character
            return None
    return chr(code)


#: the character a continuation byte (0x80-0xBF) becomes when read as Windows-1252 or Latin-1: a C1
#: control or ``€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ`` (0x80-0x9F), ``\xa0``-``¿``, or U+FFFD where a strict
#: Windows-1252 reader met one of the five bytes it has no character for
_CONT = ("[\ufffd\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
         "\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
#: a run of mis-read UTF-8 sequences: a lead byte's character (0xC2-0xF4 -> ``Â``-``ô``) and as many
#: continuation bytes' as the lead byte says (``â€™`` is E2 80 99, ``Â\xa0`` C2 A0)
_MOJIBAKE_RUN = re.compile(
    f"(?:[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}})+")
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00f4]")


def _mojibake(text: str) -> list[tuple[int, int, str]]:
    """Runs of mojibake in ``text`` and what they stand for: ``(start, end, repaired)``, sorted.

    A run is a stretch of whole UTF-8 sequences as they read when mis-read (see
    :data:`_MOJIBAKE_RUN`), whatever stands around it; ftfy (Speer, 2019) decides whether it
    is mojibake and undoes it (``â€™`` -> ``’``, ``Ã¢â‚¬â„¢`` read twice -> ``’``). A run ftfy
    leaves as it is, or does not shorten, is kept (``ñá``, ``Ça``).
    """
    if not _MOJIBAKE_LEAD.search(text):
        return []
    import ftfy

    out = []
    for m in _MOJIBAKE_RUN.finditer(text):
        run = m.group()
        # "â€�": the closing quotation mark ” (E2 80 9D) read as Windows-1252, which has no character for
        # 0x9D, so a strict reader wrote U+FFFD for it; it is by far the commonest such loss on the web
        fixed = ftfy.fix_encoding(run.replace("\u00e2\u20ac\ufffd", "\u00e2\u20ac\u009d"))
        if "\ufffd" in fixed:
            continue  # a byte lost for good: keep the run as it is
        if fixed != run and len(fixed) < len(run):
            out.append((m.start(), m.end(), fixed))
    return out


def _decode_references(text: str) -> tuple[str, list[tuple[int, int, int, int]], list[str]]:
    """Decode the HTML character references and the mojibake runs (:func:`_mojibake`) in
    ``text``, each once, left to right.

    The ``;`` is required: ``&amp`` (no ``;``), ``R&D``, ``AT&T``, ``Q&A`` and ``&c`` stay.
    Left as they are: names not in :data:`html.entities.html5` (``&foo;``), numeric
    references to 0, to a surrogate, past U+10FFFF, or to a control character other than
    tab, line feed, form feed and carriage return (C1 ``&#128;``-``&#159;`` are read as
    Windows-1252, ``&#146;`` -> ``’``, as HTML5 does; the five bytes cp1252 leaves
    undefined stay).

    Returns:
        ``(decoded, refs, mojibake)``: ``refs`` holds one ``(d_start, d_end, o_start, o_end)``
        per decoded reference or run, sorted: ``decoded[d_start:d_end]`` stands for
        ``text[o_start:o_end]``; ``mojibake`` the runs repaired, as they were in ``text``.
        ``text`` itself and ``[]`` when nothing was decoded.
    """
    found = [(m.start(), m.end(), repl) for m in _REFERENCE.finditer(text)
             if (repl := _reference_text(m)) is not None] if "&" in text else []
    bad = _mojibake(text)
    if not found and not bad:
        return text, [], []
    b = _Builder(text)
    for s, e, repl in sorted(found + bad):  # the two never overlap: a reference is ASCII
        b.replace(s, e, repl)
    b.copy_to(len(text))
    return "".join(b.out), [p[:4] for p in b.pieces if not p[4]], [text[s:e] for s, e, _ in bad]


class _ThroughReferences:
    """Carries spans and pieces over the decoded text back to the original text.

    A character outside the references is the same character in both; one inside the
    decoded characters of a reference maps to the whole reference.
    """

    def __init__(self, refs: list[tuple[int, int, int, int]]):
        self.refs = refs
        self.d_starts = [r[0] for r in refs]

    def _ref_at(self, d: int) -> int:
        """Index of the last reference starting at or before decoded offset ``d`` (-1: none)."""
        return bisect.bisect_right(self.d_starts, d) - 1

    def start(self, d: int) -> int:
        """Original offset of decoded boundary ``d`` used as a span start."""
        k = self._ref_at(d)
        if k < 0:
            return d
        d_start, d_end, o_start, o_end = self.refs[k]
        return o_start if d < d_end else o_end + (d - d_end)

    def end(self, d: int) -> int:
        """Original offset of decoded boundary ``d`` used as an exclusive span end."""
        if d <= 0:
            return d
        k = self._ref_at(d - 1)
        if k < 0:
            return d
        d_start, d_end, o_start, o_end = self.refs[k]
        return o_end if d - 1 < d_end else o_end + (d - d_end)

    def span(self, d_start: int, d_end: int) -> tuple[int, int]:
        return self.start(d_start), max(self.start(d_start), self.end(d_end))

    def pieces(self, pieces: list[tuple[int, int, int, int, bool]]) -> list[tuple[int, int, int, int, bool]]:
        """``(n_start, n_end, d_start, d_end, is_copy)`` pieces -> the same over the original.

        A verbatim copy is split around each reference inside it: the reference's decoded
        characters become a replacement of the whole reference.
        """
        out: list[tuple[int, int, int, int, bool]] = []
        for n0, n1, d0, d1, is_copy in pieces:
            if not is_copy:
                out.append((n0, n1, *self.span(d0, d1), False))
                continue
            k = max(self._ref_at(d0), 0)
            pos = d0
            while k < len(self.refs) and self.refs[k][0] < d1:
                r_d0, r_d1, r_o0, r_o1 = self.refs[k]
                k += 1
                if r_d1 <= pos:
                    continue
                if pos < r_d0:
                    out.append((n0 + pos - d0, n0 + r_d0 - d0, self.start(pos), r_o0, True))
                    pos = r_d0
                stop = min(r_d1, d1)
                out.append((n0 + pos - d0, n0 + stop - d0, r_o0, r_o1, False))
                pos = stop
            if pos < d1:
                out.append((n0 + pos - d0, n1, self.start(pos), self.start(pos) + d1 - pos, True))
        return out


def _bracket_notices(text: str) -> list[Notice]:
    """W201 notices for brackets that are never closed or never opened."""
    stack: list[tuple[str, int]] = []
    notices: list[Notice] = []
    for m in re.finditer(r"[()\[\]{}]", text):
        ch, i = m.group(), m.start()
        if ch in "([{":
            stack.append((ch, i))
        elif stack and stack[-1][0] == _BRACKETS[ch]:
            stack.pop()
        else:
            notices.append(Notice("W201", f"unbalanced bracket '{ch}': closed but never opened", i, i + 1))
    for ch, i in stack:
        notices.append(Notice("W201", f"unbalanced bracket '{ch}': opened but never closed", i, i + 1))
    notices.sort(key=lambda n: n.start or 0)
    return notices
