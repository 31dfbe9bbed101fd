"""A blank line ends a sentence (slant.paragraphs), before the parser decides the rest."""

from __future__ import annotations

import slant
from slant.paragraphs import PIPE_NAME


def test_the_component_runs_before_the_parser(nlp):
    names = nlp.pipe_names
    assert names.index(PIPE_NAME) < names.index("parser")


def test_a_headline_without_punctuation_is_its_own_sentence(nlp):
    for sep in ("\n\n", "\r\n\r\n", "\n \n", "\n\n\n"):
        text = f"Police had previously gone to home where Ohio patrol officers were killed{sep}CLEVELAND - Police had gone there before."
        sents = [s.text.strip() for s in nlp(text).sents]
        assert sents[0] == "Police had previously gone to home where Ohio patrol officers were killed", (sep, sents)
        assert sents[-1].endswith("there before.")


def test_a_single_line_break_is_left_to_the_parser(nlp):
    # hard-wrapped text breaks lines inside sentences: one sentence, not two
    doc = nlp("The senator said on Monday that the\nbill would pass before the summer recess.")
    assert len(list(doc.sents)) == 1


def test_ptc_headlines_are_not_merged_into_the_first_sentence(shared_data):
    from slant.techniques.data import load_split

    checked = merged = 0
    for a in load_split(shared_data / "ptc" / "dev")[:12]:
        title = a.text.split("\n", 1)[0]
        if not title.strip() or not a.text[len(title):].startswith("\n\n"):
            continue  # no blank line after the first line
        first = slant.analyze(a.text, options=slant.Options(stages=["sentences"])).sentences[0]
        checked += 1
        merged += first.end > len(title)  # the parser may still split inside a headline
    assert checked >= 8 and merged == 0  # before: 10 of 12 merged
