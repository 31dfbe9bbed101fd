"""The HTTP API against the real app served by uvicorn on loopback (httpx as the client)."""

from __future__ import annotations

import os
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

import slant.analysis
from slant.options import Options
from slant.server import ServerThread, create_app

from .test_store import make_analysis, postgres_url_or_skip, reset_postgres

#: stages the server runs; SLANT_TEST_STAGES=a,b,c narrows them while a stage is being built
OPTIONS = Options(stages=tuple(os.environ["SLANT_TEST_STAGES"].split(","))) if os.environ.get("SLANT_TEST_STAGES") else Options()

ARTICLE = (
    "Officials in Paris said on Monday that the plan would be reviewed. "
    "\u201cThis is a disgraceful betrayal of our people,\u201d said Abu Baker Almuhajer, a spokesman. "
    "Almuhajer added that the group would never surrender. The ministry declined to comment."
)
PAGE = (
    "<html><head><title>Local report</title></head><body><nav>Home | About</nav><article>"
    "<h1>Local report</h1><p>The council of Springfield approved the new budget on Tuesday after a long debate "
    "that lasted well into the night, officials said.</p><p>\u201cWe finally have a plan that works for everyone "
    "in this city,\u201d said Mayor Jane Porter after the vote was counted.</p></article><footer>(c) 2026</footer>"
    "</body></html>"
)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "slant.db"
    app = create_app(f"sqlite:///{db}", options=OPTIONS)
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield client


def _error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"]["status"] == status and body["error"]["message"]
    return body["error"]


def test_server_healthz_and_docs(api):
    health = api.get("/healthz").json()
    assert health["status"] == "ok" and health["database"] == "ok" and health["revision"] and health["model_loaded"]
    assert api.get("/openapi.json").json()["paths"].keys() >= {"/v1/analyze", "/v1/analyses", "/v1/analyses/{analysis_id}"}
    docs = api.get("/docs")
    assert docs.status_code == 200 and "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()  # works offline
    assert api.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_server_web_page(api):
    resp = api.get("/")
    assert resp.status_code == 200 and 'id="analyze-form"' in resp.text and "SlantReport" in resp.text
    assert "default-src 'none'" in resp.headers["content-security-policy"]


def test_server_analyze_stores_once_and_finds_by_speaker(api):
    first = api.post("/v1/analyze", json={"text": ARTICLE, "title": "Test article"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["cached"] is False and body["text"] == ARTICLE and body["analysis"]["text_length"] == len(ARTICLE)
    again = api.post("/v1/analyze", json={"text": ARTICLE}).json()
    assert again["cached"] is True and again["id"] == body["id"] and again["analysis"] == body["analysis"]
    forced = api.post("/v1/analyze", json={"text": ARTICLE, "force": True, "title": "Test article"}).json()
    assert forced["cached"] is False and forced["id"] == body["id"]

    stored = api.get(f"/v1/analyses/{body['id']}").json()
    assert stored["text"] == ARTICLE and stored["analysis"]["id"] == body["id"]
    speakers = {q["speaker"]["name"] for q in body["analysis"]["quotations"] if q.get("speaker")}
    if "attribution" in OPTIONS.stages:  # the same analysis is found again by its speaker
        assert any("Almuhajer" in name for name in speakers), speakers
        page = api.get("/v1/analyses", params={"speaker": "almuhajer"}).json()
        assert [item["id"] for item in page["items"]] == [body["id"]]
    page = api.get("/v1/analyses", params={"q": "disgraceful betrayal"}).json()
    assert page["total"] == 1 and page["items"][0]["title"] == "Test article"
    assert api.get("/v1/analyses", params={"q": "no such words anywhere"}).json()["total"] == 0

    report = api.get(f"/v1/analyses/{body['id']}/report")
    assert report.status_code == 200 and "disgraceful betrayal" in report.text and "<!doctype html>" in report.text
    fragment = api.get(f"/v1/analyses/{body['id']}/report", params={"fragment": "true"}).text
    assert fragment.startswith('<div class="slant-report"')


def test_server_hostile_text_is_escaped_in_report(api):
    text = 'A test <script>alert(1)</script> and "><img src=x onerror=alert(1)> in the text of an article.'
    body = api.post("/v1/analyze", json={"text": text}).json()
    html = api.get(f"/v1/analyses/{body['id']}/report").text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("payload,where", [
    ({}, "exactly one"),
    ({"text": "a", "url": "https://example.org/"}, "exactly one"),
    ({"text": "   "}, "empty"),
    ({"text": 5}, "text"),
    ({"text": "ok", "colour": "red"}, "colour"),
])
def test_server_invalid_input_is_422(api, payload, where):
    err = _error(api.post("/v1/analyze", json=payload), 422)
    assert err["code"] == "invalid_input" and where in (err["message"] + str(err["details"]))


def test_server_invalid_queries_are_422_or_404(api):
    assert _error(api.get("/v1/analyses", params={"limit": 0}), 422)["code"] == "invalid_input"
    assert _error(api.get("/v1/analyses", params={"offset": -1}), 422)["code"] == "invalid_input"
    assert _error(api.get("/v1/analyses/not-an-id"), 422)["code"] == "invalid_id"
    assert _error(api.get("/v1/analyses/" + "0" * 64), 404)["code"] == "not_found"
    assert _error(api.post("/v1/analyze", content=b"{not json", headers={"content-type": "application/json"}), 422)
    half_emoji = b'{"text": "The minister said \\ud83d the plan was a disaster."}'
    err = _error(api.post("/v1/analyze", content=half_emoji, headers={"content-type": "application/json"}), 422)
    assert err["code"] == "invalid_text" and "[E112]" in err["message"]


def test_server_offset_past_bound_is_422_not_500(api):
    """offset=2**63 was a 500 (SQLite OverflowError, PostgreSQL "bigint out of range")."""
    from slant.store import MAX_SEARCH_OFFSET

    for offset in (str(2**63), str(MAX_SEARCH_OFFSET + 1)):
        err = _error(api.get("/v1/analyses", params={"offset": offset}), 422)
        assert err["code"] == "invalid_input" and err["message"].startswith("query.offset: ")
        assert str(MAX_SEARCH_OFFSET) in err["message"]  # says the bound
    assert api.get("/v1/analyses", params={"offset": MAX_SEARCH_OFFSET}).json()["items"] == []


NUL_TEXT = "abc \u0000 def is a corrupt traitor who lies."


def test_server_nul_in_text_title_or_query_is_e102_before_any_backend(api):
    """SQLite stored a text holding NUL, PostgreSQL answered 500: the API refuses it for every
    backend, with the E102 `slant analyze` gives a file holding NUL bytes."""
    err = _error(api.post("/v1/analyze", json={"text": NUL_TEXT}), 422)
    assert err["code"] == "invalid_text"
    assert err["message"] == "[E102] text: looks like a binary file (contains NUL bytes, the first at character 4), not text"
    err = _error(api.post("/v1/analyze", json={"text": "A plain article.", "title": "a\u0000b"}), 422)
    assert err["code"] == "invalid_input" and err["message"].startswith("[E102] title: ")
    assert _error(api.post("/v1/analyze", json={"url": "https://example.org/a\u0000b"}), 422)["code"] == "invalid_url"
    for name in ("q", "speaker", "entity", "technique"):
        err = _error(api.get("/v1/analyses", params={name: "a\x00b"}), 422)
        assert err["code"] == "invalid_input" and err["message"].startswith(f"[E102] {name}: "), err
    assert api.get("/v1/analyses", params={"q": "corrupt traitor who lies"}).json()["total"] == 0


def test_server_page_with_nul_past_the_first_64_kib_is_e102():
    """decode_bytes looks for NUL bytes in a file's first 64 KiB only; a page is checked whole."""
    from slant.server import ApiError, page_text

    data = b"A long page about the budget. " * 2500 + b"\x00 and more."
    assert len(data) > 65536
    with pytest.raises(ApiError) as info:
        page_text(data, "https://example.org/long.txt")
    assert info.value.status == 422 and info.value.code == "invalid_text"
    assert info.value.message.startswith("[E102] https://example.org/long.txt: looks like a binary file (contains NUL")


def test_server_technique_filter_takes_display_names_and_refuses_unknown_ones(tmp_path):
    """technique=Loaded%20Language (the legend's name) and technique=NotATechnique both answered
    200 with nothing found."""
    from fastapi.testclient import TestClient

    from slant.store import Store
    from slant.techniques.data import TECHNIQUES

    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    store.upgrade()
    text = "They are corrupt traitors, and they lie."
    stored = make_analysis(text, techniques=("Loaded_Language", "Name_Calling,Labeling"))
    store.put(stored, text)
    with TestClient(create_app(store=store, options=OPTIONS, preload_model=False)) as client:
        for name in ("Loaded_Language", "Loaded Language", "loaded language", "Name Calling, Labeling",
                     "name_calling,labeling"):
            page = client.get("/v1/analyses", params={"technique": name})
            assert page.status_code == 200 and [i["id"] for i in page.json()["items"]] == [stored.id], name
        assert client.get("/v1/analyses", params={"technique": "Doubt"}).json()["total"] == 0
        for name in ("NotATechnique", "Loaded"):
            err = _error(client.get("/v1/analyses", params={"technique": name}), 422)
            assert err["code"] == "invalid_technique" and repr(name) in err["message"]
            assert all(t in err["message"] for t in TECHNIQUES)


@pytest.mark.parametrize("body,message", [
    (b'{"text": }', "request body is not valid JSON: Expecting value at line 1 column 10"),
    (b'{\n  "text": "abc",\n  "force": tru\n}', "request body is not valid JSON: Expecting value at line 3 column 12"),
    (b"{not json", "request body is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
    (b'{"text": "abc"', "request body is not valid JSON: Expecting ',' delimiter at line 1 column 15"),
    (b'{"text": "abc', "request body is not valid JSON: Unterminated string starting at line 1 column 10"),
    # Windows-1252 bytes: FastAPI's own answer was a bare 400 "There was an error parsing the body"
    ('{"text": "Le café était bon."}'.encode("cp1252"),
     "request body is not UTF-8 (byte 0xe9 at position 16); send JSON as UTF-8 (RFC 8259)"),
])
def test_server_invalid_json_says_what_is_wrong(api, body, message):
    err = _error(api.post("/v1/analyze", content=body, headers={"content-type": "application/json"}), 422)
    assert err["code"] == "invalid_input" and err["message"] == message


@pytest.mark.parametrize("url,code", [
    ("http://127.0.0.1:9/x", "url_refused"),
    ("http://localhost/", "url_refused"),
    ("http://169.254.169.254/latest/meta-data/", "url_refused"),
    ("http://[::1]/", "url_refused"),
    ("http://10.1.2.3/", "url_refused"),
    ("http://[::ffff:192.168.0.1]/", "url_refused"),
    ("file:///etc/passwd", "invalid_url"),
    ("ftp://example.org/a", "invalid_url"),
])
def test_server_refuses_private_and_odd_urls(api, url, code):
    assert _error(api.post("/v1/analyze", json={"url": url}), 422)["code"] == code


#: 5000 random bytes (about 20 NULs and many control bytes): what `slant analyze` refuses as E102
RANDOM_BYTES = random.Random(5000).randbytes(5000)
LATIN_TEXT = "Caf\u00e9 owners in Lyon said on Monday that the new tax was \u201ca disgrace\u201d, officials said."


@pytest.fixture
def article_site():
    """A loopback web server with one article page and a redirect to it."""

    files = {  # path -> (Content-Type, bytes)
        "/article.html": ("text/html; charset=utf-8", PAGE.encode()),
        "/random.bin": ("application/octet-stream", RANDOM_BYTES),
        "/random.txt": ("text/plain; charset=utf-8", RANDOM_BYTES),
        "/latin.txt": ("text/plain", LATIN_TEXT.encode("cp1252")),  # no charset: detected as for a file
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server API
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/article.html")
                self.end_headers()
                return
            content_type, data = files.get(self.path, files["/article.html"])
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_server_fetches_url_when_private_hosts_allowed(tmp_path, article_site):
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", allow_private_urls=True, options=OPTIONS)
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        resp = client.post("/v1/analyze", json={"url": f"{article_site}/moved"})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert "approved the new budget" in body["text"] and "Home | About" not in body["text"]
        assert body["analysis"]["meta"]["url"] == f"{article_site}/article.html"
    blocked = create_app(f"sqlite:///{tmp_path / 'b.db'}", options=OPTIONS)
    with ServerThread(blocked) as base, httpx.Client(base_url=base, timeout=60) as client:
        assert _error(client.post("/v1/analyze", json={"url": f"{article_site}/article.html"}), 422)["code"] == "url_refused"


def test_server_url_of_binary_file_is_refused_as_the_cli_refuses_it(tmp_path, article_site):
    """A link to binary bytes gets the E102 of `slant analyze` on the same bytes, and nothing is stored."""
    from slant.ingest.files import decode_bytes
    from slant.errors import InputError

    binary = tmp_path / "random.txt"
    binary.write_bytes(RANDOM_BYTES)
    with pytest.raises(InputError, match=r"\[E102\]"):
        decode_bytes(binary.read_bytes(), str(binary))
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", allow_private_urls=True, options=OPTIONS)
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        for path in ("/random.txt", "/random.bin"):
            err = _error(client.post("/v1/analyze", json={"url": f"{article_site}{path}"}), 422)
            assert err["code"] == "invalid_text" and err["message"].startswith(f"[E102] {article_site}{path}: "), err
        assert client.get("/v1/analyses").json()["total"] == 0
        latin = client.post("/v1/analyze", json={"url": f"{article_site}/latin.txt"})  # decoded as a file is
        assert latin.status_code == 200 and latin.json()["text"] == LATIN_TEXT, latin.text


def test_server_request_too_large_is_413(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", max_request_bytes=4096, options=OPTIONS)
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        assert _error(client.post("/v1/analyze", json={"text": "word " * 2000}), 413)["code"] == "request_too_large"

        def chunks():  # no Content-Length: counted while read
            for _ in range(10):
                yield b'{"text": "' + b"a" * 1000
        assert _error(client.post("/v1/analyze", content=chunks()), 413)["code"] == "request_too_large"
        ok = client.post("/v1/analyze", json={"text": "A short note from the ministry about the budget."})
        assert ok.status_code == 200, ok.text


def test_server_text_over_max_chars_is_413(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", options=OPTIONS.replace(max_chars=50))
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        err = _error(client.post("/v1/analyze", json={"text": "x " * 100}), 413)
        assert err["code"] == "text_too_long" and "E103" in err["message"]


@pytest.fixture
def slow_analyze(monkeypatch):
    """Make each analysis take at least 0.6 s longer (the real analysis still runs)."""
    real = slant.analysis.analyze

    def slow(*args, **kwargs):
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(slant.analysis, "analyze", slow)


def test_server_too_many_concurrent_is_429(tmp_path, slow_analyze):
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", max_concurrent=1, max_queued=1, options=OPTIONS)
    statuses: list[int] = []
    with ServerThread(app) as base:
        def post(i):
            with httpx.Client(base_url=base, timeout=60) as c:
                statuses.append(c.post("/v1/analyze", json={"text": f"Article {i} about the budget vote."}).status_code)

        threads = [threading.Thread(target=post, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with httpx.Client(base_url=base, timeout=60) as c:
            resp = c.post("/v1/analyze", json={"text": "Article 0 about the budget vote."})
            assert resp.status_code == 200  # a refusal is temporary
    assert sorted(statuses).count(200) >= 1 and 429 in statuses and set(statuses) <= {200, 429}


def test_server_same_text_posted_at_once_is_analysed_once(tmp_path, monkeypatch):
    real = slant.analysis.analyze
    calls: list[str] = []

    def slow_counted(doc, *args, **kwargs):
        calls.append(getattr(doc, "text", doc))
        time.sleep(0.8)
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(slant.analysis, "analyze", slow_counted)
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", max_concurrent=2, max_queued=4, options=OPTIONS)
    text = "The ministry said the harbour bridge will open in May, a spokesman told reporters."
    bodies: list[dict] = []
    with ServerThread(app) as base:
        calls.clear()  # the warm-up analysis is not a request

        def post():
            with httpx.Client(base_url=base, timeout=60) as c:
                resp = c.post("/v1/analyze", json={"text": text})
                assert resp.status_code == 200, resp.text
                bodies.append(resp.json())

        threads = [threading.Thread(target=post) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert calls == [text]  # one analysis for four identical requests
    assert len(bodies) == 4 and len({b["id"] for b in bodies}) == 1
    assert sorted(b["cached"] for b in bodies) == [False, True, True, True]
    assert all(b["analysis"] == bodies[0]["analysis"] for b in bodies)


def test_server_timeout_is_504_and_result_is_kept(tmp_path, slow_analyze):
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", analysis_timeout_s=0.2, options=OPTIONS)
    text = "A slow article about the harbour of Lisbon and its new bridge."
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        err = _error(client.post("/v1/analyze", json={"text": text}), 504)
        assert err["code"] == "analysis_timeout"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the analysis finishes in the background and is stored
            resp = client.post("/v1/analyze", json={"text": text})
            if resp.status_code == 200:
                break
            time.sleep(0.3)
        assert resp.status_code == 200 and resp.json()["cached"] is True


@pytest.mark.postgres
def test_server_with_postgres_store():
    url = postgres_url_or_skip()
    reset_postgres(url)
    app = create_app(url, options=OPTIONS)
    with ServerThread(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        assert client.get("/healthz").json()["database"] == "ok"
        body = client.post("/v1/analyze", json={"text": ARTICLE}).json()
        assert client.post("/v1/analyze", json={"text": ARTICLE}).json()["cached"] is True
        assert client.get("/v1/analyses", params={"q": "betrayal"}).json()["items"][0]["id"] == body["id"]
        assert client.get(f"/v1/analyses/{body['id']}").json()["text"] == ARTICLE
        # a NUL was a 500 DataError and a huge offset a 500 "bigint out of range" here
        err = _error(client.post("/v1/analyze", json={"text": NUL_TEXT}), 422)
        assert err["code"] == "invalid_text" and err["message"].startswith("[E102] text: ")
        assert _error(client.get("/v1/analyses", params={"q": "\x00"}), 422)["message"].startswith("[E102] q: ")
        assert _error(client.get("/v1/analyses", params={"offset": str(2**63)}), 422)["code"] == "invalid_input"


def test_server_slant_serve_starts_with_one_command(tmp_path):
    """`slant serve` as a user runs it: store URL from SLANT_DATABASE_URL, answers on loopback."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SLANT_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    cmd = [sys.executable, "-m", "slant.cli", "serve", "--port", str(port)]
    if os.environ.get("SLANT_TEST_STAGES"):
        config = tmp_path / "stages.toml"
        config.write_text("[analysis]\nstages = [%s]\n" % ", ".join(f'"{x}"' for x in OPTIONS.stages))
        cmd += ["--config", str(config)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert health is not None and health["status"] == "ok", proc.stdout.read().decode() if proc.poll() is not None else ""
        assert (tmp_path / "cli.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_store_shared_by_servers_with_other_options_is_not_a_stale_cache(tmp_path):
    """A server with technique_encoder = true answered `cached: true` with an analysis a
    default server had stored. Stored analyses record their settings (meta.slant_settings) and are
    reused only under the same ones; otherwise the text is analysed again and replaces it."""
    from fastapi.testclient import TestClient

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    plain = Options(stages=("sentences", "techniques"))
    closer = plain.replace(technique_encoder=True)
    with TestClient(create_app(url, options=plain, preload_model=False)) as a:
        first = a.post("/v1/analyze", json={"text": ARTICLE}).json()
        assert first["cached"] is False and first["analysis"]["meta"]["slant_settings"]["technique_encoder"] is False
        assert a.post("/v1/analyze", json={"text": ARTICLE}).json()["cached"] is True
    with TestClient(create_app(url, options=closer, preload_model=False)) as b:
        second = b.post("/v1/analyze", json={"text": ARTICLE}).json()
        assert second["cached"] is False and second["analysis"]["meta"]["slant_settings"] == closer.fingerprint()
        assert b.post("/v1/analyze", json={"text": ARTICLE}).json()["cached"] is True
        stored = b.get(f"/v1/analyses/{second['id']}").json()
        assert stored["analysis"]["meta"]["slant_settings"]["technique_encoder"] is True
        assert "techniques with the transformers" in b.get(f"/v1/analyses/{second['id']}/report").text
