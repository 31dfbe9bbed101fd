"""The SemEval-2020 Task 11 measures on hand-computed cases."""

import pytest

from slant.techniques.scorer import merge_spans, si_score, tc_score


def test_merge_spans_merges_overlaps_not_touching():
    assert merge_spans([(5, 20), (0, 10), (20, 25), (30, 31)]) == [(0, 20), (20, 25), (30, 31)]


def test_merge_spans_drops_empty():
    assert merge_spans([(3, 3), (1, 2)]) == [(1, 2)]


@pytest.mark.parametrize(
    "pred,gold,p,r",
    [
        # half of each span overlaps: 5/10 both ways
        ([(0, 10)], [(5, 15)], 0.5, 0.5),
        # overlapping gold spans are merged into (0, 20)
        ([(0, 10)], [(0, 10), (5, 20)], 1.0, 0.5),
        # overlapping predicted spans are merged too
        ([(0, 4), (2, 8)], [(0, 8)], 1.0, 1.0),
        # one prediction over two gold spans: P = (5+10)/20, R = (5/5 + 10/10)/2
        ([(0, 20)], [(0, 5), (10, 20)], 0.75, 1.0),
        # disjoint
        ([(0, 5)], [(5, 10)], 0.0, 0.0),
        # nothing predicted
        ([], [(0, 5)], 0.0, 0.0),
    ],
)
def test_si_score_one_article(pred, gold, p, r):
    got = si_score({"1": pred}, {"1": gold})
    assert got.precision == pytest.approx(p)
    assert got.recall == pytest.approx(r)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    assert got.f1 == pytest.approx(f1)


def test_si_score_counts_spans_over_the_split():
    # article a: exact hit; article b: a false positive and no gold
    got = si_score({"a": [(0, 10)], "b": [(0, 10)]}, {"a": [(0, 10)]})
    assert got.precision == pytest.approx(0.5)
    assert got.recall == pytest.approx(1.0)
    assert got.f1 == pytest.approx(2 / 3)
    assert (got.n_pred, got.n_gold) == (2, 1)


def test_si_score_gold_article_without_prediction_lowers_recall():
    got = si_score({"a": [(0, 10)]}, {"a": [(0, 10)], "b": [(3, 9)]})
    assert got.precision == pytest.approx(1.0)
    assert got.recall == pytest.approx(0.5)


def test_tc_score_micro_and_per_technique_with_a_doubly_labelled_span():
    gold = {"a": [(0, 5, "Loaded_Language"), (0, 5, "Name_Calling,Labeling"), (10, 20, "Doubt")]}
    pred = {"a": [(0, 5, "Name_Calling,Labeling"), (0, 5, "Name_Calling,Labeling"), (10, 20, "Doubt")]}
    got = tc_score(pred, gold)
    assert got.micro.precision == pytest.approx(2 / 3)
    assert got.micro.recall == pytest.approx(2 / 3)
    assert got.micro.f1 == pytest.approx(2 / 3)
    nc = got.per_technique["Name_Calling,Labeling"]
    assert (nc.precision, nc.recall) == (pytest.approx(0.5), pytest.approx(1.0))
    assert nc.f1 == pytest.approx(2 / 3)
    ll = got.per_technique["Loaded_Language"]
    assert (ll.precision, ll.recall, ll.f1) == (0.0, 0.0, 0.0)
    assert got.per_technique["Doubt"].f1 == pytest.approx(1.0)


def test_tc_score_needs_the_exact_span():
    got = tc_score({"a": [(0, 6, "Doubt")]}, {"a": [(0, 5, "Doubt")]})
    assert got.micro.f1 == 0.0


def test_tc_score_across_articles():
    gold = {"a": [(0, 5, "Doubt")], "b": [(0, 5, "Slogans"), (7, 9, "Slogans")]}
    pred = {"a": [(0, 5, "Doubt")], "b": [(0, 5, "Slogans"), (7, 9, "Doubt")]}
    got = tc_score(pred, gold)
    assert got.micro.f1 == pytest.approx(2 / 3)
    assert got.per_technique["Slogans"].recall == pytest.approx(0.5)
    assert got.per_technique["Slogans"].precision == pytest.approx(1.0)
    assert got.per_technique["Doubt"].precision == pytest.approx(0.5)
