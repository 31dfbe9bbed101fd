"""`slant serve` under concurrent requests: every analysis succeeds and equals the sequential one.

The server's worker threads share one spaCy pipeline; each analysis runs in a spaCy
memory zone, which evicts the strings and lexemes added to the shared Vocab when it
ends -- those of every thread, not only its own. Without serialising the pipeline,
two analyses at once failed with ``[E018] Can't retrieve string for hash`` (HTTP 500).
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from slant.server import ServerThread, create_app

from .test_server import OPTIONS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _texts() -> list[str]:
    """12 distinct real texts: each example article whole, and its halves (cut at a sentence end)."""
    texts = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8").strip()
        cut = text.index(". ", len(text) // 2) + 1
        texts += [text, text[:cut].strip(), text[cut:].strip()]
    assert len(set(texts)) == len(texts) >= 12
    return texts


def test_serve_concurrent_analyses_all_succeed_and_match_sequential(tmp_path):
    texts = _texts()
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", max_concurrent=3, max_queued=len(texts), options=OPTIONS)
    with ServerThread(app) as base:
        with httpx.Client(base_url=base, timeout=300) as client:  # one at a time: the reference
            sequential = []
            for text in texts:
                resp = client.post("/v1/analyze", json={"text": text, "force": True})
                assert resp.status_code == 200, resp.text
                sequential.append(resp.json()["analysis"])

        answers: dict[int, tuple[int, httpx.Response | Exception]] = {}
        order = list(range(len(texts))) * 2  # every text twice, interleaved across clients
        lock = threading.Lock()

        def client_thread() -> None:
            with httpx.Client(base_url=base, timeout=300) as c:
                while True:
                    with lock:
                        if not order:
                            return
                        n = len(order)
                        i = order.pop()
                    try:
                        answers[n] = (i, c.post("/v1/analyze", json={"text": texts[i], "force": True}))
                    except httpx.HTTPError as exc:  # e.g. the connection closed after a 500
                        answers[n] = (i, exc)

        threads = [threading.Thread(target=client_thread) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(answers) == 2 * len(texts)
    for i, resp in answers.values():
        assert isinstance(resp, httpx.Response), repr(resp)
        assert resp.status_code == 200, resp.text
        assert resp.json()["analysis"] == sequential[i]
