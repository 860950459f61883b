"""Recorded answers in one JSON file, so a comparison run once with a key can
be re-scored by anyone, offline, without one.

``nianbao eval --record FILE`` writes every answer a run uses (fresh or from
the cache) under its cache key (model + prompt hash + input hash), with the
tokens and requests it cost when it was asked; ``--replay FILE`` answers from
the file and never opens a connection. A question the file has no answer for is
a :class:`BackendError`, not a silent request.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, NonNegativeInt, ValidationError

from ..errors import ConfigError

_LOCK = threading.Lock()
VERSION = 1


class Recorded(BaseModel):
    """One answer and what it cost when it was asked."""

    model_config = ConfigDict(extra="forbid")

    model: str
    task: str
    source: str
    answer: dict[str, Any]
    prompt_tokens: NonNegativeInt = 0
    completion_tokens: NonNegativeInt = 0
    requests: NonNegativeInt = 0


def read_cassette(path: Path) -> dict[str, Recorded]:
    """The answers recorded in ``path`` by key; a missing or malformed file is a :class:`ConfigError`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"not a version {VERSION} nianbao cassette")
        return {k: Recorded.model_validate(v) for k, v in data["answers"].items()}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, AttributeError, ValidationError) as e:
        raise ConfigError(f"cannot read the answer cassette {path}: {e}") from None


def record(path: Path, key: str, entry: Recorded) -> None:
    """Add (or replace) one answer in the cassette at ``path``, written whole and atomically."""
    with _LOCK:
        answers = {k: v.model_dump() for k, v in read_cassette(path).items()} if path.exists() else {}
        answers[key] = entry.model_dump()
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"version": VERSION, "answers": answers}, ensure_ascii=False, indent=1),
                           encoding="utf-8")
            tmp.replace(path)
        except OSError as e:
            raise ConfigError(f"cannot write the answer cassette {path}: {e}") from None
