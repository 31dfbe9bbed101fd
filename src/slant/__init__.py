"""slant: read a news article and show, with evidence a person can check, what it
claims, who is speaking, which persuasion techniques are used and by whom, and how
credible it looks. Every finding is a span of the original text.

    >>> import slant
    >>> analysis = slant.analyze(text)          # doctest: +SKIP
    >>> analysis.techniques[0].voice            # doctest: +SKIP
"""

import logging

from .analysis import Result, analyze, analyze_documents
from .document import Document, Span
from .errors import InputError, LimitError, MissingExtraError, ModelNotFoundError, SlantError
from .options import Options, load_options
from .schema import SCHEMA_VERSION, Analysis

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "Analysis",
    "Document",
    "InputError",
    "LimitError",
    "MissingExtraError",
    "ModelNotFoundError",
    "Options",
    "Result",
    "SlantError",
    "Span",
    "__version__",
    "analyze",
    "analyze_documents",
    "load_options",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
