"""The web page in real headless Chromium (Debian's package, driven by Playwright; no browser download)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from slant.server import ServerThread, create_app

from .conftest import EXAMPLE_000, ROOT
from .test_server import OPTIONS

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("SLANT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage"]
ARTIFACTS = ROOT / ".ci" / "artifacts"


def _need_browser():
    in_ci = bool(os.environ.get("CI"))
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        if in_ci:
            pytest.fail("playwright is not installed in CI: pip install -e '.[test]'")
        pytest.skip("needs the playwright Python package (pip install -e '.[test]')")
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        if in_ci:
            pytest.fail(f"no Chromium at {CHROMIUM} in CI: run .ci/setup-chromium.sh")
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (bash .ci/setup-chromium.sh)")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The real app on a loopback port: ``(base_url, app)``."""
    _need_browser()
    db = tmp_path_factory.mktemp("browser-db") / "slant.db"
    app = create_app(f"sqlite:///{db}", options=OPTIONS)
    with ServerThread(app) as base:
        yield base, app


@pytest.fixture(scope="module")
def page_url(served):
    return served[0]


@pytest.fixture(scope="module")
def browser():
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.problems = []  # console errors (CSP violations included), page errors, dialogs (alert)
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()


def _analyse(page, base: str, text: str) -> dict:
    page.goto(base + "/")
    page.fill("#text", text)
    with page.expect_response(lambda r: r.url.endswith("/v1/analyze")) as resp_info:
        page.click("#submit")
    resp = resp_info.value
    assert resp.status == 200, resp.text()
    page.wait_for_selector("#report .slant-report .article", timeout=60_000)
    return resp.json()


def test_browser_paste_example_see_highlights_and_filter_outlet_voice(page, page_url):
    text = EXAMPLE_000.read_text(encoding="utf-8")
    body = _analyse(page, page_url, text)
    analysis = body["analysis"]
    article = page.locator("#report .article")
    assert article.inner_text().split() == text.split()  # the whole article, as text
    highlighted = page.locator("#report .seg.tech")
    if analysis["techniques"]:
        assert highlighted.count() >= 1
        highlighted.first.click()
        assert "score" in page.locator("#report .detail").inner_text()
    assert page.locator("#report .seg.ent").count() >= 1  # entity mentions marked
    speakers_panel = page.locator("#report .speakers-panel").inner_text()
    if analysis["quotations"]:
        assert "Almuhajer" in speakers_panel or "Almujaher" in speakers_panel
    if any(p["lat"] is not None for p in analysis["places"]):
        assert page.locator("#report .places-panel svg circle").count() >= 1

    quoted = page.locator("#report .seg.v-other")
    if analysis["voices"] and any(v["id"] != "outlet" for v in analysis["voices"]):
        assert quoted.count() >= 1
        before = float(quoted.first.evaluate("e => getComputedStyle(e).opacity"))
        page.check("#report input.only-outlet")
        assert "only-outlet" in page.locator("#report .slant-report").get_attribute("class")
        after = float(quoted.first.evaluate("e => getComputedStyle(e).opacity"))
        assert before == 1.0 and after < 0.5
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-report-example-000.png"), full_page=True)
    assert page.problems == []


def test_browser_hostile_article_renders_as_text(page, page_url):
    text = ('Breaking: <script>alert(1)</script> the minister wrote "><img src=x onerror=alert(1)> '
            "and <b>shouted</b> at reporters in Paris, officials said.")
    _analyse(page, page_url, text)
    assert page.locator("#report img").count() == 0
    assert page.locator("#report b", has_text="shouted").count() == 0
    assert page.locator("#report .article script").count() == 0
    assert "<script>alert(1)</script>" in page.locator("#report .article").inner_text()
    assert page.problems == []


def test_browser_search_finds_stored_analysis_by_speaker(page, page_url):
    text = EXAMPLE_000.read_text(encoding="utf-8")
    _analyse(page, page_url, text)  # stored (or already stored by the first test)
    page.click("details summary")
    page.fill("#s-speaker" if "attribution" in OPTIONS.stages else "#s-q", "Almuhajer")
    page.click("#search-form button")
    page.wait_for_selector("#results li a")
    assert page.locator("#results li a").count() >= 1
    assert page.problems == []


def test_browser_offline_report_file_is_interactive_and_inert(page, tmp_path):
    """The file `slant analyze --format html` writes, opened from disk: its script runs under its own
    CSP (no console error), legend chips toggle colours, clicks show details, the filter dims quotes,
    and the hostile article stays text."""
    from slant.render.html import render_html

    from .test_html import HOSTILE, hostile_analysis

    path = tmp_path / "report.html"
    path.write_text(render_html(hostile_analysis(), HOSTILE), encoding="utf-8")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    page.wait_for_selector(".slant-report[data-ready='1']")  # the script ran
    assert page.locator("img").count() == 0 and page.locator(".article script").count() == 0
    assert page.locator(".article").inner_text() == HOSTILE

    traitors = page.locator(".seg[data-t='3 2']")  # "traitors": two techniques
    traitors.click()
    detail = page.locator(".detail").inner_text()
    assert "Name Calling,Labeling" in detail and "0.95" in detail and "Abu Baker Almuhajer" in detail
    assert "multi" in traitors.get_attribute("class")
    page.click(".chip[data-label='Name_Calling,Labeling']")  # hide one technique: the other colours the span
    assert "multi" not in traitors.get_attribute("class") and "tech" in traitors.get_attribute("class")
    page.click(".chip[data-label='Appeal_to_fear-prejudice']")
    assert "tech" not in traitors.get_attribute("class").split()

    quote = page.locator(".seg.v-other").first
    assert float(quote.evaluate("e => getComputedStyle(e).opacity")) == 1.0
    page.check("input.only-outlet")
    assert float(quote.evaluate("e => getComputedStyle(e).opacity")) < 0.5
    assert [u for u in requests if not u.startswith("file:")] == []  # nothing fetched: works offline
    assert page.problems == []


def test_browser_stored_report_by_link_shows_highlights(page, served):
    """A stored analysis opened by link (/?id=...) shows its technique highlights and legend."""
    from .test_html import HOSTILE, hostile_analysis

    analysis = hostile_analysis()
    base, app = served
    app.state.store.put(analysis, HOSTILE, replace=True)
    page.goto(f"{base}/?id={analysis.id}")
    page.wait_for_selector("#report .slant-report[data-ready='1']")
    assert page.locator("#report .seg.tech").count() >= len(analysis.techniques)
    assert page.locator("#report .chip[data-label]").count() == 4
    assert page.locator("#report img").count() == 0
    assert page.problems == []
