"""The official measures of SemEval-2020 Task 11, implemented from their definitions.

SI (span identification), with partial-overlap credit (Da San Martino et al. 2019,
section 4; SemEval-2020 Task 11, section 3.1). For one article, with predicted spans
S and gold spans T, each first merged where they overlap::

    P = (1/|S|) * sum_{s in S, t in T} |s ∩ t| / |s|
    R = (1/|T|) * sum_{s in S, t in T} |s ∩ t| / |t|

The sums run over all articles of the split (|S| and |T| count spans over the whole
split), and F1 is the harmonic mean. TC (technique classification) is scored over
the given gold spans: each (article, start, end) holds a multiset of gold techniques
and one of predicted techniques; a prediction is correct when it matches an unused
gold label of that span. Micro precision = correct / predicted, recall = correct /
gold; with one prediction per gold span both equal accuracy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

Interval = tuple[int, int]


def merge_spans(spans: Iterable[Interval]) -> list[Interval]:
    """Merge overlapping half-open intervals (touching ones stay apart).

    Args:
        spans: ``(start, end)`` pairs, in any order.
    Returns:
        sorted, pairwise disjoint intervals covering the same characters.
    """
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in spans if e > s):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 (each in [0, 1]) and the counts behind them."""

    precision: float
    recall: float
    f1: float
    n_pred: float = 0
    n_gold: float = 0

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "n_pred": self.n_pred, "n_gold": self.n_gold}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


def si_score(predicted: Mapping[str, Iterable[Interval]], gold: Mapping[str, Iterable[Interval]]) -> PRF:
    """SI precision, recall and F1 with partial-overlap credit, over a whole split.

    Args:
        predicted: article id -> predicted ``(start, end)`` spans.
        gold: article id -> gold ``(start, end)`` spans. Articles only in one of the
            two count with no spans in the other.
    Returns:
        :class:`PRF`; precision is 0 when nothing is predicted, recall 0 when there is
        no gold span.
    """
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for aid in set(predicted) | set(gold):
        S = merge_spans(predicted.get(aid, ()))
        T = merge_spans(gold.get(aid, ()))
        n_pred += len(S)
        n_gold += len(T)
        for s0, s1 in S:
            for t0, t1 in T:
                inter = min(s1, t1) - max(s0, t0)
                if inter > 0:
                    p_sum += inter / (s1 - s0)
                    r_sum += inter / (t1 - t0)
    p = p_sum / n_pred if n_pred else 0.0
    r = r_sum / n_gold if n_gold else 0.0
    return PRF(p, r, _f1(p, r), n_pred, n_gold)


@dataclass(frozen=True)
class TCScore:
    """TC result: micro P/R/F1 over all spans and P/R/F1 per technique."""

    micro: PRF
    per_technique: dict[str, PRF]


Labelled = tuple[int, int, str]


def tc_score(predicted: Mapping[str, Iterable[Labelled]], gold: Mapping[str, Iterable[Labelled]]) -> TCScore:
    """TC micro and per-technique precision/recall/F1 over given gold spans.

    Args:
        predicted: article id -> ``(start, end, technique)`` predictions, one per gold
            span in the SemEval-2020 setting (a span labelled twice in gold is given twice).
        gold: article id -> ``(start, end, technique)`` gold labels.
    Returns:
        :class:`TCScore`; techniques seen in gold or predictions all get an entry.
    """
    correct: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for aid in set(predicted) | set(gold):
        g_by_span: dict[Interval, Counter[str]] = {}
        for s, e, t in gold.get(aid, ()):
            g_by_span.setdefault((s, e), Counter())[t] += 1
            n_gold[t] += 1
        for s, e, t in predicted.get(aid, ()):
            n_pred[t] += 1
            bag = g_by_span.get((s, e))
            if bag and bag[t] > 0:
                bag[t] -= 1
                correct[t] += 1
    per = {}
    for t in sorted(set(n_pred) | set(n_gold)):
        p = correct[t] / n_pred[t] if n_pred[t] else 0.0
        r = correct[t] / n_gold[t] if n_gold[t] else 0.0
        per[t] = PRF(p, r, _f1(p, r), n_pred[t], n_gold[t])
    c, np_, ng = sum(correct.values()), sum(n_pred.values()), sum(n_gold.values())
    p = c / np_ if np_ else 0.0
    r = c / ng if ng else 0.0
    return TCScore(PRF(p, r, _f1(p, r), np_, ng), per)
