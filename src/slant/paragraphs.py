"""Paragraph breaks as sentence boundaries, set before spaCy's parser runs.

spaCy's English parser does not always end a sentence at a blank line: a headline
without final punctuation ran on into the article's first sentence (10 of 12 PTC dev
articles), so the headline could be read as part of a quotation or a claim. The
component marks the first token after each run of whitespace holding two or more line
breaks (a blank line: ``"\\n\\n"``, ``"\\r\\n\\r\\n"``, ``"\\n \\n"``) as a sentence start;
the parser keeps preset boundaries and decides the rest. A single line break is left to
the parser, as hard-wrapped text breaks lines inside sentences.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

#: the pipeline component's name (``nlp.add_pipe(PIPE_NAME, before="parser")``)
PIPE_NAME = "slant_paragraph_breaks"


@Language.component(PIPE_NAME)
def paragraph_breaks(doc: Doc) -> Doc:
    """Set ``is_sent_start = True`` on the token after each whitespace token holding a blank
    line (two or more line breaks); other tokens are left for the parser. Returns ``doc``."""
    n = len(doc)
    for tok in doc:
        if tok.is_space and tok.i + 1 < n and tok.i > 0 and (tok.text.count("\n") >= 2 or tok.text.count("\r") >= 2):
            doc[tok.i + 1].is_sent_start = True
    return doc
