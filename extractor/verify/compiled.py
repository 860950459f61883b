"""The rule catalogues as validated and compiled once, kept on disk.

Each process would otherwise parse ``rules/*.yaml`` (importing PyYAML), validate it
(importing pydantic and building its validators) and compile the claims catalogue's
few hundred long patterns in pure Python — most of the start-up of an extraction.
This keeps each catalogue's validated form as plain data, and each compiled program
(what ``re`` hands its C engine), in files named by the content hash of what feeds
them (the rule files, the code and version that validate them, the interpreter), so a
changed file, a code change or another Python never reads a stale entry. The files
are :mod:`extractor.cache`'s (marshal data, never pickle). Anything unreadable,
unwritable or refused falls back to validating and ``re.compile``: the cache only
saves time.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..cache import Program, first_chars, folder, from_program, load, parse, program_of, save
from ..errors import ConfigError
from ..resources import nianbao_version
from .literals import Needs, needed

T = TypeVar("T")

#: a pattern's program, the strings a match needs and how far into it (see :mod:`.literals`)
_Entry = tuple[Program, tuple[str, ...], int | None]


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
_CODE = (
    "cache.py", "template.py", "verify/catalogue.py", "verify/claims.py", "verify/compiled.py", "verify/literals.py"
)


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
    where, code = folder(), _code_key()
    path = None
    if where is not None and code is not None:
        key = hashlib.sha256(code)
        for content in inputs:
            key.update(len(content).to_bytes(8, "little") + content)
        path = where / f"{name}-{key.hexdigest()[:20]}.marshal"
        form = load(path)
        if form is not None:
            try:
                return build(form)
            except Exception:  # damaged (or of another layout): validated afresh below
                pass
    form = validate()
    if path is not None:
        save(path, form)
    return build(form)


class RegexCache:
    """Compiled patterns of one catalogue (``name``, its source bytes ``content``)."""

    def __init__(self, name: str, content: bytes) -> None:
        where, code = folder(), _code_key()
        self._path = None
        if where is not None and code is not None:
            key = hashlib.sha256(code + content)
            self._path = where / f"{name}-{key.hexdigest()[:20]}.marshal"
        self._entries: dict[str, _Entry] = {}
        self._needs: dict[str, Needs] = {}
        self._dirty = False
        if self._path is not None:
            loaded = load(self._path)
            if isinstance(loaded, dict):
                self._entries = loaded

    def compile(self, pattern: str) -> re.Pattern[str]:
        """``re.compile(pattern)`` (matching as it does: :func:`~extractor.cache.program_of`),
        from the cached program when there is one."""
        entry = self._entries.get(pattern)
        if entry is not None:
            try:
                program, strings, reach = entry
                compiled = from_program(pattern, program)
                self._needs[pattern] = Needs(strings, reach)
                return compiled
            except Exception:  # a damaged entry (or one of an older layout): compile afresh below
                pass
        parsed = parse(pattern)
        needs = needed(parsed)
        if first_chars(parsed) is not None:
            needs = Needs(needs.strings)  # its program skips to where a match starts: no windows needed
        self._needs[pattern] = needs
        program = program_of(parsed)
        try:
            compiled = from_program(pattern, program)
        except Exception:  # the engine changed its constructor: no cache, plain re
            self._path = None
            return re.compile(pattern)
        if self._path is not None:
            self._entries[pattern] = (program, needs.strings, needs.reach)
            self._dirty = True
        return compiled

    def needs(self, pattern: str) -> Needs:
        """What every match of ``pattern`` (compiled here) needs (:mod:`.literals`)."""
        return self._needs.get(pattern, Needs())

    def save(self) -> None:
        """Write the programs compiled since loading (atomically; silently not when it cannot)."""
        if self._dirty and self._path is not None:
            save(self._path, self._entries)
            self._dirty = False
