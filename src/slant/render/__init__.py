"""Views of an Analysis: terminal (rich), JSON, HTML, GeoJSON."""

from __future__ import annotations

from ..schema import Analysis

#: what a credibility notice (W6xx: the stage ran and declined to score) means, for the views
_DECLINED = {"W601": "text too short to score", "W602": "not English"}

#: the views' wording when the Analysis has no credibility score and no W6xx notice
NOT_RUN = "No credibility score (the credibility stage has not run)."


def language_warning(analysis: Analysis) -> str | None:
    """The W101 notice (the text reads as another language than English) as one sentence for
    the views, shown under their header because it qualifies every finding; None without it."""
    for notice in analysis.notices:
        if notice.code == "W101":
            return f"Not English: {notice.message} (W101)."
    return None


def missing_credibility(analysis: Analysis) -> str | None:
    """Why ``analysis`` has no credibility score, as one sentence for the views; None when it has one.

    The credibility stage records a refusal as a W6xx notice (W601: under 50 words), so an
    Analysis without a score and without such a notice is one where the stage did not run
    (e.g. ``--stages`` left it out). For example ``"No credibility score: text too short to
    score (W601) — 12 words after stripping datelines and boilerplate; the model needs at
    least 50."``.
    """
    if analysis.credibility is not None:
        return None
    for notice in analysis.notices:
        if notice.code.startswith("W6"):
            why = _DECLINED.get(notice.code, "the credibility stage declined this text")
            detail = notice.message.removeprefix("credibility not scored: ").strip().rstrip(".")
            return f"No credibility score: {why} ({notice.code})" + (f" — {detail}." if detail else ".")
    return NOT_RUN


def baseline_sentence(credibility) -> str:
    """How the evidence adds up to the score, for the views: ``"Log-odds: baseline +0.51 (the
    average training article) + effects +0.47 = +0.98 -> score 0.73."``"""
    import math

    total = sum(ev.effect for ev in credibility.evidence)
    logit = credibility.baseline + total
    return (f"Log-odds: baseline {credibility.baseline:+.2f} (the average training article) + effects {total:+.2f} "
            f"= {logit:+.2f} -> score {1 / (1 + math.exp(-logit)):.2f}.")
