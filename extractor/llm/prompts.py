"""Prompt files, read at run time from ``prompts/`` so they can be read and
changed without touching code; each is identified by its content hash, which
goes into the result's provenance, the cache key and the call log."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    text: str
    sha256: str


def prompts_dir() -> Path:
    """``prompts/`` of the source tree, else the copy a wheel installs in ``_data``."""
    package = Path(__file__).resolve().parents[1]
    source = package.parent / "prompts"
    return source if source.is_dir() else package / "_data" / "prompts"


def load_prompt(name: str) -> Prompt:
    """The prompt ``prompts/<name>.md``."""
    path = prompts_dir() / f"{name}.md"
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read prompt file {path}: {e}") from None
    return Prompt(name, text, hashlib.sha256(raw).hexdigest())
