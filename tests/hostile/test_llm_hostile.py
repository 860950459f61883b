"""The LLM backends against a hostile endpoint or surroundings: no cross-origin
redirect followed, the whole request bounded, cached answers read as JSON (never
unpickled), the log checked before a paid request, credentials never shown."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shared llm_endpoint helper
from llm_endpoint import ScriptedEndpoint, endpoint_fixture  # noqa: F401 (fixture)

from extractor import BackendError, ConfigError, extract
from extractor.llm.cache import AnswerCache

REPORT = Path(__file__).resolve().parents[2] / "eval" / "fixtures" / "reports" / "synthetic-2021-arithmetic-errors.txt"


@pytest.fixture
def server() -> Iterator[Callable[[Callable[[BaseHTTPRequestHandler], None]], tuple[str, list[str]]]]:
    """Start HTTP servers on 127.0.0.1 answering every POST with ``handle``; each gives its URL and request log."""
    started: list[ThreadingHTTPServer] = []

    def start(handle: Callable[[BaseHTTPRequestHandler], None]) -> tuple[str, list[str]]:
        seen: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                seen.append(self.path)
                self.rfile.read(int(self.headers["Content-Length"]))
                handle(self)

            def log_message(self, *args: object) -> None:
                pass

        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_port}/v1", seen

    yield start
    for srv in started:
        srv.shutdown()


def test_a_redirect_to_another_origin_is_not_followed(endpoint: ScriptedEndpoint, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def redirect(h: BaseHTTPRequestHandler) -> None:
        h.send_response(307)
        h.send_header("Location", endpoint.url + "/chat/completions")  # another port: another origin
        h.send_header("Content-Length", "0")
        h.end_headers()

    url, seen = server(redirect)
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", url)
    with pytest.raises(BackendError, match="redirected to another origin"):
        extract(REPORT, backend="llm")
    assert len(seen) == 1 and endpoint.requests == []  # not retried, the document not re-sent


def test_a_trickling_answer_is_cut_at_the_timeout(endpoint: ScriptedEndpoint, server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def trickle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        try:
            for _ in range(100):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    url, seen = server(trickle)
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", url)
    monkeypatch.setenv("NIANBAO_LLM_TIMEOUT", "1")
    monkeypatch.setenv("NIANBAO_LLM_MAX_RETRIES", "1")
    t0 = time.perf_counter()
    with pytest.raises(BackendError, match="2 attempt"):
        extract(REPORT, backend="llm")
    assert time.perf_counter() - t0 < 5  # two attempts of 1 s each, not 20 s of trickle
    assert len(seen) == 2


def test_the_cache_never_unpickles(tmp_path: Path) -> None:
    import pickle
    import sqlite3

    cache = AnswerCache(tmp_path)
    cache.put("k", '{"a": 1}')
    assert cache.get("k") == '{"a": 1}' and cache.get("other") is None
    cache.close()

    ran: list[str] = []

    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (ran.append, ("unpickled!",))

    # Plant a pickle where the answer is, as someone with write access to the folder could.
    with sqlite3.connect(tmp_path / "cache.db") as db:
        db.execute("UPDATE Cache SET mode = 4, value = ? WHERE key = 'k'", (pickle.dumps(Boom()),))
    assert AnswerCache(tmp_path).get("k") is None  # a miss, nothing run
    assert ran == []


def test_an_unwritable_log_is_found_before_the_paid_request(
    endpoint: ScriptedEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("NIANBAO_LOG_DB", str(tmp_path / "file" / "logs.db"))  # its folder is a file
    with pytest.raises(ConfigError, match="cannot write the model call log"):
        extract(REPORT, backend="llm")
    assert endpoint.requests == []


def test_credentials_in_the_base_url_are_never_shown_or_stored(
    endpoint: ScriptedEndpoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", endpoint.url.replace("http://", "http://user:s3cret@"))
    endpoint.fail(400)
    with pytest.raises(BackendError) as err:
        extract(REPORT, backend="llm")
    assert "s3cret" not in str(err.value) and endpoint.url in str(err.value)
    with sqlite3.connect(tmp_path / "logs.db") as con:
        stored = " ".join(str(v) for row in con.execute("SELECT * FROM calls") for v in row)
    assert "s3cret" not in stored and endpoint.url in stored
