"""The strings a pattern cannot match without: a cheap test that skips it.

Most of the claims catalogue's phrasings name words a given report never uses
(分别, 复议后, 规范性文件…); searching the narrative for them is a C substring
search, far cheaper than running a long pattern (where a report has them, the
pattern's program skips to the characters a match starts with:
:func:`extractor.cache.program_of`). The analysis is sound, not complete: every
match contains one of the strings found; a pattern with none to offer is always run.
A pattern whose matches start with no known class (a run of any character but a
few, as in the list before 分别) would be tried at every position: where the needed
string stands a bounded distance into every match, only the starts just before
its occurrences are tried (:func:`finditer`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

_c: Any = importlib.import_module("re._constants")  # the parser's opcodes: private, so typed loosely
_p: Any = importlib.import_module("re._parser")

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)
#: A character class of more literals than this says little about a text.
_MAX_CLASS = 8


class Needs(NamedTuple):
    """Strings one of which every match contains (sorted; empty: none known), and
    how far from the match's start the one it holds begins at most (None: unbounded)."""

    strings: tuple[str, ...] = ()
    reach: int | None = None


def _choices(items: Any) -> list[tuple[frozenset[str], int]]:
    """Each set of strings one of which every match of the sequence ``items``
    contains, with the number of leading items before which it lies."""
    choices: list[tuple[frozenset[str], int]] = []
    run: list[str] = []
    for i, (op, av) in enumerate(items):
        if op is _c.LITERAL:
            if not run:
                begins = i
            run.append(chr(av))
            continue
        if run:  # consecutive literals stand next to each other in every match
            choices.append((frozenset(["".join(run)]), begins))
            run = []
        found = _element(op, av)
        if found:
            choices.append((found, i + 1))
    if run:
        choices.append((frozenset(["".join(run)]), begins))
    return choices


def _rarest(items: Any) -> tuple[frozenset[str], int] | None:
    """The longest shortest string, then the fewest alternatives."""
    return max(_choices(items), key=lambda c: (min(map(len, c[0])), -len(c[0])), default=None)


def _element(op: Any, av: Any) -> frozenset[str] | None:
    found: tuple[frozenset[str], int] | None = None
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        found = None if add_flags & _c.SRE_FLAG_IGNORECASE else _rarest(body)
    elif op is _c.ATOMIC_GROUP:
        found = _rarest(av)
    elif op in _REPEATS:
        low, _high, body = av
        found = _rarest(body) if low >= 1 else None
    elif op is _c.BRANCH:
        alternatives = [_rarest(b) for b in av[1]]
        if all(alternatives):
            return frozenset().union(*(a[0] for a in alternatives if a))
    elif op is _c.IN and len(av) <= _MAX_CLASS and all(o is _c.LITERAL for o, _ in av):
        return frozenset(chr(a) for _, a in av)
    return found[0] if found else None


def needed(parsed: Any) -> Needs:
    """What every match of a pattern parsed by ``re._parser.parse`` needs."""
    if parsed.state.flags & _c.SRE_FLAG_IGNORECASE:
        return Needs()
    found = _rarest(parsed)
    if found is None:
        return Needs()
    strings, before = found
    widest = _p.SubPattern(parsed.state, list(parsed)[:before]).getwidth()[1]
    return Needs(tuple(sorted(strings)), widest if widest < _c.MAXREPEAT else None)


#: A window search makes a Python call per position it tries; the regex engine
#: scans positions far more cheaply. Windows are searched when they cover less
#: than this share of the text.
_WINDOW_SHARE = 20


def finditer(regex: re.Pattern[str], text: str, needs: Needs) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)``, trying only the starts within ``needs.reach``
    before an occurrence of a needed string when those are few."""
    if needs.reach is None or not needs.strings:
        yield from regex.finditer(text)
        return
    reach = needs.reach
    if sum(text.count(s) for s in needs.strings) * (reach + 1) * _WINDOW_SHARE > len(text):
        yield from regex.finditer(text)
        return
    # every occurrence of a needed string, in order: each is looked for once, by a C search
    occurrences: set[int] = set()
    for s in needs.strings:
        at = text.find(s)
        while at >= 0:
            occurrences.add(at)
            at = text.find(s, at + 1)
    pos = 0
    for first in sorted(occurrences):
        if first < pos:
            continue  # inside the last match
        # the first match starting at or after pos holds an occurrence at or after this one
        for start in range(max(pos, first - reach), first + 1):
            m = regex.match(text, start)
            if m is not None:
                yield m
                pos = m.end()  # a match holds a needed string: it is never empty
                break
        else:
            pos = first + 1
