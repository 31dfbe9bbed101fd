"""`slant serve` on the command line: its options and start-up errors (one line, no traceback)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from slant.cli import app
from slant.server import ServerThread

from .test_server import OPTIONS

runner = CliRunner()


@pytest.fixture
def no_serving(monkeypatch):
    """``uvicorn.run`` replaced: a test that should stop before serving fails instead of serving."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("slant serve started the server")

    monkeypatch.setattr(uvicorn, "run", refuse)


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in output, output
    return lines[0]


def test_serve_unreachable_database_is_one_line_exit_3(tmp_path):
    """As a user runs it: a PostgreSQL URL nobody answers on (port 1) is E140, not a traceback."""
    cmd = [sys.executable, "-m", "slant.cli", "serve", "--port", "18796",
           "--database-url", "postgresql://nouser:secret@127.0.0.1:1/db"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    line = _one_error_line(proc.stdout + proc.stderr)
    assert "[E140]" in line and "127.0.0.1:1" in line and "cannot open the store" in line
    assert "secret" not in line  # the password is redacted


@pytest.mark.parametrize("port", ["99999", "-1", "0", "65536"])
def test_serve_port_out_of_range_is_a_usage_error(tmp_path, no_serving, port):
    r = runner.invoke(app, ["serve", "--port", port, "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert r.exit_code == 2, r.output
    assert "Invalid value for '--port'" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "s.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("url,words", [
    ("mysql://user:hunter2@db.example/x", ["mysqlclient", "MySQLdb", "SQLite", "PostgreSQL"]),
    ("postgresql+pg8000://db.example/x", ["pg8000", "not installed", "postgresql://"]),
    ("nosuchdb://db.example/x", ["unknown database 'nosuchdb'", "SQLite", "PostgreSQL"]),
])
def test_serve_unusable_database_url_is_one_line_exit_2(no_serving, url, words):
    r = runner.invoke(app, ["serve", "--database-url", url])
    assert r.exit_code == 2, r.output
    line = _one_error_line(r.output)
    assert "[E120]" in line and all(w in line for w in words), line
    assert "hunter2" not in line


def test_serve_max_chars_option_sets_the_limit_the_413_names(tmp_path, monkeypatch):
    """``slant serve --max-chars N``, as ``slant analyze --max-chars``: the 413 names that flag."""
    apps = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **_kw: apps.append(application))
    args = ["serve", "--max-chars", "60", "--database-url", f"sqlite:///{tmp_path / 's.db'}"]
    if OPTIONS.stages != type(OPTIONS)().stages:  # SLANT_TEST_STAGES: the same stages as the other tests
        config = tmp_path / "stages.toml"
        config.write_text("[analysis]\nstages = [%s]\n" % ", ".join(f'"{x}"' for x in OPTIONS.stages))
        args += ["--config", str(config)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and len(apps) == 1, r.output
    with ServerThread(apps[0]) as base, httpx.Client(base_url=base, timeout=120) as client:
        resp = client.post("/v1/analyze", json={"text": "The mayor spoke. " * 5})  # 85 characters
        assert resp.status_code == 413, resp.text
        message = resp.json()["error"]["message"]
        assert "[E103]" in message and "over the limit of 60" in message and "--max-chars" in message
        assert client.post("/v1/analyze", json={"text": "The mayor spoke on Monday."}).status_code == 200
    bad = runner.invoke(app, ["serve", "--max-chars", "0", "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert bad.exit_code == 2 and "[E120] max_chars" in _one_error_line(bad.output)


def test_serve_help_has_no_placeholder_left():
    r = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    assert "{url}" not in r.output
    assert 'Let {"url": ...} requests fetch from private' in r.output
    assert "--max-chars" in r.output
