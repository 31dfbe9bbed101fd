"""analyze() end to end on real text: every span indexes the original characters."""

from __future__ import annotations

import json

import pytest

import slant
from slant.errors import InputError, LimitError
from slant.schema import Analysis, iter_spans

from .conftest import hard_wrap


def test_analysis_spans_are_original_characters(example_text, example_analysis):
    a = example_analysis
    assert a.text_length == len(example_text) and a.id == slant.Document(example_text).id
    assert len(a.sentences) >= 20
    for span in iter_spans(a):
        assert 0 <= span.start <= span.end <= len(example_text)
    # sentences start and end on non-space characters of the original
    for s in a.sentences:
        chunk = example_text[s.start : s.end]
        assert chunk and not chunk[0].isspace() and not chunk[-1].isspace()
    names = {example_text[m.start : m.end] for e in a.entities for m in e.mentions}
    assert {"Abu Baker Almuhajer", "Mosul", "Homs"} <= names


def test_analysis_reports_the_stray_bracket(example_text, example_analysis):
    codes = [(n.code, example_text[n.start : n.end]) for n in example_analysis.notices]
    assert ("W201", "[") in codes


def test_analysis_round_trips_through_json(example_analysis):
    again = Analysis.model_validate_json(example_analysis.model_dump_json())
    assert again == example_analysis


def test_analysis_rejects_spans_past_the_text():
    with pytest.raises(ValueError, match="past the end"):
        Analysis(id="x", text_length=5, sentences=[{"start": 0, "end": 6}])


def test_analysis_empty_text_is_an_input_error():
    with pytest.raises(InputError, match=r"\[E101\]") as info:
        slant.analyze("   \n ")
    assert info.value.code == "E101"  # for callers that branch on it, without parsing the message


def test_analysis_long_text_names_the_option_that_raises_the_limit():
    with pytest.raises(LimitError, match=r"\[E103\].*--max-chars") as info:
        slant.analyze("word " * 300, options=slant.Options(max_chars=1000))
    assert info.value.code == "E103"
    assert InputError("a message without a code").code is None


def test_analysis_batch_keeps_going_after_a_bad_document(example_text):
    docs = [slant.Document(example_text, {"id": "a"}), slant.Document("", {"id": "b"}), slant.Document("Short text here.", {"id": "c"})]
    results = list(slant.analyze_documents(docs))
    assert [r.ok for r in results] == [True, False, True]
    assert [r.document.meta["id"] for r in results] == ["a", "b", "c"]


def test_analysis_unpaired_surrogate_is_an_input_error_that_fails_alone(example_text):
    # json.loads('"\\ud83d"') gives half an emoji: not encodable, and spaCy's string store
    # raised UnicodeEncodeError for the whole nlp.pipe batch
    half = json.loads('"The minister said \\ud83d the plan was a disaster."')
    with pytest.raises(InputError, match=r"\[E112\].*U\+D83D at character 18"):
        slant.analyze(half)
    docs = [slant.Document(t, {"id": i}) for i, t in (("a", example_text), ("b", half), ("c", "Short text here."))]
    results = list(slant.analyze_documents(docs))
    assert [r.ok for r in results] == [True, False, True]
    assert "[E112]" in str(results[1].error)
    # a pair of surrogates is one astral code point in a str: accepted, offsets count it once
    emoji = "The minister said \U0001F600 the plan was a disaster."
    assert slant.analyze(emoji).text_length == len(emoji)


class _FailsOn:
    """A spaCy pipeline stand-in that raises for any text containing ``marker``, in
    ``pipe`` (ending the generator, as spaCy's own minibatching does) and in ``__call__``."""

    def __init__(self, nlp, marker):
        self.nlp, self.marker = nlp, marker

    def pipe(self, texts, batch_size=16):
        texts = list(texts)
        if any(self.marker in t for t in texts):
            raise RuntimeError("parser exploded")
        yield from self.nlp.pipe(texts, batch_size=batch_size)

    def __call__(self, text):
        if self.marker in text:
            raise RuntimeError("parser exploded on " + self.marker)
        return self.nlp(text)


def test_analysis_a_parser_failure_stays_with_its_document():
    from slant.nlp import get_nlp

    texts = ["The mayor said the bridge would reopen in May.", "Police said XYZZY two people were hurt.",
             "Critics called the plan a disaster for the city."]
    docs = [slant.Document(t, {"id": str(i)}) for i, t in enumerate(texts)]
    results = list(slant.analyze_documents(docs, nlp=_FailsOn(get_nlp(), "XYZZY")))
    assert [r.ok for r in results] == [True, False, True]
    assert "parser exploded on XYZZY" in str(results[1].error)
    assert [r.analysis.text_length for r in (results[0], results[2])] == [len(texts[0]), len(texts[2])]


def test_analysis_unicode_and_artifacts_keep_offsets():
    text = "Le  ministre\u00a0a dit : « Nous gagnerons ».\r\nDer   Minister sagte: „Wir siegen“ — jetzt.\u200b"
    a = slant.analyze(text)
    for span in iter_spans(a):
        assert 0 <= span.start <= span.end <= len(text)
    assert a.sentences and text[a.sentences[0].start] == "L"


def test_a_hard_wrapped_article_is_read_as_the_unwrapped_one(example_text, example_analysis):
    """The example wrapped at 72 columns (spaces turned into line ends: same offsets) gets the same
    quotations, technique spans, claims and credibility. Before line ends inside a paragraph were
    read as spaces it lost a quotation and 11 technique spans, and credibility moved 0.73 -> 0.87."""
    wrapped = hard_wrap(example_text)
    assert wrapped.count("\n") > example_text.count("\n") + 30
    a = slant.analyze(wrapped)

    def findings(x):
        return ([(q.start, q.end, q.speaker and q.speaker.name) for q in x.quotations],
                [(t.start, t.end, t.technique, t.voice) for t in x.techniques],
                [(c.start, c.end, c.voice) for c in x.claims], x.credibility.score)

    assert findings(a) == findings(example_analysis)


def test_exported_members():
    assert sorted(slant.__all__) == sorted(
        ["SCHEMA_VERSION", "Analysis", "Document", "InputError", "LimitError", "MissingExtraError",
         "ModelNotFoundError", "Options", "Result", "SlantError", "Span", "__version__", "analyze",
         "analyze_documents", "load_options"]
    )
    for name in slant.__all__:
        assert hasattr(slant, name)


def test_span_rejects_bad_offsets():
    with pytest.raises(ValueError):
        slant.Span(5, 2)
    doc = slant.Document("abc")
    with pytest.raises(ValueError, match="outside the text"):
        doc.span(1, 4)


def test_analysis_vocab_does_not_grow_with_new_words(example_text):
    """After the warm-up batches, each batch runs in a spaCy memory zone: words never seen
    before do not stay in the shared StringStore, so a long run's memory stays flat."""
    from slant.analysis import ZONE_WARMUP_BATCHES, analyze_documents
    from slant.document import Document
    from slant.nlp import get_nlp
    from slant.options import Options

    nlp = get_nlp()
    options = Options(stages=("sentences", "entities", "attribution"), batch_size=2)
    warm = [Document(example_text)] * (2 * ZONE_WARMUP_BATCHES)
    assert all(r.error is None for r in analyze_documents(warm, options=options, nlp=nlp))
    before = len(nlp.vocab.strings)
    novel = [Document(f"Zorblatt{i} Quenvik{i} told reporters that Vexmoor{i} will rise. "
                      f"\u201cWe will win,\u201d said Zorblatt{i}.") for i in range(6)]
    results = list(analyze_documents(novel, options=options, nlp=nlp))
    assert all(r.error is None for r in results)
    assert any(q.speaker for r in results for q in r.analysis.quotations)  # the analysis itself still works
    assert "Quenvik3" not in nlp.vocab.strings
    assert len(nlp.vocab.strings) == before


def test_doc_text_equals_spacy_text_and_is_joined_once(nlp, example_text):
    from slant.nlp import doc_text

    doc = nlp(example_text)
    assert doc_text(doc) == doc.text == example_text
    assert doc_text(doc) is doc_text(doc)  # kept, not rebuilt from the tokens


def test_readme_json_excerpt_is_the_examples_output(example_analysis):
    # the README shows real output of the example; it went stale once when techniques-v2 landed
    import re

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r'"techniques": \[\{"start": (\d+), "end": (\d+), "technique": "([^"]+)",\s*"score": ([\d.]+), '
                  r'"voice": "(\w+)", "kind": "(\w+)"\}', readme)
    assert m, "README excerpt of techniques not found"
    start, end, technique, score, voice, kind = int(m[1]), int(m[2]), m[3], float(m[4]), m[5], m[6]
    (t,) = [t for t in example_analysis.techniques if (t.start, t.end) == (start, end)]
    assert (t.technique, t.score, t.voice, t.kind) == (technique, score, voice, kind)
    outlet = re.search(r'"voices": \[\{"id": "outlet", "share": [\d.]+, "techniques": (\{[^}]*\})', readme)
    assert outlet, "README excerpt of the outlet's voice not found"
    assert json.loads(outlet[1]) == next(v for v in example_analysis.voices if v.id == "outlet").techniques
    counts = re.search(r'"name": "Abu Baker Almuhajer", "share": [\d.]+,\s*"techniques": \{"Loaded_Language": (\d+), '
                       r'"Name_Calling,Labeling": (\d+)', readme)
    assert counts, "README excerpt of the speaker's voice not found"
    voice = next(v for v in example_analysis.voices if v.id == "e4")
    assert (voice.techniques["Loaded_Language"], voice.techniques["Name_Calling,Labeling"]) == (int(counts[1]), int(counts[2]))


def test_analyze_from_several_threads_matches_one_thread(shared_data):
    # each analysis's spaCy memory zone evicts the strings of the shared Vocab when it ends:
    # without slant.nlp.PIPELINE_LOCK, threads failed with E018 or wrong strings
    from concurrent.futures import ThreadPoolExecutor

    import slant

    paths = sorted((shared_data / "ptc" / "dev" / "articles").glob("*.txt"))[:6]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    options = slant.Options(stages=["sentences", "entities", "attribution"])
    alone = [slant.analyze(t, options=options).model_dump_json() for t in texts]
    with ThreadPoolExecutor(3) as pool:
        together = list(pool.map(lambda t: slant.analyze(t, options=options).model_dump_json(), texts * 3))
    assert together == alone * 3
