"""Prompt files, read at run time from ``prompts/`` so they can be read and
changed without touching code; each is identified by its content hash, which
goes into the result's provenance, the cache key and the call log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..errors import ConfigError
from ..resources import data_dir


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    text: str
    sha256: str


def load_prompt(name: str) -> Prompt:
    """The prompt ``prompts/<name>.md``."""
    path = data_dir("prompts") / f"{name}.md"
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read prompt file {path}: {e}") from None
    return Prompt(name, text, hashlib.sha256(raw).hexdigest())
