"""Read one text file: bytes -> str, with binary detection and encoding detection.

Encodings, in this order (:func:`decode_bytes`): UTF-16/32 with a byte-order mark, UTF-8
(with or without its BOM), then legacy single-byte or multi-byte text. Legacy text is read
as Windows-1252 (the code page of almost every non-UTF-8 English and Western European news
file) unless charset-normalizer finds another reading that is clearly better: a non-Latin
script (Cyrillic cp1251 or KOI8-R, Greek, Arabic, Hebrew, Shift-JIS, GBK...), or a Latin
code page whose reading has clearly fewer symbols stuck to letters than cp1252's (Polish
cp1250, where cp1252 would give ``powiedzia³``). charset-normalizer alone ranks near-ties
among Latin code pages arbitrarily (French cp1252 came out as mac_latin2, ``trŤs``; curly
quotes as ``ď``), which is why cp1252 wins every tie.

Limit: a Central European text whose cp1250 bytes also read as plausible cp1252 letters
(Czech ``řekl`` -> ``øekl``, ``česká`` -> ``èeská``) is read as cp1252; save such files
as UTF-8.
"""

from __future__ import annotations

import codecs
import os
import re
import sys
import unicodedata
from pathlib import Path

from ..errors import InputError

#: byte-order marks of the UTF-16/32 encodings (UTF-32 first: its LE mark starts like UTF-16's)
_UNICODE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

#: share of control characters (not \t \n \r \f) above which bytes are called binary
_BINARY_CONTROL_SHARE = 0.05

#: characters of the legacy heuristics are counted in the first this many characters
_SAMPLE_CHARS = 65536

#: non-letter, non-ASCII characters that normally follow a letter in Western text (closing
#: quotes, apostrophe, dashes, ellipsis, trade marks, degree, no-break and soft hyphen)
_AFTER_LETTER_OK = frozenset("\u2019\u201d\u00bb\u203a\u2026\u2013\u2014\u2122\u00ae\u00b0\u00a0\u00ad\u00b7")

#: above this share of non-ASCII letters among letters a reading is not a Latin-script
#: language (French ~3 %, Polish ~8 %, Czech ~12 %; Russian read as cp1252 is ~100 %)
_MAX_NON_ASCII_LETTERS = 0.3


def _misfits(text: str) -> int:
    """Symbols stuck to the end of a word (``powiedzia³``, ``gêœl¹``, ``cafÃ©``), the mark of a
    wrong code page: non-ASCII, not a letter, not normal punctuation after a letter."""
    count = 0
    prev_alpha = False
    for ch in text[:_SAMPLE_CHARS]:
        if ord(ch) > 127 and prev_alpha and not ch.isalpha() and ch not in _AFTER_LETTER_OK:
            count += 1
        prev_alpha = ch.isalpha()
    return count


def _latin_script(text: str) -> bool:
    """True when at least half of the non-ASCII letters are Latin (or there are none)."""
    latin = other = 0
    for ch in text[:_SAMPLE_CHARS]:
        if ord(ch) > 127 and ch.isalpha():
            if unicodedata.name(ch, "").startswith("LATIN"):
                latin += 1
            else:
                other += 1
    return latin >= other


def _reads_as_latin(text: str) -> bool:
    """A cp1252 reading that looks like a Western language: few non-ASCII letters, few misfits."""
    sample = text[:_SAMPLE_CHARS]
    letters = non_ascii_letters = non_ascii = 0
    for ch in sample:
        if ch.isalpha():
            letters += 1
            non_ascii_letters += ord(ch) > 127
        non_ascii += ord(ch) > 127
    if not letters or non_ascii_letters > _MAX_NON_ASCII_LETTERS * letters:
        return False
    return _misfits(sample) <= 1 + 0.05 * non_ascii


def _decode_legacy(data: bytes, source: str) -> str:
    """Decode bytes that are not UTF-8 (see the module docstring for the rules).

    Raises:
        InputError: no reading is plausible text (E104).
    """
    from charset_normalizer import from_bytes

    try:
        western: str | None = data.decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D are not cp1252
        western = None
    matches = list(from_bytes(data))
    readings = [str(m) for m in matches[:8]]  # best first, as charset-normalizer ranks them
    if western is None:
        if not readings:
            raise InputError(f"[E104] {source}: not UTF-8 and no text encoding could be detected")
        return readings[0]
    if readings and not _latin_script(readings[0]) and not _reads_as_latin(western):
        return readings[0]  # Cyrillic, Greek, CJK...: charset-normalizer is right there
    if not readings and not _reads_as_latin(western):
        raise InputError(f"[E104] {source}: not UTF-8 and no text encoding could be detected")
    # a Latin-script text: cp1252 unless another Latin reading has clearly fewer misfits (at
    # most half, and at least 2 fewer: one "km²" must not make a Spanish text cp1250)
    best, best_misfits = western, _misfits(western)
    for reading in readings:
        if best_misfits < 2:
            break
        if _latin_script(reading):
            misfits = _misfits(reading)
            if misfits <= best_misfits - 2 and 2 * misfits <= best_misfits:
                best, best_misfits = reading, misfits
    return best


#: a valid UTF-8 sequence of 2-4 bytes (a non-ASCII character): evidence that a file is UTF-8
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _cp1252_strays(exc: UnicodeDecodeError) -> tuple[str, int]:
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace").replace("\ufffd", "?"), exc.end


codecs.register_error("slant-cp1252-strays", _cp1252_strays)


def _decode_utf8_with_strays(data: bytes) -> str | None:
    """UTF-8 text with a few stray Windows-1252 bytes (a ``\\x92`` apostrophe pasted into a
    UTF-8 file): decoded as UTF-8, each invalid byte as its cp1252 character. None when the
    bytes hold no valid multi-byte UTF-8 sequence or more invalid bytes than valid sequences
    (then it is legacy text, :func:`_decode_legacy`)."""
    valid = len(_UTF8_MULTIBYTE.findall(data))
    if not valid:
        return None
    text = data.decode("utf-8-sig", errors="slant-cp1252-strays")
    invalid = len(text) - len(data.decode("utf-8-sig", errors="ignore"))  # one character per invalid byte
    return text if invalid <= valid else None


def decode_bytes(data: bytes, source: str) -> str:
    """Decode article bytes (a file, stdin): UTF-16/32 by their byte-order mark, UTF-8 (a
    leading BOM is dropped, so offsets count from the first character after it), else legacy
    text: Windows-1252 unless the text is clearly in another code page (see the module
    docstring: a non-Latin script such as cp1251 or Shift-JIS, or a Central European cp1250
    text that cp1252 would garble).

    Args:
        data: the raw bytes.
        source: the name used in error messages (a path, ``<stdin>``).
    Returns:
        the text, without a leading byte-order mark.
    Raises:
        InputError: empty (E101), binary (E102), or undecodable (E104).
    """
    if not data.strip():
        raise InputError(f"[E101] {source}: file is empty" + (" (only whitespace)" if data else ""))
    for bom, codec in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(f"[E104] {source}: starts with a {codec.upper()} byte-order mark but does not decode: {exc.reason}") from None
            if not text.strip():
                raise InputError(f"[E101] {source}: no text after decoding")
            return text
    sample = data[:65536]
    if b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if len(sample) >= 8 and (even.count(0) > 0.9 * len(even) or odd.count(0) > 0.9 * len(odd)):
            raise InputError(f"[E104] {source}: looks like UTF-16 text without a byte-order mark; "
                             "save it as UTF-8 (or UTF-16 with a BOM)")
        raise InputError(f"[E102] {source}: looks like a binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_utf8_with_strays(data)
        if text is None:
            # bytes full of control bytes that are not UTF-8 are a binary file (random or
            # compressed data without a NUL byte in its first 64 KiB), not a legacy text
            controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f")
            if controls > _BINARY_CONTROL_SHARE * len(sample):
                raise InputError(f"[E102] {source}: looks like a binary file ({controls} control bytes, "
                                 "not UTF-8), not text") from None
            text = _decode_legacy(data, source)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > _BINARY_CONTROL_SHARE * min(len(text), 65536):
        raise InputError(f"[E102] {source}: looks like a binary file ({controls} control characters), not text")
    if not text.strip():
        raise InputError(f"[E101] {source}: no text after decoding")
    return text


def path_text(path: str | os.PathLike) -> str:
    """A file name as slant writes it wherever a path becomes text: ``meta["source"]``, a batch
    row's ``id`` and ``source``, error messages. A name that is not valid in the file-system
    encoding (a Latin-1 ``bad\\xffname.txt`` on a UTF-8 system, which Python holds as the lone
    surrogate ``\\udcff``, which no UTF-8 writer accepts) shows each such byte as ``\\xNN``:
    readable, and the original bytes can be read back from it. Any other name is unchanged."""
    return os.fsencode(path).decode(sys.getfilesystemencoding(), "backslashreplace")


def read_text_file(path: Path) -> str:
    """Read and decode a text file (see :func:`decode_bytes`).

    Raises:
        InputError: unreadable (E106), empty, binary or undecodable (see :func:`decode_bytes`).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"[E106] {path_text(path)}: cannot read: {exc.strerror or exc}") from None
    return decode_bytes(data, path_text(path))
