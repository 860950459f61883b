"""The rule catalogues as validated and compiled once, kept on disk.

Each process would otherwise parse ``rules/*.yaml`` (importing PyYAML), validate it
(importing pydantic and building its validators) and compile the claims catalogue's
few hundred long patterns in pure Python — most of the start-up of an extraction.
This keeps each catalogue's validated form as plain data, and each compiled program
(what ``re`` hands its C engine), in files named by the content hash of what feeds
them (the rule files, the code and version that validate them, the interpreter), so a
changed file, a code change or another Python never reads a stale entry. The
files are marshal data, never pickle: reading one runs no code. Anything unreadable,
unwritable or refused falls back to validating and ``re.compile``: the cache only
saves time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import marshal
import os
import re
import sys
import tempfile
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigError
from ..resources import nianbao_version, user_dir
from .literals import Needs, needed

# CPython's regex compiler and the engine's own constructor: private, so typed loosely.
_sre: Any = importlib.import_module("_sre")
_compiler: Any = importlib.import_module("re._compiler")
_parser: Any = importlib.import_module("re._parser")

#: Where the compiled catalogues go: ``NIANBAO_CATALOGUE_CACHE`` ("off" for none), else the user cache folder.
ENV = "NIANBAO_CATALOGUE_CACHE"

T = TypeVar("T")

#: flags, program, groups, group index, group names, and what a match needs (see :mod:`.literals`);
#: the program as the bytes of an unsigned array, which loads as one object where a list
#: of ints loaded as thousands (most of the cost of reading the claims' programs)
_WORD = "I"  # the engine's code words: 32-bit unsigned
_Entry = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...], tuple[tuple[str, ...], int | None]]


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


def read_rule_file(path: Path) -> bytes:
    """The bytes of one catalogue file; a read error names the file."""
    try:
        return path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read rule file: {e.strerror or e}", path=str(path)) from e


def parse_yaml(path: Path, content: bytes) -> Any:
    """Parsed YAML of one catalogue file (``content``, read from ``path``); a syntax error names the file.

    Only a cold cache parses: PyYAML is imported here, lazily.
    """
    import yaml

    try:
        return yaml.load(content.decode("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        # YAML errors span several lines; the CLI prints one.
        raise ConfigError("cannot read rule file: " + " ".join(str(e).split()), path=str(path)) from e


#: The code that turns rule files into their validated form and finds what a pattern
#: needs (relative to the package): a change to it, even within one version, makes
#: every cached entry stale.
_CODE = ("template.py", "verify/catalogue.py", "verify/claims.py", "verify/compiled.py", "verify/literals.py")


@functools.cache
def _code_key() -> bytes | None:
    """The version, Python and the source of :data:`_CODE`; None (no caching) when a source is missing."""
    package = Path(__file__).resolve().parents[1]
    key = hashlib.sha256(f"{nianbao_version()}\0{sys.version}".encode())
    try:
        for name in _CODE:
            key.update((package / name).read_bytes())
    except OSError:
        return None
    return key.digest()


def cached_form(name: str, inputs: Sequence[bytes], validate: Callable[[], Any], build: Callable[[Any], T]) -> T:
    """``build(form)``, where ``form`` is the validated form of a catalogue as plain data
    (what marshal holds): read from the cache file keyed by ``inputs`` (the bytes of
    every file that feeds it) and :func:`_code_key`, else ``validate()``, saved there.

    A warm cache so skips validating (pydantic) and parsing (PyYAML) altogether. A
    missing, damaged or unreadable entry is validated afresh; ``validate`` raises
    :class:`ConfigError` for a bad file, which is never cached.
    """
    folder, code = _folder(), _code_key()
    path = None
    if folder is not None and code is not None:
        key = hashlib.sha256(code)
        for content in inputs:
            key.update(len(content).to_bytes(8, "little") + content)
        path = folder / f"{name}-{key.hexdigest()[:20]}.marshal"
        form = _load(path)
        if form is not None:
            try:
                return build(form)
            except Exception:  # damaged (or of another layout): validated afresh below
                pass
    form = validate()
    if path is not None:
        _save(path, form)
    return build(form)


class RegexCache:
    """Compiled patterns of one catalogue (``name``, its source bytes ``content``)."""

    def __init__(self, name: str, content: bytes) -> None:
        folder, code = _folder(), _code_key()
        self._path = None
        if folder is not None and code is not None:
            key = hashlib.sha256(code + content + str(getattr(_sre, "MAGIC", "")).encode())
            self._path = folder / f"{name}-{key.hexdigest()[:20]}.marshal"
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
                flags, program, groups, groupindex, indexgroup, needs = entry
                code = array(_WORD, program).tolist()
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
        flags, groups, program = parsed.state.flags, parsed.state.groups, array(_WORD, code).tobytes()
        entry = (flags, program, groups, groupindex, tuple(names), (needs.strings, needs.reach))
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
