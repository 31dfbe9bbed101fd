"""The output contract: the Analysis object, schema version 1 (see DESIGN.md).

Every ``start``/``end`` is a half-open character offset into the ORIGINAL text.
Field names are public: add fields freely; renaming or removing one needs a
``SCHEMA_VERSION`` bump and a line in CHANGELOG.md.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.0"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpanOut(_Out):
    """A half-open span ``[start, end)`` of the original text."""

    start: int = Field(ge=0, description="char offset into the original text, inclusive")
    end: int = Field(ge=0, description="char offset into the original text, exclusive")

    @model_validator(mode="after")
    def _ordered(self) -> "SpanOut":
        if self.end < self.start:
            raise ValueError(f"span end {self.end} < start {self.start}")
        return self


class SentenceOut(SpanOut):
    pass


class MentionOut(SpanOut):
    label: str | None = Field(default=None, description="spaCy label of this mention (may differ from the entity's)")
    in_quotation: bool = Field(default=False, description="the mention lies inside a quotation")


class EntityOut(_Out):
    id: str = Field(description="e1, e2, ... stable within one Analysis")
    label: str = Field(description="spaCy NER label: PERSON, ORG, GPE, LOC, FAC, NORP, ...")
    name: str = Field(description="canonical name: the longest full mention")
    mentions: list[MentionOut] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list, description="distinct surface forms")
    salience: float | None = Field(default=None, ge=0, le=1)
    quoted_share: float | None = Field(
        default=None, ge=0, le=1, description="share of the mentions inside quotations (None until attribution ran)"
    )


class PlaceOut(_Out):
    entity_id: str
    name: str = Field(description="gazetteer name")
    lat: float | None = None
    lon: float | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    geonameid: int | None = None
    feature: str | None = Field(default=None, description="city, country, region, continent")
    confidence: float = Field(ge=0, le=1)
    mention_count: int = 0


class SpeakerOut(_Out):
    entity_id: str | None = None
    name: str | None = None
    mention: SpanOut | None = Field(default=None, description="the mention nearest the quotation")


class QuotationOut(SpanOut):
    type: Literal["direct", "indirect", "mixed"] = "direct"
    cue: SpanOut | None = Field(default=None, description=(
        "the reporting verb phrase ('said', 'according to'), or an embedded tweet's signature "
        "('— Cory Booker (@CoryBooker) March 22, 2019'); null for a quotation continuing its speaker"))
    speaker: SpeakerOut | None = None


class VoiceOut(_Out):
    id: str = Field(description="'outlet' or the speaker's entity id")
    name: str
    segments: list[SpanOut] = Field(default_factory=list)
    chars: int = Field(default=0, description="characters of the text in this voice")
    share: float = Field(default=0.0, ge=0, le=1, description="share of the text's characters")
    techniques: dict[str, int] = Field(default_factory=dict, description="technique -> count in this voice")


class TechniqueOut(SpanOut):
    technique: str
    score: float = Field(ge=0, le=1, description=(
        "calibrated probability: for a phrase, that its characters lie in a propaganda span; for a "
        "sentence, that the sentence holds one"))
    voice: str | None = None
    kind: Literal["phrase", "sentence"] = Field(default="phrase", description=(
        "'phrase': words the span tagger marks; 'sentence': a whole sentence the sentence classifier marks, "
        "named after the strongest phrase inside it (its technique and voice)"))


def technique_uses(techniques: list[TechniqueOut]) -> list[TechniqueOut]:
    """The technique spans that count as uses of a technique, for every tally (per voice, per
    technique, per article): all but the sentence spans that hold a phrase span of the same
    technique and voice -- such a sentence is named after that phrase (see
    :func:`slant.techniques.detector.detect`), one use, not two.

    Args:
        techniques: an Analysis's ``techniques``.
    Returns:
        a sub-list, in the same order.
    """
    phrases = [t for t in techniques if t.kind == "phrase"]
    return [t for t in techniques if t.kind == "phrase" or not any(
        p.technique == t.technique and p.voice == t.voice and t.start <= p.start and p.end <= t.end for p in phrases)]


class ClaimOut(SpanOut):
    score: float = Field(ge=0, le=1, description="check-worthiness probability")
    voice: str | None = None
    entity_ids: list[str] = Field(default_factory=list)
    times: list[SpanOut] = Field(default_factory=list, description="DATE/TIME expressions inside the claim")


class SentenceScoreOut(SpanOut):
    score: float = Field(ge=0, le=1, description="calibrated probability that the sentence holds a propaganda span")


class PropagandaOut(_Out):
    score: float = Field(ge=0, le=1, description="article-level propaganda score: the mean of the three highest sentence scores")
    sentences: list[SentenceScoreOut] = Field(default_factory=list)


class EvidenceOut(_Out):
    feature: str
    value: float
    effect: float = Field(description="contribution to the log-odds of 'reliable'")
    description: str | None = None
    spans: list[SpanOut] = Field(default_factory=list)
    n_spans: int | None = Field(default=None, ge=0, description=(
        "how many spans lie behind the value; `spans` lists at most 8 of them"))


class CredibilityOut(_Out):
    score: float = Field(ge=0, le=1, description="calibrated probability that the article is reliable")
    label: Literal["reliable", "unreliable", "uncertain"]
    evidence: list[EvidenceOut] = Field(default_factory=list)
    baseline: float | None = Field(
        None, description="log-odds of 'reliable' for the average training article: baseline + the evidence's effects "
                          "= log_odds, up to rounding")
    log_odds: float | None = Field(
        None, description="ln(score / (1 - score)) before the score is rounded (near 0 or 1 the 4-decimal score "
                          "cannot show it)")


class NoticeOut(_Out):
    code: str
    message: str
    start: int | None = None
    end: int | None = None


class Analysis(_Out):
    """One article's analysis: the object every view (terminal, JSON, HTML, API, store) renders."""

    schema_version: str = SCHEMA_VERSION
    id: str = Field(description="sha256 hex of the original text")
    meta: dict[str, Any] = Field(default_factory=dict)
    text_length: int = Field(ge=0)
    sentences: list[SentenceOut] = Field(default_factory=list)
    entities: list[EntityOut] = Field(default_factory=list)
    places: list[PlaceOut] = Field(default_factory=list)
    quotations: list[QuotationOut] = Field(default_factory=list)
    voices: list[VoiceOut] = Field(default_factory=list)
    techniques: list[TechniqueOut] = Field(default_factory=list)
    claims: list[ClaimOut] = Field(default_factory=list)
    propaganda: PropagandaOut | None = None
    credibility: CredibilityOut | None = None
    notices: list[NoticeOut] = Field(default_factory=list)

    @model_validator(mode="after")
    def _spans_in_bounds(self) -> "Analysis":
        n = self.text_length
        for span in iter_spans(self):
            if span.end > n:
                raise ValueError(f"span [{span.start}, {span.end}) is past the end of the text ({n})")
        return self


def iter_spans(analysis: Analysis):
    """Yield every :class:`SpanOut` in ``analysis`` (for bounds checks and tests)."""
    yield from analysis.sentences
    for e in analysis.entities:
        yield from e.mentions
    for q in analysis.quotations:
        yield q
        if q.cue:
            yield q.cue
        if q.speaker and q.speaker.mention:
            yield q.speaker.mention
    for v in analysis.voices:
        yield from v.segments
    yield from analysis.techniques
    for c in analysis.claims:
        yield c
        yield from c.times
    if analysis.propaganda:
        yield from analysis.propaganda.sentences
    if analysis.credibility:
        for ev in analysis.credibility.evidence:
            yield from ev.spans
