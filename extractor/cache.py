"""What one process works out and the next can read back: marshal files in the user
cache folder, and regular expressions compiled from the programs kept there.

Python compiles a regular expression in pure Python each time a process starts: the
parser's and the claim reader's ~120 module-level patterns were ~20 ms of every
worker's start, the claims catalogue's few hundred far more. A compiled program (what
``re`` hands its C engine) depends only on the pattern and the interpreter, so it is
kept on disk and handed back to the engine; it also names the characters a match
starts with where ``re`` does not (:func:`program_of`). The files are marshal data, never pickle:
reading one runs no code. Anything missing, damaged, unreadable or unwritable falls
back to ``re.compile``: the cache only saves time. ``NIANBAO_CATALOGUE_CACHE`` names
the folder, or is ``off``.
"""

from __future__ import annotations

import atexit
import importlib
import marshal
import os
import re
import sys
from array import array
from pathlib import Path
from typing import Any

from .resources import user_dir

#: The cache folder: ``NIANBAO_CATALOGUE_CACHE`` ("off" for none), else the user cache folder.
ENV = "NIANBAO_CATALOGUE_CACHE"

# CPython's regex parser, code generator and the engine's own constructor: private, so typed loosely.
_sre: Any = importlib.import_module("_sre")
_compiler: Any = importlib.import_module("re._compiler")
_c: Any = importlib.import_module("re._constants")
_parser: Any = importlib.import_module("re._parser")

#: How this module writes programs (:func:`program_of`): a new layout is a new file.
_LAYOUT = 2
#: flags, program, groups, group index and group names of a compiled pattern; the program
#: as the bytes of a 32-bit array, which loads as one object where a list of ints loaded as thousands
Program = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]
_WORD = "I"


def folder() -> Path | None:
    """Where cache files go, or None when caching is off."""
    where = os.environ.get(ENV)
    if where == "off":
        return None
    return Path(where) if where else user_dir("cache") / "catalogues"


def _written(path: Path) -> float:
    """When ``path`` was written (0 when it is gone)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def load(path: Path) -> Any:
    """What a cache file holds, or None when it is missing or damaged."""
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


#: Files of one kind kept side by side (the newest): two installed versions or checkouts
#: that take turns then each find their own, instead of each making the other's next start cold.
KEEP = 4


def save(path: Path, data: Any) -> None:
    """Write ``data`` to ``path`` atomically, removing the oldest files of the same kind
    beyond :data:`KEEP` (another process may be reading one: it is replaced, never
    truncated); silently not when it cannot."""
    import tempfile  # only a process that writes a cache file needs it (~3 ms of a start)

    stem = path.name.rsplit("-", 1)[0]
    try:
        blob = marshal.dumps(data)
        path.parent.mkdir(parents=True, exist_ok=True)
        others = sorted((p for p in path.parent.glob(f"{stem}-*.marshal") if p != path), key=_written, reverse=True)
        for old in others[KEEP - 1 :]:
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


def parse(pattern: str, flags: int = 0) -> Any:
    """The parsed form of ``pattern`` (``re._parser``'s), for :func:`program_of`; raises ``re.error``."""
    return _parser.parse(pattern, flags)


def program_of(parsed: Any, flags: int = 0) -> Program:
    """The program ``re._compiler.compile`` would hand the engine for a parsed pattern,
    except that where ``re`` finds no literal or class the pattern starts with, its info
    block names the class every match starts with (:func:`first_chars`), so that a
    search skips in C to the characters that can start a match instead of trying the
    whole pattern at every position. It matches exactly as ``re.compile``'s."""
    code = _compiler._code(parsed, flags)
    first = first_chars(parsed)
    if first:
        code = _starting_with(code, first, parsed.state.flags | flags)
    code = [int(op) for op in code]  # plain ints: opcodes are an int subclass
    groupindex = dict(parsed.state.groupdict)
    names: list[str | None] = [None] * parsed.state.groups
    for k, i in groupindex.items():
        names[i] = k
    # plain ints: marshal refuses the RegexFlag a pattern compiled with re.I carries
    return int(parsed.state.flags), array(_WORD, code).tobytes(), parsed.state.groups, groupindex, tuple(names)


def _starting_with(code: list[Any], first: ClassItems, flags: int) -> list[Any]:
    """``code`` with an info block that names the class ``first``, as ``re`` writes one
    for a pattern that starts with a class; as it is when ``re`` found a prefix or a
    class itself, or the pattern may match empty (its minimum width is 0)."""
    if code[0] != _c.INFO or code[2] != 0 or code[3] == 0:
        return code
    info = [_c.INFO, 0, _c.SRE_INFO_CHARSET, code[3], code[4]]
    charset, _cased = _compiler._optimize_charset(first)
    _compiler._compile_charset(charset, flags, info)
    info[1] = len(info) - 1  # the skip over the block
    return info + code[1 + code[1] :]


# -- the class a match starts with ------------------------------------------------------------------

#: A class as ``re``'s parser writes one: (LITERAL, code), (RANGE, (low, high)) or (CATEGORY, name).
ClassItems = list[tuple[Any, Any]]
_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)
#: Items that take no character: what follows them starts the match.
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
#: The categories a starting class may hold (``\\w`` and the negated ones hold
#: almost every character: nothing to skip).
_CATEGORIES = (_c.CATEGORY_DIGIT, _c.CATEGORY_SPACE)


def first_chars(parsed: Any) -> ClassItems | None:
    """The class every match of a parsed pattern starts with (through lookarounds,
    anchors, optional and repeated parts, alternatives); None when a match may be
    empty or start with a character unknown here (any, a negated class, a back
    reference), too common to skip to (``\\w``) or case folded. Sound, not complete."""
    if parsed.state.flags & _c.SRE_FLAG_IGNORECASE:
        return None  # case folded: the class would have to be too
    found = _starts(parsed)
    return found[0] if found is not None and not found[1] else None


def _starts(items: Any) -> tuple[ClassItems, bool] | None:
    """The class items a match of the sequence ``items`` can start with, and
    whether it can match empty (then what follows it may start the match too)."""
    out: ClassItems = []
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        found = _start(op, av)
        if found is None:
            return None
        out += found[0]
        if not found[1]:
            return out, False
    return out, True


def _start(op: Any, av: Any) -> tuple[ClassItems, bool] | None:
    if op is _c.LITERAL:
        return [(op, av)], False
    if op is _c.IN:
        plain = all(o in (_c.LITERAL, _c.RANGE) or (o is _c.CATEGORY and a in _CATEGORIES) for o, a in av)
        return (list(av), False) if plain else None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return None if add_flags & _c.SRE_FLAG_IGNORECASE else _starts(body)
    if op is _c.ATOMIC_GROUP:
        return _starts(av)
    if op in _REPEATS:
        low, _high, body = av
        found = _starts(body)
        return None if found is None else (found[0], found[1] or low == 0)
    if op is _c.BRANCH:
        out: ClassItems = []
        empty = False
        for branch in av[1]:
            found = _starts(branch)
            if found is None:
                return None
            out += found[0]
            empty = empty or found[1]
        return out, empty
    return None  # any character, a back reference, a conditional: unknown


def from_program(pattern: str, program: Program) -> re.Pattern[str]:
    """The compiled pattern of a program (raises when the program is damaged or of another engine)."""
    flags, code, groups, groupindex, names = program
    compiled: re.Pattern[str] = _sre.compile(pattern, flags, array(_WORD, code).tolist(), groups - 1, groupindex, names)
    return compiled


class _Programs:
    """This machine's programs of the package's own patterns, in one file per interpreter."""

    def __init__(self) -> None:
        where = folder()
        engine = f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}-{getattr(_sre, 'MAGIC', '')}"
        # LAYOUT: programs that name their first characters are not read from a file of re's own
        self.path = where / f"patterns-{_LAYOUT}-{engine}.marshal" if where is not None else None
        loaded = load(self.path) if self.path is not None else None
        self.programs: dict[str, Program] = loaded if isinstance(loaded, dict) else {}
        self.new = False

    def compile(self, pattern: str, flags: int) -> re.Pattern[str]:
        key = f"{int(flags)}:{pattern}"
        program = self.programs.get(key)
        if program is not None:
            try:
                return from_program(pattern, program)
            except Exception:  # damaged, or of another layout: compiled afresh below
                pass
        if self.path is None:
            return re.compile(pattern, flags)
        self.programs[key] = program = program_of(parse(pattern, flags), flags)
        self.new = True
        try:
            return from_program(pattern, program)
        except Exception:  # the engine changed its constructor: plain re from now on
            self.path = None
            return re.compile(pattern, flags)

    def save(self) -> None:
        if self.new and self.path is not None:
            save(self.path, self.programs)
            self.new = False


_programs: _Programs | None = None


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from the program this machine kept when it has one
    (new programs are written at exit, or by :func:`save_patterns`)."""
    global _programs
    if _programs is None:
        _programs = _Programs()
        atexit.register(_programs.save)
    return _programs.compile(pattern, flags)


def save_patterns() -> None:
    """Write the programs compiled since the cache was read (a forked worker never
    runs exit handlers, so it saves after warming up)."""
    if _programs is not None:
        _programs.save()
