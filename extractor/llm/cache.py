"""Model answers on disk, so re-running an extraction (or the eval) on the same
document with the same model and prompt costs nothing and gives the same result.

Keys come from :func:`extractor.llm.ask.cache_key` (model + prompt hash + input
hash); an entry the current answer model no longer validates is a miss there.
Each answer is a JSON file named by the hash of its key: reading one parses
text, never unpickles, so whoever can write the folder cannot make nianbao run
code (diskcache unpickles what its database says is a pickle).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path


class AnswerCache:
    """A folder of ``<sha256 of key>.json`` files, each ``{"key": ..., "answer": ...}``."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._dir = directory

    def _path(self, key: str) -> Path:
        return self._dir / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()}.json"

    def get(self, key: str) -> str | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None  # absent, unreadable or not ours: a miss
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("answer"), str):
            return None
        return str(entry["answer"])

    def put(self, key: str, answer_json: str) -> None:
        """Write atomically (a temporary file renamed), so a reader never sees half an answer."""
        fd, tmp = tempfile.mkstemp(dir=self._dir, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"key": key, "answer": answer_json}, f, ensure_ascii=False)
            os.replace(tmp, self._path(key))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def close(self) -> None:
        """Nothing stays open between calls."""
