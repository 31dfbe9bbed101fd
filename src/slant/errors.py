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


class SlantError(Exception):
    """Base class of every error slant raises on purpose."""


class InputError(SlantError, ValueError):
    """The input could not be read as an article (empty, binary, wrong columns...)."""


class ModelNotFoundError(SlantError, FileNotFoundError):
    """A shipped model file is missing or unreadable."""


class MissingExtraError(SlantError, ImportError):
    """An optional dependency is not installed; the message says which extra to install."""


class LimitError(SlantError, ValueError):
    """The input is larger than a configured limit; the message names the option that raises it."""
