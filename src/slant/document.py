"""Document and Span: the text as the user gave it, and half-open character spans into it.

Every span slant reports is a :class:`Span` into ``Document.text`` -- the ORIGINAL
text, never the normalised view the NLP sees (see :mod:`slant.normalize`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open ``[start, end)`` pair of character offsets.

    Attributes:
        start: index of the first character, inclusive (``>= 0``).
        end: index of the first character after the span (``>= start``).

    Raises:
        ValueError: ``start < 0`` or ``end < start``.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end):
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def __len__(self) -> int:
        return self.end - self.start

    def overlap(self, other: "Span") -> int:
        """Number of characters shared with ``other`` (0 when disjoint)."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))


def text_id(text: str) -> str:
    """The Analysis id of a text: sha256 hex of its UTF-8 bytes (surrogates escaped)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Document:
    """An article as the user supplied it.

    Attributes:
        text: the original text; every reported offset indexes this string.
        meta: where it came from: ``source`` (file path or ``-``), ``id`` (corpus row
            id), ``title``, ``url`` and any other columns the input carried.
    """

    text: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """sha256 hex of the original text."""
        return text_id(self.text)

    @property
    def source(self) -> str:
        """A human-readable name for error messages: the path, plus the row id when known."""
        src = str(self.meta.get("source") or "<text>")
        row = self.meta.get("id")
        return f"{src}#{row}" if row not in (None, "") and src != str(row) else src

    def span(self, start: int, end: int) -> Span:
        """Make a span into this document's text.

        Raises:
            ValueError: the span is not inside ``[0, len(text)]``.
        """
        if not (0 <= start <= end <= len(self.text)):
            raise ValueError(
                f"span [{start}, {end}) is outside the text of {self.source} "
                f"(length {len(self.text)})"
            )
        return Span(start, end)
