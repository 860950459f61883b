"""A scripted OpenAI-compatible endpoint on 127.0.0.1, for driving the real
openai + instructor client over real HTTP in tests without any model.

Each POST to ``/v1/chat/completions`` is recorded and answered with the next
scripted reply: a chat completion whose tool call (or, in JSON mode, whose
message content) carries the scripted answer, or an HTTP error status.
Import ``endpoint_fixture`` into a test module to get the ``endpoint`` fixture,
which also points every ``NIANBAO_LLM_*`` setting, the cache and the call log at it
and at the test's temporary folder.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

MODEL = "scripted-model"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    answer: dict[str, Any] | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    headers: tuple[tuple[str, str], ...] = ()


class ScriptedEndpoint:
    """Replies in script order; a request beyond the script gets a 599 so the test fails loudly."""

    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(body)
                status, payload, headers = endpoint.respond(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def answer(self, answer: dict[str, Any], prompt_tokens: int = 1200, completion_tokens: int = 300) -> None:
        self.script.append(Reply(answer=answer, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens))

    def fail(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        self.script.extend([Reply(status=status, headers=headers)] * times)

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], tuple[tuple[str, str], ...]]:
        reply = self.script.pop(0) if self.script else Reply(status=599)
        if reply.answer is None:
            error = {"error": {"message": f"scripted failure {reply.status}", "type": "server_error"}}
            return reply.status, error, reply.headers
        arguments = json.dumps(reply.answer, ensure_ascii=False)
        message: dict[str, Any] = {"role": "assistant", "content": arguments}
        if body.get("tools"):
            name = body["tool_choice"]["function"]["name"]
            call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}
            message = {"role": "assistant", "content": None, "tool_calls": [call]}
        usage = {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }
        completion = {
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}], "usage": usage,
        }
        return 200, completion, ()

    def user_message(self, i: int = -1) -> str:
        """The user message of request ``i`` (the document text and, for hybrid, the cells asked for)."""
        return str(next(m["content"] for m in self.requests[i]["messages"] if m["role"] == "user"))


@pytest.fixture(name="endpoint")
def endpoint_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedEndpoint]:
    ep = ScriptedEndpoint()
    for var in ("NIANBAO_LLM_MODE", "NIANBAO_LLM_TEMPERATURE", "NIANBAO_LLM_TIMEOUT", "NIANBAO_LLM_DEADLINE",
                "NIANBAO_LLM_MAX_REASKS", "NIANBAO_LLM_MAX_INPUT_TOKENS", "NIANBAO_LLM_CONCURRENCY",
                "NIANBAO_CONFIG", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user nianbao.toml
    monkeypatch.setenv("NIANBAO_LLM_BASE_URL", ep.url)
    monkeypatch.setenv("NIANBAO_LLM_MODEL", MODEL)
    monkeypatch.setenv("NIANBAO_LLM_API_KEY", "test-key")
    monkeypatch.setenv("NIANBAO_LLM_MAX_RETRIES", "2")
    monkeypatch.setenv("NIANBAO_LLM_BACKOFF", "0")
    monkeypatch.setenv("NIANBAO_LLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NIANBAO_LOG_DB", str(tmp_path / "logs.db"))
    yield ep
    ep.server.shutdown()
    ep.server.server_close()


def tables_answer(gold: dict[str, Any]) -> dict[str, Any]:
    """What a perfect model answers for the ``llm`` backend: gold's three tables and template."""
    tables = {k: gold[k] for k in ("active", "applications", "review_litigation")}
    return {"template": gold["meta"]["template"], **tables}
