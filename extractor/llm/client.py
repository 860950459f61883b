"""One structured request to an OpenAI-compatible endpoint.

The openai client talks HTTP; instructor turns the answer model into a tool
(or JSON-mode) schema and validates the reply; tenacity retries what may pass
(connection errors, timeouts, 429, 5xx) with exponential backoff. Anything
else, or a failure that outlasts the retries, is a :class:`BackendError` naming
the endpoint. Every HTTP attempt is reported to ``on_attempt`` for the log.

Instructor's own re-asking on an invalid answer is off: one attempt is one
request, so the log and the token counts are exact, and an answer that does
not fit the schema fails loudly instead of being coaxed into shape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import instructor
import openai
from instructor.core import InstructorError, InstructorRetryException
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ..errors import BackendError
from .settings import LLMSettings

M = TypeVar("M", bound=BaseModel)

# Instructor logs each failed attempt at ERROR; the BackendError says it once.
# A NullHandler keeps Python's last-resort handler from printing them to stderr
# while an application that configures logging still sees them.
logging.getLogger("instructor").addHandler(logging.NullHandler())


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one HTTP request cost and returned."""

    seconds: float
    prompt_tokens: int
    completion_tokens: int
    response: str | None
    error: str | None


def _transient(e: BaseException) -> bool:
    """Worth retrying: the request may succeed as it is."""
    if isinstance(e, openai.APIConnectionError):  # includes timeouts
        return True
    return isinstance(e, openai.APIStatusError) and (e.status_code in (408, 409, 429) or e.status_code >= 500)


def _one_line(e: BaseException) -> str:
    if isinstance(e, ValidationError):
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        return f"the answer does not fit the schema: {where}: {first['msg']}{more}"
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def _answer_text(completion: Any) -> str | None:
    """The model's raw answer: tool-call arguments, or the message content in JSON mode."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    calls = getattr(message, "tool_calls", None)
    if calls:
        return str(calls[0].function.arguments)
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None


def _tokens(completion: Any) -> tuple[int, int]:
    usage = getattr(completion, "usage", None)
    return (getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0)


class Client:
    """An instructor-patched openai client for one endpoint and model."""

    def __init__(self, settings: LLMSettings) -> None:
        self.settings = settings
        raw = openai.OpenAI(
            base_url=settings.base_url,
            # Local servers (Ollama, vLLM) take any key, but the openai client insists on one.
            api_key=settings.api_key or "not-needed",
            timeout=settings.timeout,
            max_retries=0,  # tenacity retries, so each attempt is seen and logged
        )
        mode = instructor.Mode.TOOLS if settings.mode == "tools" else instructor.Mode.JSON
        self._instructor = instructor.from_openai(raw, mode=mode)

    def ask(
        self, messages: list[dict[str, str]], response_model: type[M], on_attempt: Callable[[Attempt], None]
    ) -> M:
        """The validated answer; :class:`BackendError` when the endpoint fails for good.
        ``on_attempt`` hears about every HTTP request, failed or not."""
        s = self.settings
        retrying = Retrying(
            stop=stop_after_attempt(s.max_retries + 1),
            wait=wait_exponential(multiplier=s.backoff, max=30),
            retry=retry_if_exception(_transient),
            reraise=True,
        )
        try:
            answer: M = retrying(self._attempt, messages, response_model, on_attempt)
            return answer
        except (openai.OpenAIError, InstructorError, ValueError) as e:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise BackendError(
                f"LLM endpoint {s.base_url} (model {s.model}) failed after {attempts} attempt(s): {_one_line(e)}"
            ) from e

    def _attempt(
        self, messages: list[dict[str, str]], response_model: type[M], on_attempt: Callable[[Attempt], None]
    ) -> M:
        t0 = time.perf_counter()
        try:
            answer, completion = self._instructor.create_with_completion(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                response_model=response_model,
                max_retries=0,
                temperature=self.settings.temperature,
            )
        except (openai.OpenAIError, InstructorError, ValueError) as e:
            # Instructor wraps the API error or the validation error; retry on, and report, the cause.
            cause = e.__cause__ if isinstance(e, InstructorRetryException) and e.__cause__ is not None else e
            last = e.last_completion if isinstance(e, InstructorRetryException) else None
            on_attempt(Attempt(time.perf_counter() - t0, *_tokens(last), _answer_text(last), _one_line(cause)))
            raise cause from None
        on_attempt(Attempt(time.perf_counter() - t0, *_tokens(completion), _answer_text(completion), None))
        return answer
