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
import re
import threading
from collections.abc import Callable, Iterator
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
        #: Answers a request once the script is used up (None: a 599).
        self.responder: Callable[[dict[str, Any]], Reply | None] | None = None
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
        reply = self.script.pop(0) if self.script else (self.responder and self.responder(body)) or Reply(status=599)
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


PATHS = re.compile(r"^((?:active|applications|review_litigation)\.\S+)\t", re.M)


def gap_answer(gold: dict[str, Any], user: str) -> dict[str, Any]:
    """A perfect ``hybrid`` answer: gold's value for every path the request lists."""
    from extractor.report import flatten

    leaves = flatten(gold)
    return {"values": [{"path": p, "value": leaves.get(p)} for p in PATHS.findall(user)]}


def gold_responder(fixtures: Path, wrong: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                   wrong_model: str = "") -> Callable[[dict[str, Any]], Reply | None]:
    """Answers each report of ``fixtures`` from its gold, whichever backend asks, the
    way the pipeline would send it; requests for ``wrong_model`` get ``wrong(answer)``."""
    from extractor import load
    from extractor.llm.backend import estimated_tokens, gap_paths, gaps_request, tables_request
    from extractor.llm.settings import LLMSettings
    from extractor.parse.parser import parse
    from extractor.parse.sections import find_sections

    budget = LLMSettings.model_fields["max_input_tokens"].default
    by_request: dict[str, tuple[str, dict[str, Any]]] = {}
    for gold_file in sorted((fixtures / "gold").glob("*.json")):
        gold = json.loads(gold_file.read_text(encoding="utf-8"))
        doc = load(next((fixtures / "reports").glob(gold_file.stem + ".*")))
        sections = find_sections(doc)
        by_request[tables_request(doc, sections, budget)[0]] = ("tables", gold)
        parsed = parse(doc)
        gaps = gap_paths(parsed)
        if gaps:
            by_request[gaps_request(doc, sections, parsed, gaps, budget)[0]] = ("gaps", gold)

    def respond(body: dict[str, Any]) -> Reply | None:
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        if user not in by_request:
            return None
        kind, gold = by_request[user]
        answer = tables_answer(gold) if kind == "tables" else gap_answer(gold, user)
        if wrong is not None and body["model"] == wrong_model:
            answer = wrong(answer)
        # Tokens as nianbao estimates them (a real endpoint counts with its own tokenizer).
        sent = "".join(str(m["content"]) for m in body["messages"]) + json.dumps(body.get("tools", ""))
        return Reply(answer=answer, prompt_tokens=estimated_tokens(sent),
                     completion_tokens=estimated_tokens(json.dumps(answer, ensure_ascii=False)))

    return respond
