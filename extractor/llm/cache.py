"""Model answers on disk, so re-running an extraction (or the eval) on the same
document with the same model and prompt costs nothing and gives the same result.

Keys come from :func:`extractor.llm.ask.cache_key` (model + prompt hash + input
hash); an entry the current answer model no longer validates is a miss there.
"""

from __future__ import annotations

from pathlib import Path

import diskcache  # type: ignore[import-untyped]


class AnswerCache:
    """A diskcache folder of answer JSON texts."""

    def __init__(self, directory: Path) -> None:
        self._cache = diskcache.Cache(str(directory))

    def get(self, key: str) -> str | None:
        value = self._cache.get(key)
        return value if isinstance(value, str) else None

    def put(self, key: str, answer_json: str) -> None:
        self._cache.set(key, answer_json)

    def close(self) -> None:
        self._cache.close()
