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

from ..errors import ConfigError
from ..result import Usage
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
    :class:`ConfigError` says how to install it) and opens the cache.
    """

    def __init__(self, settings: LLMSettings, source: str) -> None:
        self.settings = settings
        self.source = source
        self.usage = Usage()
        self._client: Client | None = None
        self._cache: AnswerCache | None = None

    def __enter__(self) -> Session:
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

    def ask(self, prompt: Prompt, user: str, response_model: type[M]) -> M:
        """The model's answer to ``prompt`` (the system message) about ``user``."""
        assert self._client is not None, "Session.ask outside `with Session(...)`"
        input_sha = hashlib.sha256(user.encode("utf-8")).hexdigest()

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

        key = cache_key(self.settings.model, prompt.sha256, input_sha)
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
