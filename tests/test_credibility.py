"""Credibility: shortcut stripping, style features, the shipped model, its evidence, the metrics."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from slant.credibility import (
    STYLE_FEATURES,
    article_features,
    label_of,
    load_model,
    strip_shortcuts,
)

BODY = (
    "Senators voted 52 to 48 on Tuesday to confirm the nominee, the Senate clerk said. "
    "“This is a good day for the country,” the majority leader told reporters after the vote. "
    "The nominee, a former federal judge, will take office next month, according to the White House.\n"
    "Critics said the process was rushed. The committee held two days of hearings in March."
)
SHOUTY = (
    "SHOCKING: Crooked Senate Traitors SELL OUT America!!\n\n"
    "You won't believe what these disgusting liars did now! They rammed through their corrupt puppet "
    "and you will pay for it. This is an absolute disgrace and a total betrayal of every patriot! "
    "Share this before they delete it! The evil swamp wants you silent!!"
)


@pytest.fixture(scope="module")
def model():
    return load_model()


# ---------------------------------------------------------------- shortcuts


@pytest.mark.parametrize(
    "text,gone",
    [
        ("WASHINGTON (Reuters) - The U.S. Senate voted on Tuesday.", "(Reuters)"),
        ("(Reuters) - Atlantic City’s mayor said on Tuesday.", "Reuters"),
        ("Orlando, Florida (CNN)Hillary Clinton faces off against Donald Trump.", "CNN"),
        ("RICHMOND — The FBI and local police are investigating.", "RICHMOND"),
        ("The end of the story.\nFeatured image via Chip Somodevilla/Getty Images", "Getty"),
        ("Read the rest at http://example.com/story and follow @someone.", "example.com"),
        ("Story text.\nBy Jane Smith\nMore text.", "Jane Smith"),
        ("11/19/16, 3:14 PM CET BY Chris Spillane The European Union said.", "Spillane"),
        ("According to a POLITICO review of campaign spending, Clinton spent more.", "POLITICO"),
        # sign-offs and house notices (v2)
        ("The vote is on Friday. ABC News' Jane Smith and John Roe contributed to this report.", "John Roe"),
        ("The vote is on Friday.\nJane Smith, Ann Lee and John Roe contributed reporting.", "Ann Lee"),
        ("The vote is on Friday. (Reporting by Susan Cornwell; Editing by Kevin Drawbaugh)", "Cornwell"),
        ("The vote is on Friday. (Additional reporting by Chris Kahn; Writing by Doina Chiacu)", "Kahn"),
        ("Markets rose. This article was funded in part by SAP. It was independently created by the "
         "editorial staff. SAP had no editorial involvement in its creation or production.", "SAP"),
        ("Markets rose. SAP is the sponsor of this content. It was independently created by the editorial "
         "staff. SAP had no role in this coverage.", "sponsor"),
        ("The following statements were posted to the verified Twitter accounts of the President. The "
         "opinions expressed are his own. The agency has not edited the statements or confirmed their "
         "accuracy.", "opinions expressed"),
        ("The end of the story.\nSUBSCRIBE & BECOME A MEMBER @ 21WIRE.TV", "BECOME A MEMBER"),
        ("The end of the story.\nREAD MORE ELECTION NEWS AT: 21st Century Wire 2016 Files", "ELECTION NEWS"),
        ("The end of the story. SUPPORT OUR WORK BY SUBSCRIBING & BECOMING A MEMBER", "SUPPORT OUR WORK"),
        ("Watch the video at bit.ly/2fXyZ1 before it is gone.", "bit.ly"),
    ],
)
def test_credibility_strip_shortcuts_blanks_them_in_place(text, gone):
    stripped, spans = strip_shortcuts(text)
    assert len(stripped) == len(text)
    assert gone not in stripped
    assert spans
    # only blanked characters differ; the rest stays where it was
    assert all(a == b or b == " " for a, b in zip(text, stripped))


def test_credibility_strip_shortcuts_sign_off_keeps_the_sentence_before():
    text = "Trump said little of Clinton. CNN's Dana Bash contributed to this report."
    stripped, _ = strip_shortcuts(text)
    assert "Dana Bash" not in stripped
    assert stripped.startswith("Trump said little of Clinton. ")


def test_credibility_strip_shortcuts_keeps_ordinary_prose():
    text = "The Senate voted on Tuesday. Critics said the process was rushed."
    assert strip_shortcuts(text)[0] == text


def test_credibility_model_text_blanks_apostrophes_and_quotes_in_place():
    from slant.credibility import model_text

    text = "“It’s over,” she said. Don't \"panic\" about the 'plan'."
    canon = model_text(text)
    assert len(canon) == len(text)
    assert canon == " It s over,  she said. Don t  panic  about the  plan ."
    # the text damaged by ISOT's scrape reads the same as the intact one
    assert model_text("Clinton’s plan") == model_text("Clinton s plan")


def test_credibility_isot_true_rows_lose_their_reuters_dateline(shared_data):
    from slant.normalize import normalize

    csv.field_size_limit(10**9)
    with open(shared_data / "news" / "isot_sample5pct.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["label_binary"] == "0"]
    assert len(rows) > 500
    with_dateline = sum("(Reuters)" in r["text"] for r in rows)
    assert with_dateline > 0.9 * len(rows)
    for r in rows:
        stripped, _ = strip_shortcuts(normalize(f"{r['title']}\n\n{r['text']}").text)
        assert "(Reuters)" not in stripped
        assert "Reuters" not in stripped


def test_credibility_score_does_not_move_with_a_dateline(model):
    plain = article_features(BODY)
    # lower-case and title-case datelines since a tester's finding (+0.04 / +0.05, the evidence citing 'D.C.')
    for dateline in ("WASHINGTON (Reuters) - ", "(Reuters) - ", "Washington (CNN)", "WASHINGTON — ",
                     "washington (reuters) - ", "Washington, D.C. — ", "Berlin - "):
        with_it = article_features(dateline + BODY)
        assert with_it.vector().tolist() == pytest.approx(plain.vector().tolist(), nan_ok=True)
        assert model.score([with_it])[0] == pytest.approx(model.score([plain])[0], abs=1e-9)


# ---------------------------------------------------------------- features


def test_credibility_features_are_checkable_against_the_text():
    f = article_features(SHOUTY)
    assert set(f.values) == set(STYLE_FEATURES)
    assert f.values["exclamations"] > 3
    assert all(SHOUTY[s:e].startswith("!") for s, e in f.spans["exclamations"])
    assert {SHOUTY[s:e] for s, e in f.spans["caps_words"]} >= {"SHOCKING", "SELL"}
    assert f.values["headline_caps"] > 0.3 and f.values["headline_marks"] >= 1
    assert f.spans["headline_caps"] == [(0, SHOUTY.index("\n"))]
    assert {SHOUTY[s:e].lower() for s, e in f.spans["loaded_narration"]} & {"disgusting", "disgrace", "evil", "corrupt"}
    assert all(SHOUTY[s:e].lower() in ("you", "your") for s, e in f.spans["second_person"])


def test_credibility_quotation_and_attribution_features():
    f = article_features(BODY)
    (q0, q1), *_ = f.spans["quotation_share"]
    assert BODY[q0:q1].startswith("“This is a good day")
    assert 0 < f.values["quotation_share"] < 0.3
    assert {BODY[s:e] for s, e in f.spans["attribution_cues"]} >= {"said", "told", "according to"}
    # "The committee held two days of hearings in March." has no number; "52 to 48" is sourced
    assert f.values["unsourced_numbers"] == 0.0
    assert f.values["exclamations"] == 0.0


def test_credibility_loaded_words_inside_quotations_are_not_narration():
    quoted = article_features("The minister said: “These are disgusting lies and a disgrace.” The vote is on Monday.")
    narrated = article_features("These are disgusting lies and a disgrace, the minister said. The vote is on Monday.")
    assert quoted.values["loaded_narration"] == 0.0
    assert narrated.values["loaded_narration"] > 0


def test_credibility_loaded_sentences_and_word_length():
    quoted = article_features("The minister said: “These are disgusting lies and a disgrace.” The vote is on Monday.")
    narrated = article_features("These are disgusting lies and a disgrace, the minister said. The vote is on Monday.")
    assert quoted.values["loaded_sentences"] == 0.0 and quoted.spans["loaded_sentences"] == []
    assert narrated.values["loaded_sentences"] == 0.5
    assert [narrated.text[s:e] for s, e in narrated.spans["loaded_sentences"]] == [
        "These are disgusting lies and a disgrace, the minister said."]
    assert article_features("Cats eat fish. Dogs bark loudly.").values["word_length"] == pytest.approx(25 / 6)


def test_credibility_sentences_are_not_cut_at_decimals_or_abbreviations():
    # the evidence spans of unsourced_numbers are sentences a reader checks: "$5.2 million",
    # "U.S." and "a.m." used to cut them ("Bail has been set at $5." / "2 million.")
    text = ("Bail has been set at $5.2 million.  He is a naturalized U.S. citizen who came to the U.S. in 2010.\n"
            "It happened at about 10:30 a.m. on Monday! Officials counted 12 cars?\nA headline with 3 words\n")
    f = article_features(text)
    assert [text[s:e] for s, e in f.spans["unsourced_numbers"]] == [
        "Bail has been set at $5.2 million.",
        "He is a naturalized U.S. citizen who came to the U.S. in 2010.",
        "It happened at about 10:30 a.m. on Monday!",
        "Officials counted 12 cars?",
        "A headline with 3 words",
    ]
    assert f.values["unsourced_numbers"] == 1.0


# ---------------------------------------------------------------- model and evidence


def test_credibility_model_prefers_sober_reporting(model):
    sober, shouty = model.score([article_features(BODY), article_features(SHOUTY)])
    assert sober > shouty
    assert shouty < 0.5


def test_credibility_effects_add_up_to_the_score(model):
    feats = article_features(SHOUTY)
    p, evidence = model.explain(feats)
    a, b = model.platt
    baseline = a * (model.intercept + model.word_mean + model.char_mean) + b
    total = baseline + sum(ev.effect for ev in evidence)
    assert math.log(p / (1 - p)) == pytest.approx(total, abs=0.02)


def test_the_output_carries_the_baseline_the_effects_add_to(example_text, example_analysis):
    """A reader could not check "baseline + effects = log-odds" without reading the model file
    (tester's finding): the baseline is in the output, and the views show the sum."""
    from rich.console import Console

    from slant.render.html import render_html
    from slant.render.terminal import render

    cred = example_analysis.credibility
    assert cred.baseline is not None
    total = cred.baseline + sum(ev.effect for ev in cred.evidence)
    assert math.log(cred.score / (1 - cred.score)) == pytest.approx(total, abs=0.02)
    assert cred.log_odds == pytest.approx(total, abs=0.02)
    console = Console(width=200, record=True)
    console.print(render(example_analysis, example_text))
    line = f"Log-odds: baseline {cred.baseline:+.2f} (the average training article) + effects"
    assert line in console.export_text()
    assert line in render_html(example_analysis, example_text)


def test_log_odds_add_up_where_the_rounded_score_cannot_show_them(shared_data):
    """At a score of 0.0001 the 4-decimal score hides the log-odds (-9.79 read as -9.21 on ISOT row
    isot-fake-0554; tester's finding): ``log_odds`` carries them, and baseline + effects equal it."""
    import pandas as pd

    import slant

    rows = pd.read_csv(shared_data / "news" / "isot_sample5pct.csv", keep_default_na=False, dtype=str)
    row = rows[rows["id"] == "isot-fake-0554"].iloc[0]
    cred = slant.analyze(row["text"], meta={"title": row["title"]}).credibility
    assert cred is not None and cred.score < 0.01
    total = cred.baseline + sum(ev.effect for ev in cred.evidence)
    assert cred.log_odds == pytest.approx(total, abs=0.05)
    assert cred.log_odds < math.log(0.01 / 0.99)


def test_credibility_label_thresholds():
    assert label_of(0.9) == "reliable" and label_of(0.1) == "unreliable" and label_of(0.5) == "uncertain"


def test_credibility_stage_on_example(example_text, example_analysis):
    cred = example_analysis.credibility
    assert cred is not None
    assert 0 <= cred.score <= 1
    assert cred.label == label_of(cred.score)
    with_spans = [ev for ev in cred.evidence if ev.spans and ev.effect != 0]
    assert len(with_spans) >= 3, [ev.feature for ev in cred.evidence]
    for ev in cred.evidence:
        for s in ev.spans:
            assert 0 <= s.start < s.end <= len(example_text)
    effects = [abs(ev.effect) for ev in cred.evidence if ev.effect != 0]
    assert effects == sorted(effects, reverse=True)
    wording = next(ev for ev in cred.evidence if ev.feature == "wording")
    assert wording.spans and all(example_text[s.start:s.end].strip() for s in wording.spans)


def test_credibility_stage_maps_spans_through_normalisation():
    import slant

    text = "Senators  voted   today.\n\n" + SHOUTY.replace("!!", " !!")
    a = slant.analyze(text, options=slant.Options(stages=("sentences", "credibility")))
    ev = next(e for e in a.credibility.evidence if e.feature == "exclamations")
    assert ev.spans and all(text[s.start:s.end].startswith("!") for s in ev.spans)


# ---------------------------------------------------------------- metrics and training procedure


def test_credibility_metrics_hand_computed():
    from slant.commands.credibility import metrics

    y = np.array([1, 0, 1, 0])
    p = np.array([0.9, 0.1, 0.6, 0.8])
    m = metrics(y, p)
    assert m["accuracy"] == 0.75
    assert m["brier"] == pytest.approx((0.01 + 0.01 + 0.16 + 0.64) / 4, abs=1e-4)
    # bins: 0.1 -> [0.1,0.2) mean p .1 y 0; 0.6 -> p .6 y 1; 0.8 -> p .8 y 0; 0.9 -> p .9 y 1
    assert m["ece"] == pytest.approx((0.1 + 0.4 + 0.8 + 0.1) / 4, abs=1e-4)


@pytest.mark.slow
def test_credibility_training_procedure_beats_chance_on_unseen_groups(shared_data):
    from slant.commands.claims import _bucket
    from slant.commands.credibility import fit_model, metrics, predict, read_news

    df = read_news(shared_data / "news", files=("horne2017", "fakenewsnet_v1"), log=lambda m: None)
    test = df["dup_group"].map(lambda g: _bucket(g, 4) == 0).to_numpy()
    model = fit_model(df[~test].reset_index(drop=True))
    m = metrics(df["y"][test], predict(model, df[test].reset_index(drop=True)))
    assert m["accuracy"] > 0.6


def test_credibility_short_text_is_not_scored_but_noticed():
    import slant

    a = slant.analyze("Hi there! Short note.", options=slant.Options(stages=("sentences", "credibility")))
    assert a.credibility is None
    assert any(n.code == "W601" for n in a.notices)


def test_credibility_views_say_why_a_short_text_has_no_score():
    # before: the HTML said "the credibility stage has not run" although it ran and declined
    # (W601), and the terminal view said nothing
    import io

    from rich.console import Console

    import slant
    from slant.render.html import render_html
    from slant.render.terminal import render

    text = "The mayor said on Tuesday that the new bridge will open in May, two months late."
    declined = slant.analyze(text)  # every stage, credibility included
    assert declined.credibility is None and [n.code for n in declined.notices] == ["W601"]
    not_run = slant.analyze(text, options=slant.Options(stages=("sentences",)))
    assert not_run.credibility is None and not not_run.notices

    def terminal(analysis):
        out = io.StringIO()
        Console(file=out, width=300).print(render(analysis, text))
        return out.getvalue()

    for view in (render_html, lambda a, t: terminal(a)):
        said = view(declined, text)
        assert "No credibility score: text too short to score (W601)" in said
        assert "the model needs at least 50" in said and "credibility stage has not run" not in said
        assert "No credibility score (the credibility stage has not run)" in view(not_run, text)
    scored = slant.analyze(text * 6)
    assert scored.credibility is not None and "No credibility score" not in terminal(scored)


def test_credibility_char_row_from_words_equals_the_vectorizer(model, example_text):
    """explain() counts the char block from each distinct word's n-grams; it must be the
    row the char HashingVectorizer gives (what training and score() use), and explain's
    probability must equal score()'s."""
    from slant.credibility import _CharColumns, make_vectorizers, model_text

    for text in (example_text, SHOUTY, BODY + " don't  “stop”\tnow\u00a0ok"):
        canon = model_text(text)
        want = make_vectorizers(model.n_features)[1].transform([canon]).tocsr()
        want.sort_indices()
        got = _CharColumns.of(canon, model.n_features).row(model.n_features)
        assert got.shape == want.shape and (got != want).nnz == 0
        feats = article_features(text)
        assert model.explain(feats)[0] == pytest.approx(float(model.score([feats])[0]), abs=1e-9)


def test_credibility_batched_hashing_equals_one_ngram_at_a_time(example_text):
    """_columns hashes many n-grams in one FeatureHasher call; each column must be the
    HashingVectorizer's abs(murmurhash3) % n of that n-gram, for any text,
    and the word cache must give the same columns whether it is warm, cold or full."""
    from sklearn.utils import murmurhash3_32

    import slant.credibility as cred

    def column(gram, n):  # the HashingVectorizer's definition, one n-gram at a time
        return abs(murmurhash3_32(gram, seed=0)) % n

    grams = example_text.split()[:400] + ["naïve", "Über", "Кремль", "北京", "🙂🙂", "a b c", " x ", "ab"]
    for n in (2**18, 1000):
        assert cred._columns(grams, n) == [column(g, n) for g in grams]
    assert cred._columns([], 2**18) == []
    words = list(dict.fromkeys(grams))
    want = {w: tuple(column(g, 2**18) for g in cred._char_wb_grams(f" {w} ")) for w in words}
    cred._WORD_COLUMNS.clear()
    assert cred._word_columns(words, 2**18) == want  # cold
    assert list(cred._word_columns(words[::-1], 2**18)) == words[::-1]  # warm, in the order asked
    old = cred.WORD_CACHE_SIZE
    try:
        cred.WORD_CACHE_SIZE = 60  # full: emptied before the next misses are added
        cred._WORD_COLUMNS.clear()
        first, second = words[:50], words[50:100]
        assert cred._word_columns(first, 2**18) == {w: want[w] for w in first}
        assert cred._word_columns(second, 2**18) == {w: want[w] for w in second}
        assert set(cred._WORD_COLUMNS[2**18]) == set(second)
    finally:
        cred.WORD_CACHE_SIZE = old


def test_a_corpus_rows_title_heads_the_text_the_model_reads(shared_data, tmp_path):
    """Training read every corpus row as "title\\n\\ntext"; `slant analyze rows.csv` kept the title
    in meta only, so an all-caps ISOT headline scored as no headline (headline_caps 0, effect
    +0.29; score 0.0118 instead of 0.0013). The title now heads the text the model reads, and
    no evidence span points into it (it is not part of the text given)."""
    from slant.credibility import with_title
    from slant.ingest import iter_documents

    rows = {r["id"]: r for r in csv.DictReader(open(shared_data / "news" / "isot_sample5pct.csv", encoding="utf-8"))}
    row = rows["isot-fake-0076"]
    assert row["title"].isupper() or sum(w.isupper() for w in row["title"].split()) >= 3
    corpus = tmp_path / "one.csv"
    with open(corpus, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["id", "title", "text"])
        w.writeheader()
        w.writerow({"id": row["id"], "title": row["title"], "text": row["text"]})
    import slant

    (doc,) = list(iter_documents(corpus))
    assert doc.meta["title"] == row["title"] and not doc.text.startswith(row["title"][:20])
    apart = slant.analyze(doc).credibility
    joined = slant.analyze(row["title"] + "\n\n" + row["text"]).credibility
    assert apart.score == joined.score
    head = {e.feature: e for e in apart.evidence}["headline_caps"]
    assert head.value > 0.3 and head.effect < 0 and head.spans == []
    for ev in apart.evidence:
        for s in ev.spans:
            assert 0 <= s.start < s.end <= len(doc.text)
    # a text that already starts with its title is read as it is
    assert with_title("Big news today\n\nThe body.", "Big  news today") == ("Big news today\n\nThe body.", 0)
    assert with_title("The body.", "Big news") == ("Big news\n\nThe body.", 10)
    assert with_title("The body.", None) == ("The body.", 0) == with_title("The body.", "  ")


def test_evidence_says_how_many_spans_lie_behind_it_and_names_every_span_it_lists(example_text, example_analysis):
    """A tester could not check a rate once its spans passed the cap of 8, found
    'letter_case_and_spelling' naming 6 words for 8 spans, and saw headline effects with no headline."""
    evidence = {ev.feature: ev for ev in example_analysis.credibility.evidence}
    for ev in evidence.values():
        assert ev.n_spans is not None and ev.n_spans >= len(ev.spans), ev
        assert len(ev.spans) == min(ev.n_spans, 8), ev
    assert evidence["attribution_cues"].n_spans > len(evidence["attribution_cues"].spans)  # 12 cues, 8 shown
    spelling = evidence["letter_case_and_spelling"]
    named = spelling.description.split(": ", 1)[1]
    # each word once, with how many of the spans show it: "'—' x4 (+0.17 each), 'Raqqa' (+0.17)"
    import re
    from collections import Counter

    listed = {w: int(n or 1) for w, n in re.findall(r"'([^']+)'(?: x(\d+))? \(", named)}
    assert listed == dict(Counter(example_text[s.start:s.end] for s in spelling.spans))
    # the example opens with a sentence, not a headline
    assert not evidence["headline_caps"].spans and "no headline" in evidence["headline_caps"].description


def test_evidence_quotes_the_original_text_and_lists_at_most_eight_spans():
    """Second break-test: 'wording' listed 9-10 spans in 29 PTC dev articles, and the spelling
    evidence named 'wife—the' (the normalised dash) for a span showing 'wife--the'."""
    import slant

    text = ("The senator's wife--the former judge--said on Monday that the plan would cost $4 billion and that the "
            "city would lose 2,000 jobs by 2020. ") * 3
    evidence = {ev.feature: ev for ev in slant.analyze(text).credibility.evidence}
    assert all(len(ev.spans) <= 8 and ev.n_spans >= len(ev.spans) for ev in evidence.values())
    assert evidence["wording"].n_spans > len(evidence["wording"].spans) == 8
    spelling = evidence["letter_case_and_spelling"]
    named = spelling.description.split(": ", 1)[1]
    assert all(f"'{text[s.start:s.end]}'" in named for s in spelling.spans)
    assert "—" not in named


def test_without_a_headline_its_features_are_not_scored(model):
    """A tester's finding: an article pasted without its headline read "no headline ... value is 0"
    and earned +0.29 for it (an all-lower-case headline's value), so deleting a headline raised
    the score. Undefined features are read as the training mean: effect 0."""
    body = BODY.split("\n", 1)[-1] if "\n" in BODY else BODY
    f = article_features(body)
    assert f.undefined == {"headline_caps", "headline_marks"}
    _, evidence = model.explain(f)
    head = {e.feature: e for e in evidence if e.feature in ("headline_caps", "headline_marks")}
    assert all(e.effect == 0 and "not scored" in e.description for e in head.values())
    assert 0.0 < model.score([f])[0] < 1.0  # NaN never reaches the score


@pytest.mark.parametrize("first", ["WASHINGTON —\n", "LONDON\n", "EXCLUSIVE\n", "FILE PHOTO\n", "By JOHN SMITH, AP\n"])
def test_a_dateline_or_label_on_the_first_line_is_no_all_caps_headline(model, first):
    """A tester's finding: such a line read as an all-caps headline moved a score from 0.69 to 0.11."""
    body = "Senate Votes To Confirm Nominee After Long Fight\n" + BODY
    plain = model.score([article_features(body.split("\n", 1)[1])])[0]
    with_it = model.score([article_features(first + body.split("\n", 1)[1])])[0]
    assert abs(with_it - plain) < 0.05
    assert article_features(first + BODY).values["headline_caps"] == 0.0
