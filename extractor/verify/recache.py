"""Regular expressions compiled once per catalogue and kept on disk.

The claims catalogue is a few hundred long patterns; Python's ``re`` parses and
compiles them in pure Python, which was most of a command's start-up. This keeps
each compiled program (what ``re`` hands its C engine) in one file per catalogue,
named by the catalogue's content hash and the interpreter, so a changed rule file
or another Python never reads a stale entry. Anything unreadable, unwritable or
refused by the engine falls back to ``re.compile``: the cache only saves time.
"""

from __future__ import annotations

import hashlib
import importlib
import marshal
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..resources import user_dir
from .literals import Needs, needed

# CPython's regex compiler and the engine's own constructor: private, so typed loosely.
_sre: Any = importlib.import_module("_sre")
_compiler: Any = importlib.import_module("re._compiler")
_parser: Any = importlib.import_module("re._parser")

#: Where the compiled catalogues go: ``NIANBAO_REGEX_CACHE`` ("off" for none), else the user cache folder.
ENV = "NIANBAO_REGEX_CACHE"

#: flags, program, groups, group index, group names, and the strings a match needs (see :mod:`.literals`)
_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...], tuple[tuple[str, ...], int | None]]


def _folder() -> Path | None:
    where = os.environ.get(ENV)
    if where == "off":
        return None
    return Path(where) if where else user_dir("cache") / "regex"


class RegexCache:
    """Compiled patterns of one catalogue (``name``, its source bytes ``content``)."""

    def __init__(self, name: str, content: bytes) -> None:
        key = hashlib.sha256(content + sys.version.encode() + str(getattr(_sre, "MAGIC", "")).encode())
        folder = _folder()
        self._name = name
        self._path = folder / f"{name}-{key.hexdigest()[:20]}.marshal" if folder else None
        self._entries: dict[str, _Entry] = {}
        self._needs: dict[str, Needs] = {}
        self._dirty = False
        if self._path is not None:
            try:
                loaded: Any = marshal.loads(self._path.read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                loaded = None
            if isinstance(loaded, dict):
                self._entries = loaded

    def compile(self, pattern: str) -> re.Pattern[str]:
        """``re.compile(pattern)``, from the cached program when there is one."""
        entry = self._entries.get(pattern)
        if entry is not None:
            try:
                flags, code, groups, groupindex, indexgroup, needs = entry
                compiled: re.Pattern[str] = _sre.compile(pattern, flags, code, groups - 1, groupindex, indexgroup)
                self._needs[pattern] = Needs(*needs)
                return compiled
            except Exception:  # a damaged entry (or one of an older layout): compile afresh below
                pass
        # What re._compiler.compile does, keeping the program it builds.
        parsed = _parser.parse(pattern, 0)
        self._needs[pattern] = needs = needed(parsed)
        if self._path is None:
            return re.compile(pattern)
        code = [int(op) for op in _compiler._code(parsed, 0)]  # plain ints: opcodes are an int subclass
        groupindex = dict(parsed.state.groupdict)
        names: list[str | None] = [None] * parsed.state.groups
        for k, i in groupindex.items():
            names[i] = k
        entry = (parsed.state.flags, code, parsed.state.groups, groupindex, tuple(names), (needs.strings, needs.reach))
        try:
            compiled = _sre.compile(pattern, entry[0], code, entry[2] - 1, groupindex, entry[4])
        except Exception:  # the engine changed its constructor: no cache, plain re
            self._path = None
            return re.compile(pattern)
        self._entries[pattern] = entry
        self._dirty = True
        return compiled

    def needs(self, pattern: str) -> Needs:
        """What every match of ``pattern`` (compiled here) needs (:mod:`.literals`)."""
        return self._needs.get(pattern, Needs())

    def save(self) -> None:
        """Write the programs compiled since loading (atomically; silently not when it cannot)."""
        if not self._dirty or self._path is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            for old in self._path.parent.glob(f"{self._name}-*.marshal"):
                if old != self._path:  # another process may be reading this one: it is replaced atomically
                    old.unlink(missing_ok=True)
            data = marshal.dumps(self._entries)
            fd, tmp = tempfile.mkstemp(dir=self._path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                os.replace(tmp, self._path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        except (OSError, ValueError):
            return
        self._dirty = False
