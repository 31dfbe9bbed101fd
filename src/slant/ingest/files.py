"""Read one text file: bytes -> str, with binary detection and encoding detection."""

from __future__ import annotations

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


def decode_bytes(data: bytes, source: str) -> str:
    """Decode article bytes: UTF-16/32 by their byte-order mark, UTF-8 (a leading BOM is
    dropped, so offsets count from the first character after it), else the detected encoding.

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
        raise InputError(f"[E102] {source}: looks like a binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise InputError(f"[E104] {source}: not UTF-8 and no text encoding could be detected") from None
        text = str(best)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > _BINARY_CONTROL_SHARE * min(len(text), 65536):
        raise InputError(f"[E102] {source}: looks like a binary file ({controls} control characters), not text")
    if not text.strip():
        raise InputError(f"[E101] {source}: no text after decoding")
    return text


def read_text_file(path: Path) -> str:
    """Read and decode a text file.

    Raises:
        InputError: unreadable (E106), empty, binary or undecodable (see :func:`decode_bytes`).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"[E106] {path}: cannot read: {exc.strerror or exc}") from None
    return decode_bytes(data, str(path))
