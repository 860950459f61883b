"""What every match of a pattern needs: strings that skip it cheaply, and the
characters it starts with, so the regex engine skips to them.

Most of the claims catalogue's phrasings name words a given report never uses
(分别, 复议后, 规范性文件…); searching the narrative for them is a C substring
search, far cheaper than running a long pattern at every position. Where a
report has them, the pattern runs — and ``re``'s engine skips quickly to where a
match can start only when the pattern starts with a literal or a character
class. Most phrasings start with a lookbehind (``(?<!不)予以公开``), an optional
word (``已?办结``) or a number in digits or in words, where the engine tried the
whole pattern at every position; :func:`first_chars` finds the class their
matches start with, which the compiled program then names
(:func:`extractor.cache.program_of`). The analysis is sound, not complete: every
match contains one of the strings and starts with a character of the class; a
pattern with nothing to offer is run as ``re`` compiles it.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

_c: Any = importlib.import_module("re._constants")  # the parser's opcodes: private, so typed loosely

_REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT)
#: A character class of more literals than this says little about a text.
_MAX_CLASS = 8
#: Items that take no character: what follows them starts the match.
_ZERO_WIDTH = (_c.AT, _c.ASSERT, _c.ASSERT_NOT)
#: The categories a starting class may hold (``\\w`` and the negated ones hold
#: almost every character: nothing to skip).
_CATEGORIES = (_c.CATEGORY_DIGIT, _c.CATEGORY_SPACE)

#: A class as ``re``'s parser writes one: (LITERAL, code), (RANGE, (low, high)) or (CATEGORY, name).
ClassItems = list[tuple[Any, Any]]


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


def first_chars(parsed: Any) -> ClassItems | None:
    """The class every match of a pattern parsed by ``re._parser.parse`` starts
    with; None when a match may be empty or start with a character unknown here
    (any, a negated class, a back reference) or too common to skip to."""
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
