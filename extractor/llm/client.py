"""One structured request to an OpenAI-compatible endpoint.

The openai client talks HTTP; instructor turns the answer model into a tool
(or JSON-mode) schema and validates the reply; tenacity retries what may pass
(connection errors, timeouts, 429, 5xx) with exponential backoff. Anything
else, or a failure that outlasts the retries, is a :class:`BackendError` naming
the endpoint. Every HTTP attempt is reported to ``on_attempt`` for the log.

Instructor's own re-asking on an invalid answer is off: one attempt is one
request, so the log and the token counts are exact, and an answer that does
not fit the schema fails loudly instead of being coaxed into shape.

The document is untrusted and so is the endpoint's answer: the whole request
(body included) is bounded by the timeout, a redirect to another origin is not
followed, and a ``user:password@`` in the base URL is never shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import instructor
import openai
from instructor.core import InstructorError, InstructorRetryException
from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from ..errors import BackendError
from .log import public_url
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


class CrossOriginRedirect(httpx.HTTPError):
    """The endpoint redirected elsewhere: the document is not sent on."""


def _same_origin_redirects_only(response: httpx.Response) -> None:
    """An httpx response hook: refuse a redirect to another scheme, host or port
    before httpx follows it (a 307 would re-send the document there)."""
    if response.is_redirect:
        here = response.request.url
        there = here.join(response.headers.get("location", ""))
        if (there.scheme, there.host, there.port) != (here.scheme, here.host, here.port):
            raise CrossOriginRedirect(
                f"the endpoint redirected to another origin ({there.scheme}://{there.host}); not followed"
            )


class _Until(httpx.SyncByteStream):
    """A response body that gives up at a deadline, however slowly it trickles."""

    def __init__(self, stream: httpx.SyncByteStream, end: float, request: httpx.Request) -> None:
        self._stream, self._end, self._request = stream, end, request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if time.monotonic() > self._end:
                raise httpx.ReadTimeout("the whole request took longer than its timeout", request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()


class _Deadline(httpx.HTTPTransport):
    """A transport bounding the whole request, body included, not each read alone."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._seconds = seconds

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        end = time.monotonic() + self._seconds
        response = super().handle_request(request)
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _Until(response.stream, end, request)
        return response


def _redirect_in(e: BaseException) -> CrossOriginRedirect | None:
    """The refused redirect behind ``e`` (openai and instructor wrap it twice), if any."""
    seen: BaseException | None = e
    for _ in range(8):
        if seen is None or isinstance(seen, CrossOriginRedirect):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


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
        self._shown = public_url(settings.base_url)
        raw = openai.OpenAI(
            base_url=settings.base_url,
            # Local servers (Ollama, vLLM) take any key, but the openai client insists on one.
            api_key=settings.api_key or "not-needed",
            timeout=settings.timeout,
            max_retries=0,  # tenacity retries, so each attempt is seen and logged
            # openai 3 types this as its httpx2 fork's Client; an httpx Client serves it the same
            # (the tests drive both hooks over real HTTP).
            http_client=httpx.Client(  # type: ignore[arg-type]
                transport=_Deadline(settings.timeout),
                timeout=settings.timeout,
                follow_redirects=True,
                event_hooks={"response": [_same_origin_redirects_only]},
            ),
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
        except (openai.OpenAIError, InstructorError, ValueError, CrossOriginRedirect) as e:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise BackendError(
                f"LLM endpoint {self._shown} (model {s.model}) failed after {attempts} attempt(s): "
                + self._scrub(_one_line(e))
            ) from e

    def _scrub(self, text: str) -> str:
        """``text`` without the base URL's ``user:password@``, should an error quote the URL."""
        return text.replace(self.settings.base_url, self._shown)

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
            cause = _redirect_in(e) or cause  # not retried: raised as itself
            last = e.last_completion if isinstance(e, InstructorRetryException) else None
            error = self._scrub(_one_line(cause))
            on_attempt(Attempt(time.perf_counter() - t0, *_tokens(last), _answer_text(last), error))
            raise cause from None
        on_attempt(Attempt(time.perf_counter() - t0, *_tokens(completion), _answer_text(completion), None))
        return answer
