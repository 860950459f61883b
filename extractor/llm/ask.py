"""One question to the model on behalf of one extraction: answered from the
cache when it can be, else by the endpoint; every answer logged, its cost
counted in :class:`~extractor.result.Usage`.

The openai/instructor client and the answer cache are imported here, when a session
opens, so the parser path never loads them.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import BackendError, ConfigError
from ..record import replace
from ..result import Usage
from .cassette import Recorded, read_cassette, record
from .log import CallRecord, check_writable, public_url, write_call
from .prompts import Prompt
from .settings import LLMSettings

if TYPE_CHECKING:
    from .cache import AnswerCache
    from .client import Attempt, Client

M = TypeVar("M", bound=BaseModel)


def cache_key(model: str, prompt_sha256: str, input_sha256: str) -> str:
    """Same model, same prompt file, same input: same answer."""
    return hashlib.sha256(f"{model}\0{prompt_sha256}\0{input_sha256}".encode()).hexdigest()


class Session:
    """Asks questions for one document; ``usage`` adds up what they cost.

    Use as a context manager: entering imports the ``llm`` extra (a
    :class:`ConfigError` says how to install it) and opens the cache; leaving
    prices the tokens spent (``usage.cost_usd``). Replaying a cassette needs
    neither the extra nor the cache: no request is made.
    """

    def __init__(self, settings: LLMSettings, source: str) -> None:
        self.settings = settings
        self.source = source
        self.usage = Usage()
        self._client: Client | None = None
        self._cache: AnswerCache | None = None
        self._replay: dict[str, Recorded] | None = None

    def __enter__(self) -> Session:
        if self.settings.replay is not None:
            self._replay = read_cassette(self.settings.replay)
            return self
        try:
            from .cache import AnswerCache
            from .client import Client
        except ImportError as e:
            raise ConfigError(
                f"the llm and hybrid backends need the llm extra ({e.name} is missing): pip install 'nianbao[llm]'"
            ) from None
        check_writable(self.settings.log_db)
        self._client = Client(self.settings)
        if self.settings.cache:
            try:
                self._cache = AnswerCache(self.settings.cache_dir)
            except (OSError, sqlite3.Error) as e:
                raise ConfigError(f"cannot open the answer cache {self.settings.cache_dir}: {e}") from None
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._cache is not None:
            self._cache.close()
        price = self.settings.price
        if price is not None:
            self.usage.cost_usd = price.cost(self.usage.prompt_tokens, self.usage.completion_tokens)

    def ask(self, prompt: Prompt, user: str, response_model: type[M]) -> M:
        """The model's answer to ``prompt`` (the system message) about ``user``."""
        input_sha = hashlib.sha256(user.encode("utf-8")).hexdigest()
        key = cache_key(self.settings.model, prompt.sha256, input_sha)
        if self._replay is not None:
            return self._replayed(key, prompt, response_model)
        before = replace(self.usage)
        answer = self._ask(key, prompt, user, input_sha, response_model)
        if self.settings.record is not None:
            record(self.settings.record, key, Recorded(
                model=self.settings.model, task=prompt.name, source=self.source,
                answer=answer.model_dump(mode="json"),
                prompt_tokens=self.usage.prompt_tokens - before.prompt_tokens,
                completion_tokens=self.usage.completion_tokens - before.completion_tokens,
                requests=self.usage.llm_calls - before.llm_calls,
            ))
        return answer

    def _replayed(self, key: str, prompt: Prompt, response_model: type[M]) -> M:
        """The recorded answer, counted with the tokens it cost when recorded."""
        assert self._replay is not None
        hit = self._replay.get(key)
        if hit is None:
            raise BackendError(
                f"{self.source}: the cassette {self.settings.replay} has no answer from model "
                f"{self.settings.model} to this {prompt.name} question (recorded with another prompt or input?)"
            )
        try:
            answer = response_model.model_validate(hit.answer)
        except ValidationError as e:
            raise BackendError(f"{self.settings.replay}: recorded answer does not fit the schema: {e}") from None
        self.usage.replayed += 1
        self.usage.prompt_tokens += hit.prompt_tokens
        self.usage.completion_tokens += hit.completion_tokens
        return answer

    def _ask(self, key: str, prompt: Prompt, user: str, input_sha: str, response_model: type[M]) -> M:
        """From the cache, else from the endpoint; logged either way."""
        assert self._client is not None, "Session.ask outside `with Session(...)`"

        def log(seconds: float, tokens: tuple[int, int], response: str | None, error: str | None, cached: bool) -> None:
            write_call(
                self.settings.log_db,
                CallRecord(
                    task=prompt.name, source=self.source, base_url=public_url(self.settings.base_url),
                    model=self.settings.model,
                    prompt_sha256=prompt.sha256, input_sha256=input_sha, prompt_tokens=tokens[0],
                    completion_tokens=tokens[1], duration_ms=round(seconds * 1000), cached=cached,
                    response=response, error=error,
                ),
            )

        t0 = time.perf_counter()
        hit = self._cache.get(key) if self._cache is not None else None
        if hit is not None:
            try:
                answer = response_model.model_validate_json(hit)
            except ValidationError:
                pass  # written for an older answer model: ask again
            else:
                self.usage.cache_hits += 1
                log(time.perf_counter() - t0, (0, 0), hit, None, True)
                return answer

        def attempted(a: Attempt) -> None:
            self.usage.llm_calls += 1
            self.usage.prompt_tokens += a.prompt_tokens
            self.usage.completion_tokens += a.completion_tokens
            log(a.seconds, (a.prompt_tokens, a.completion_tokens), a.response, a.error, False)

        messages = [{"role": "system", "content": prompt.text}, {"role": "user", "content": user}]
        answer = self._client.ask(messages, response_model, attempted)
        if self._cache is not None:
            self._cache.put(key, answer.model_dump_json())
        return answer
