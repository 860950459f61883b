"""The strings a pattern needs and the characters its matches start with: what the
analysis finds, and that it is sound over the claims catalogue (every match holds
one of the strings and starts with a character of the class, and a program that
names the class finds exactly what ``re.compile`` does)."""

from __future__ import annotations

import random
import re
from importlib import import_module
from typing import Any

import pytest
from claims_sentences import cases

from extractor import cache
from extractor.verify.claims import load_phrasings
from extractor.verify.literals import Needs, first_chars, needed

_parser: Any = import_module("re._parser")
_constants: Any = import_module("re._constants")


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"(?:审结)?(?P<n>\d+)件(?:均为|均)?维持", Needs(("维持",))),  # the longest run
        (r"行政复议(?P<n>\d+)件", Needs(("行政复议",))),
        (r"(?<!不)(?:予以)?公开\d", Needs(("公开",))),  # after an optional word
        (r"(?:部分公开|全部公开)\d+", Needs(("全部公开", "部分公开"))),  # somewhere in the group
        (r"(?:维持|\d)件", Needs(("件",))),  # an alternative with nothing required: only what follows
        (r"[件起]\d", Needs(("件", "起"))),
        (r"(?:结转)+年", Needs(("结转",))),  # somewhere in a repeat
        (r"(?:结转)?\d", Needs()),  # optional: nothing needed
        (r"[^件]\d|(?=维持)\d", Needs()),  # a negated class, a lookahead
        (r"(?i)abc\d", Needs()),  # case folded: any spelling matches
        (r"x(?i:abc)\d", Needs(("x",))),
    ],
)
def test_needed_strings(pattern: str, needs: Needs) -> None:
    assert needed(_parser.parse(pattern, 0)) == needs


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        (r"(?<!不)(?:予以|全部)?公开\d", "予全公"),  # after a lookbehind, through an optional word
        (r"(?:审结)?(?P<n>\d+)件", "审0١"),  # a category: every decimal digit
        (r"^(?:[a-c]|x{2,})\s", "abcx"),  # an anchor takes no character; a range; a repeat
        (r"(?:结转)*\s件", "结 \n"),  # a repeat that may be empty: what follows starts it too
        (r"[^件]\d", None),  # a negated class starts almost anywhere
        (r"\w件|.件", None),  # a word character, any character: nothing to skip to
        (r"(?:年)?(?=件)", None),  # it may match empty
        (r"(?i)abc", None),  # case folded: the class would have to be
        (r"x|(?i:abc)", None),
        (r"(a)\1|b", "ab"),  # a back reference after the first character does not matter
    ],
)
def test_first_characters(pattern: str, starts: str | None) -> None:
    found = first_chars(_parser.parse(pattern, 0))
    if starts is None:
        assert found is None
        return
    assert found is not None
    compiled = re.compile(f"[{''.join(_class(found))}]")
    assert all(compiled.fullmatch(ch) for ch in starts)
    assert not any(compiled.fullmatch(ch) for ch in "件一Zé")


def _class(items: list[tuple[Any, Any]]) -> list[str]:
    out = []
    for op, av in items:
        if op is _constants.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _constants.RANGE:
            out.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        else:
            out.append({_constants.CATEGORY_DIGIT: r"\d", _constants.CATEGORY_SPACE: r"\s"}[av])
    return out


def test_a_program_names_the_class_its_matches_start_with() -> None:
    """A pattern re finds no prefix for (a lookbehind, an optional word first) gets the
    class its matches start with in its info block, and matches exactly as re's."""
    pattern = r"(?<!不)(?:予以|全部)?公开(?P<n>\d+)件"
    parsed = cache.parse(pattern)
    named, plain = cache.program_of(parsed, first=first_chars(parsed)), cache.program_of(parsed)
    assert named != plain
    compiled = cache.from_program(pattern, named)
    text = "不予以公开3件，予以公开12件、全部公开4件，公开5件；部分公开6件" * 3
    assert [(m.span(), m.groupdict()) for m in compiled.finditer(text)] == [
        (m.span(), m.groupdict()) for m in re.finditer(pattern, text)
    ]
    # where re finds a prefix itself, or a match may be empty, the program is re's
    for kept in (r"公开\d+", r"(?:予以)?\d*"):
        p = cache.parse(kept)
        assert cache.program_of(p, first=[(_constants.LITERAL, ord("公"))]) == cache.program_of(p)


def _texts() -> list[str]:
    sentences = [re.sub(r"\s+", "", c["text"]) for c in cases()]
    rng = random.Random(3)
    return [*sentences, "\n".join(sentences), *("".join(rng.sample(sentences, 5)) for _ in range(40))]


def test_every_catalogue_match_holds_a_needed_string_and_is_found_as_re_finds_it() -> None:
    """No phrasing that matches a text is skipped for it, and its program (which
    names the class its matches start with) finds what ``re.compile`` finds."""
    cat = load_phrasings()
    matched = starting = 0
    for c in cat.phrasings:
        assert c.needs.strings, c.phrasing.id  # each phrasing offers a string to look for
        plain = re.compile(c.regex.pattern)
        starting += c.regex != plain  # a program that differs only names the class
        for text in _texts():
            scanned = [(m.span(), m.groupdict()) for m in plain.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in c.regex.finditer(text)] == scanned, c.phrasing.id
            for m in plain.finditer(text):
                assert any(s in m.group() for s in c.needs.strings), (c.phrasing.id, m.group())
            matched += len(scanned)
    assert matched > 1000
    assert starting > 20
    assert set(cat.needed) == {s for c in cat.phrasings for s in c.needs.strings}
