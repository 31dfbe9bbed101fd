"""Errors raised by slant.

The whole hierarchy (each subclass also inherits the builtin it refines, so
callers that catch ``ValueError`` or ``FileNotFoundError`` keep working)::

    SlantError(Exception)
    ├── InputError(SlantError, ValueError)          bad or unreadable input   E1xx
    ├── ModelNotFoundError(SlantError, FileNotFoundError)  missing model file  E2xx
    ├── MissingExtraError(SlantError, ImportError)  optional dependency absent E3xx
    └── LimitError(SlantError, ValueError)          input over a set limit     E4xx

Messages start with a code in brackets and name the input, e.g.
``[E101] notes.txt: file is empty``.
"""

from __future__ import annotations

import re


class SlantError(Exception):
    """Base class of every error slant raises on purpose.

    ``code`` is the error's code (``"E101"``), read from the bracketed prefix of its
    message; None for a message without one.
    """

    @property
    def code(self) -> str | None:
        message = str(self.args[0]) if self.args else ""
        match = re.match(r"\[([EW]\d{3})\]", message)
        return match.group(1) if match else None


class InputError(SlantError, ValueError):
    """The input could not be read as an article (empty, binary, wrong columns...)."""


class ModelNotFoundError(SlantError, FileNotFoundError):
    """A shipped model file is missing or unreadable."""


class MissingExtraError(SlantError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


class LimitError(SlantError, ValueError):
    """The input is larger than a configured limit; the message names the option that raises it."""
