"""Language identification: English-only models say so on other languages (W101, W602)."""

from __future__ import annotations

import pytest

from slant.language import MIN_CHARS, identify, not_english

GERMAN = (
    "Die Bundesregierung hat am Dienstag beschlossen, die Steuern im kommenden Jahr deutlich zu senken. "
    "Ein Sprecher des Finanzministeriums sagte in Berlin, die Entlastung solle vor allem Familien mit Kindern "
    "zugutekommen. Die Opposition kritisierte den Plan als unfinanzierbar und warf der Regierung vor, die "
    "Schuldenbremse zu umgehen. Ökonomen erwarten für das kommende Jahr ein schwaches Wachstum von knapp einem Prozent."
)
CHINESE = (
    "国务院新闻办公室周二在北京举行发布会，介绍今年前三个季度的经济运行情况。发言人表示，国内生产总值同比增长百分之五，"
    "消费和投资保持稳定，对外贸易好于预期。他说，下一阶段将继续扩大内需，支持中小企业发展，稳定就业，并加强对重点地区的"
    "金融支持。一些经济学家认为，房地产市场仍然是主要风险，地方政府的债务压力也需要关注。市场分析人士预计，央行可能在年底前"
    "再次降低存款准备金率，以保持流动性合理充裕。有关部门还表示，将在明年推出更多措施。"
)


def test_other_languages_are_named_and_english_is_not_reported(shared_data):
    de = not_english(GERMAN)
    assert de is not None and (de.code, de.name) == ("de", "German") and de.probability > 0.9 and de.english < 0.05
    zh = not_english(CHINESE)
    assert zh is not None and zh.code == "zh" and zh.name == "Chinese"
    # every PTC dev article is English (real scraped news, with its runs of spaces and brackets)
    articles = sorted((shared_data / "ptc" / "dev" / "articles").glob("*.txt"))
    assert len(articles) == 75
    for path in articles:
        assert not_english(path.read_text(encoding="utf-8")) is None, path.name
    # a headline in capitals reads as Pidgin or Catalan to the identifier: too short to judge
    shout = "BREAKING NEWS: Arrest Made In DEATH Of Charlotte Protester – DETAILS [VIDEO]"
    assert identify(shout).english < 0.5 and not_english(shout) is None
    assert not_english(GERMAN[:MIN_CHARS // 2]) is None


def test_analysis_of_german_text_warns_and_declines_the_english_judgments():
    """A 60-word German article scored 0.78 "reliable" with no word of warning, and the English
    techniques model marked its article "Die" as Loaded_Language (testers' findings): techniques,
    claims and credibility are declined, each with its notice; entities and quotations still run."""
    import slant

    a = slant.analyze(GERMAN)
    codes = [n.code for n in a.notices]
    assert codes[:1] == ["W101"] and {"W402", "W502", "W602"} <= set(codes)
    assert "German" in a.notices[0].message and "not computed" in a.notices[0].message
    assert a.credibility is None and a.techniques == [] and a.claims == [] and a.propaganda is None
    assert a.sentences and a.entities  # the language-neutral stages still ran
    with_encoder = slant.analyze(GERMAN, options=slant.Options().replace(technique_encoder=True))
    assert with_encoder.techniques == [] and "W402" in {n.code for n in with_encoder.notices}
    from slant.render import missing_credibility

    assert missing_credibility(a) == ("No credibility score: not English (W602) — the text reads as German; the model "
                                      "was trained on English news.")
    english = slant.analyze("Senators voted 52 to 48 on Tuesday to confirm the nominee, the Senate clerk said. " * 8)
    assert not {"W101", "W402", "W502", "W602"} & {n.code for n in english.notices}
    assert english.credibility is not None and english.claims and english.propaganda is not None


def test_english_articles_pass_the_screen_without_loading_the_identifier(shared_data, monkeypatch):
    """The identifier's model costs ~75 MB a worker; English news never needs it."""
    import slant.language as language

    def fail(text):
        raise AssertionError("the identifier was asked about an English article")

    monkeypatch.setattr(language, "identify", fail)
    for path in sorted((shared_data / "ptc" / "dev" / "articles").glob("*.txt"))[:20]:
        assert language.not_english(path.read_text(encoding="utf-8")) is None
    assert language.english_share(GERMAN)[0] < 0.1 < 0.2 < language.english_share(
        (shared_data / "ptc" / "dev" / "articles").glob("*.txt").__next__().read_text(encoding="utf-8"))[0]


@pytest.mark.parametrize("text", ["", "   ", "OK", "\U0001f600" * 300, "1234 5678 " * 50])
def test_no_language_is_claimed_for_text_without_words(text):
    assert not_english(text) is None


def test_short_chinese_japanese_and_korean_paragraphs_are_judged():
    """Three sentences of Chinese, Japanese or Korean are 60-130 characters: under the 150 a
    Latin-script text needs, so they went unflagged (tester's finding). A Han, kana or Hangul
    character now counts three."""
    paragraphs = {
        "zh": "国务院新闻办公室周二在北京举行发布会，介绍今年前三个季度的经济运行情况。发言人表示，国内生产总值同比增长百分之五。",
        "ja": "政府は火曜日、来年度の税制改正案を閣議決定した。所得税の減税は子育て世帯を中心に行われる。野党は財源が不明確だと批判している。",
        "ko": "정부는 화요일 내년도 세제 개편안을 발표했다. 소득세 감면은 자녀가 있는 가구를 중심으로 이뤄진다. 야당은 재원이 불분명하다고 비판했다.",
    }
    for code, text in paragraphs.items():
        assert len(text) < MIN_CHARS
        found = not_english(text)
        assert found is not None and found.code == code, (code, found)
    assert not_english("北京") is None  # two characters: nothing to judge


def test_views_put_the_language_warning_under_their_header():
    """W101 qualifies every finding, so the terminal view and the HTML report show it under the
    header (it was last in the notices, after every table)."""
    import slant
    from slant.render.html import render_html
    from slant.render.terminal import render
    from rich.console import Console

    a = slant.analyze(GERMAN)
    console = Console(width=120, record=True)
    console.print(render(a, GERMAN))
    lines = console.export_text().splitlines()
    header = next(i for i, line in enumerate(lines) if "sentences · " in line)
    assert lines[header + 1].startswith("Not English: the text reads as German (de,")
    page = render_html(a, GERMAN)
    head = page[page.index("<header>"):page.index("</header>")]
    assert '<p class="warning" role="note">Not English: the text reads as German' in head
    text = "Senators voted 52 to 48 on Tuesday to confirm the nominee, the Senate clerk said. " * 8
    assert 'class="warning"' not in render_html(slant.analyze(text), text)
