"""One structured request to an OpenAI-compatible endpoint.

Two kinds of retry, kept apart so neither multiplies the other:

- **Re-asks** (instructor, at most ``max_reasks``): an answer that does not fit
  the schema is sent back to the model with the validation error in the
  conversation, so it can fix what it got wrong instead of repeating it.
- **Transport retries** (tenacity, at most ``max_retries`` for the whole
  question, re-asks included): connection errors, timeouts, 408/409/429 and
  5xx. A 429 or 503 waits what its ``Retry-After`` header says (seconds or an
  HTTP date); anything else waits an exponential backoff with full jitter.

A question therefore sends at most ``1 + max_reasks + max_retries`` requests,
and never waits past its ``deadline``: a wait that would end after it ends the
question now. Anything that fails for good is a :class:`BackendError` naming the
endpoint. Every HTTP request is reported to ``on_attempt`` for the log.

The document is untrusted and so is the endpoint: a whole request (body included)
is bounded by the timeout, a redirect to another origin is not followed (nor
retried), and a ``user:password@`` in the base URL is never shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
import instructor
import openai
from instructor.core import InstructorError, InstructorRetryException
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_random_exponential

from ..errors import BackendError
from .log import public_url
from .settings import LLMSettings

M = TypeVar("M", bound=BaseModel)

# Instructor logs each failed attempt at ERROR; the BackendError says it once.
# A NullHandler keeps Python's last-resort handler from printing them to stderr
# while an application that configures logging still sees them.
logging.getLogger("instructor").addHandler(logging.NullHandler())

#: Statuses whose ``Retry-After`` header is honoured.
RATE_LIMITED = (429, 503)


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
    """The refused redirect behind ``e`` (openai and instructor wrap it), if any."""
    seen: BaseException | None = e
    for _ in range(8):
        if seen is None or isinstance(seen, CrossOriginRedirect):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _transient(e: BaseException) -> bool:
    """Worth retrying: the request may succeed as it is."""
    if _redirect_in(e) is not None:
        return False
    if isinstance(e, openai.APIConnectionError):  # includes timeouts
        return True
    return isinstance(e, openai.APIStatusError) and (e.status_code in (408, 409, 429) or e.status_code >= 500)


def retry_after(e: BaseException | None, now: datetime | None = None) -> float | None:
    """Seconds a 429/503 asks us to wait (``Retry-After``: seconds or an HTTP date); None if it does not say."""
    if not isinstance(e, openai.APIStatusError) or e.status_code not in RATE_LIMITED:
        return None
    value = (e.response.headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _one_line(e: BaseException) -> str:
    e = _redirect_in(e) or e
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


class _Question:
    """The state one question shares across its requests: retry budget, deadline, the answer awaiting validation."""

    def __init__(self, settings: LLMSettings, on_attempt: Callable[[Attempt], None]) -> None:
        self.on_attempt = on_attempt
        self.deadline = time.monotonic() + settings.deadline
        self.retries_left = settings.max_retries
        self.requests = 0
        #: Why retrying stopped early, when a wait would have outlasted the deadline.
        self.note = ""
        #: The last answer received, reported once instructor has validated (or rejected) it.
        self.pending: Attempt | None = None

    def settle(self, error: str | None) -> None:
        if self.pending is not None:
            self.on_attempt(replace(self.pending, error=error))
            self.pending = None


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
            # (tests/hostile drive both hooks over real HTTP).
            http_client=httpx.Client(  # type: ignore[arg-type]
                transport=_Deadline(settings.timeout),
                timeout=settings.timeout,
                follow_redirects=True,
                event_hooks={"response": [_same_origin_redirects_only]},
            ),
        )
        self._send = raw.chat.completions.create
        # Instructor calls this for every request it makes, re-asks included: the
        # transport retries go around each one, under the question's shared budget.
        raw.chat.completions.create = self._create  # type: ignore[method-assign]
        mode = instructor.Mode.TOOLS if settings.mode == "tools" else instructor.Mode.JSON
        self._instructor = instructor.from_openai(raw, mode=mode)
        self._instructor.on("parse:error", self._rejected)
        self._question: _Question | None = None

    def ask(
        self, messages: list[dict[str, str]], response_model: type[M], on_attempt: Callable[[Attempt], None]
    ) -> M:
        """The validated answer; :class:`BackendError` when the endpoint fails for good.
        ``on_attempt`` hears about every HTTP request, failed or not."""
        s = self.settings
        q = self._question = _Question(s, on_attempt)
        try:
            answer: M = self._instructor.chat.completions.create(
                model=s.model,
                messages=messages,  # type: ignore[arg-type]
                response_model=response_model,
                max_retries=s.max_reasks,
                temperature=s.temperature,
            )
        except (openai.OpenAIError, InstructorError, ValueError) as e:
            # Instructor wraps the API error or the last validation error: report the cause.
            cause = e.__cause__ if isinstance(e, InstructorRetryException) and e.__cause__ is not None else e
            reason = self._scrub(_one_line(cause))
            q.settle(reason)
            raise BackendError(
                f"LLM endpoint {self._shown} (model {s.model}) failed after {q.requests} attempt(s): {reason}"
                + q.note
            ) from e
        finally:
            self._question = None
        q.settle(None)
        return answer

    def _scrub(self, text: str) -> str:
        """``text`` without the base URL's ``user:password@``, should an error quote the URL."""
        return text.replace(self.settings.base_url, self._shown)

    def _rejected(self, error: Exception, **_: Any) -> None:
        """Instructor's ``parse:error`` hook: the pending answer failed validation (a re-ask may follow)."""
        if self._question is not None:
            self._question.settle(_one_line(error))

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        asked = retry_after(outcome.exception() if outcome is not None else None)
        if asked is not None:
            return asked
        return float(wait_random_exponential(multiplier=self.settings.backoff, max=30)(state))

    def _stop(self, state: RetryCallState) -> bool:
        q = self._question
        assert q is not None
        if q.retries_left <= 0:
            return True
        if time.monotonic() + (state.upcoming_sleep or 0.0) > q.deadline:
            later, deadline = state.upcoming_sleep, self.settings.deadline
            q.note = f" (the next try would start {later:.0f} s later, past the {deadline:g} s deadline)"
            return True
        q.retries_left -= 1
        return False

    def _create(self, *args: Any, **kwargs: Any) -> Any:
        q = self._question
        assert q is not None, "Client._create outside Client.ask"
        q.settle(None)  # defensively: an answer instructor neither took nor rejected
        retrying = Retrying(stop=self._stop, wait=self._wait, retry=retry_if_exception(_transient), reraise=True)
        for attempt in retrying:
            with attempt:
                q.requests += 1
                t0 = time.perf_counter()
                left = q.deadline - time.monotonic()  # no request outlives the question
                try:
                    completion = self._send(*args, **kwargs, timeout=max(1.0, min(self.settings.timeout, left)))
                except openai.OpenAIError as e:
                    q.on_attempt(Attempt(time.perf_counter() - t0, 0, 0, None, self._scrub(_one_line(e))))
                    raise
                q.pending = Attempt(time.perf_counter() - t0, *_tokens(completion), _answer_text(completion), None)
                return completion
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover
