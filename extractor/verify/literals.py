"""The strings a pattern cannot match without: a cheap test that skips it.

Most of the claims catalogue's phrasings name words a given report never uses
(分别, 复议后, 规范性文件…); searching the narrative for them is a C substring
search, far cheaper than running a long pattern (where a report has them, the
pattern's program skips to the characters a match starts with:
:func:`extractor.cache.program_of`). The analysis is sound, not complete: every
match contains one of the strings found; a pattern with none to offer is always run.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

_c: Any = importlib.import_module("re._constants")  # the parser's opcodes: private, so typed loosely

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)
#: A character class of more literals than this says little about a text.
_MAX_CLASS = 8


class Needs(NamedTuple):
    """Strings one of which every match contains (sorted; empty: none known)."""

    strings: tuple[str, ...] = ()


def _choices(items: Any) -> list[frozenset[str]]:
    """Each set of strings one of which every match of the sequence ``items`` contains."""
    choices: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:  # consecutive literals stand next to each other in every match
            choices.append(frozenset(["".join(run)]))
            run = []
        found = _element(op, av)
        if found:
            choices.append(found)
    if run:
        choices.append(frozenset(["".join(run)]))
    return choices


def _rarest(items: Any) -> frozenset[str] | None:
    """The longest shortest string, then the fewest alternatives."""
    return max(_choices(items), key=lambda c: (min(map(len, c)), -len(c)), default=None)


def _element(op: Any, av: Any) -> frozenset[str] | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        return None if add_flags & _c.SRE_FLAG_IGNORECASE else _rarest(body)
    if op is _c.ATOMIC_GROUP:
        return _rarest(av)
    if op in _REPEATS:
        low, _high, body = av
        return _rarest(body) if low >= 1 else None
    if op is _c.BRANCH:
        alternatives = [_rarest(b) for b in av[1]]
        return frozenset().union(*(a for a in alternatives if a)) if all(alternatives) else None
    if op is _c.IN and len(av) <= _MAX_CLASS and all(o is _c.LITERAL for o, _ in av):
        return frozenset(chr(a) for _, a in av)
    return None


def needed(parsed: Any) -> Needs:
    """What every match of a pattern parsed by ``re._parser.parse`` needs."""
    if parsed.state.flags & _c.SRE_FLAG_IGNORECASE:
        return Needs()  # case folded: any spelling matches
    found = _rarest(parsed)
    return Needs(tuple(sorted(found)) if found else ())
