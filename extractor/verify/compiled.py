"""The rule catalogues as read and compiled once, kept on disk.

Each process would otherwise parse ``rules/*.yaml`` (importing PyYAML) and compile
the claims catalogue's few hundred long patterns in pure Python — most of the
start-up of an extraction. This keeps each file's parsed YAML, and each compiled
program (what ``re`` hands its C engine), in files named by the content hash (and,
for programs, the interpreter), so a changed rule file or another Python never
reads a stale entry. Anything unreadable, unwritable or refused falls back to
parsing and ``re.compile``: the cache only saves time.
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

from ..errors import ConfigError
from ..resources import user_dir
from .literals import Needs, needed

# CPython's regex compiler and the engine's own constructor: private, so typed loosely.
_sre: Any = importlib.import_module("_sre")
_compiler: Any = importlib.import_module("re._compiler")
_parser: Any = importlib.import_module("re._parser")

#: Where the compiled catalogues go: ``NIANBAO_CATALOGUE_CACHE`` ("off" for none), else the user cache folder.
ENV = "NIANBAO_CATALOGUE_CACHE"

#: flags, program, groups, group index, group names, and what a match needs (see :mod:`.literals`)
_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...], tuple[tuple[str, ...], int | None]]


def _folder() -> Path | None:
    where = os.environ.get(ENV)
    if where == "off":
        return None
    return Path(where) if where else user_dir("cache") / "catalogues"


def _load(path: Path) -> Any:
    """What a cache file holds, or None when it is missing or damaged."""
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _save(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` atomically, replacing the files of older content
    (another process may be reading one: it is replaced, never truncated); silently
    not when it cannot."""
    stem = path.name.rsplit("-", 1)[0]
    try:
        blob = marshal.dumps(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{stem}-*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except (OSError, ValueError):  # ValueError: data marshal cannot hold (a YAML date)
        return


def read_yaml(path: Path) -> Any:
    """Parsed YAML of one catalogue file; any read or syntax error names the file."""
    try:
        content = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read rule file: {e.strerror or e}", path=str(path)) from e
    folder = _folder()
    cached = folder / f"yaml-{path.stem}-{hashlib.sha256(content).hexdigest()[:20]}.marshal" if folder else None
    if cached is not None and (data := _load(cached)) is not None:
        return data
    import yaml  # lazily: with the parsed files cached, a process never imports PyYAML

    try:
        data = yaml.load(content.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        # YAML errors span several lines; the CLI prints one.
        raise ConfigError("cannot read rule file: " + " ".join(str(e).split()), path=str(path)) from e
    if cached is not None and data is not None:
        _save(cached, data)
    return data


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
            loaded = _load(self._path)
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
        if self._dirty and self._path is not None:
            _save(self._path, self._entries)
            self._dirty = False
