"""Model answers on disk, so re-running an extraction (or the eval) on the same
document with the same model and prompt costs nothing and gives the same result.

Keys come from :func:`extractor.llm.ask.cache_key` (model + prompt hash + input
hash); an entry the current answer model no longer validates is a miss there.
A diskcache folder whose keys and answers are text: diskcache would unpickle a
value or key its database marks as a pickle, so whoever can write the folder
could make nianbao run code — :class:`TextOnlyDisk` refuses those entries, and a
refused or unreadable entry is a miss.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import diskcache  # type: ignore[import-untyped]
from diskcache.core import MODE_PICKLE  # type: ignore[import-untyped]


class NotText(Exception):
    """An entry stored as a pickle: never read."""


class TextOnlyDisk(diskcache.Disk):  # type: ignore[misc]
    """diskcache's serialiser, minus unpickling: str keys and values are stored as
    text by diskcache already, so only a planted entry takes the refused path."""

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise NotText
        return super().get(key, raw)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == MODE_PICKLE:
            raise NotText
        return super().fetch(mode, filename, value, read)


class AnswerCache:
    """A diskcache folder of answer JSON texts."""

    def __init__(self, directory: Path) -> None:
        self._cache = diskcache.Cache(str(directory), disk=TextOnlyDisk)

    def get(self, key: str) -> str | None:
        try:
            value = self._cache.get(key)
        except (NotText, OSError, sqlite3.Error, UnicodeDecodeError):
            return None
        return value if isinstance(value, str) else None

    def put(self, key: str, answer_json: str) -> None:
        self._cache.set(key, answer_json)

    def close(self) -> None:
        self._cache.close()
