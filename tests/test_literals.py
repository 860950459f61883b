"""The strings a pattern needs: what the analysis finds, and that it is sound over
the claims catalogue (every match holds one of them), whose programs (which name
the characters a match starts with) find exactly what ``re.compile``'s do."""

from __future__ import annotations

import random
import re
from importlib import import_module
from typing import Any

import pytest
from claims_sentences import cases

from extractor.verify import literals
from extractor.verify.claims import load_phrasings
from extractor.verify.literals import Needs, needed

_parser: Any = import_module("re._parser")


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"(?:审结)?(?P<n>\d+)件(?:均为|均)?维持", Needs(("维持",), None)),  # the longest run; \d+ before it
        (r"行政复议(?P<n>\d+)件", Needs(("行政复议",), 0)),
        (r"(?<!不)(?:予以)?公开\d", Needs(("公开",), 2)),  # after an optional word
        (r"(?:部分公开|全部公开)\d+", Needs(("全部公开", "部分公开"), 4)),  # somewhere in the group
        (r"(?:维持|\d)件", Needs(("件",), 2)),  # an alternative with nothing required: only what follows
        (r"[件起]\d", Needs(("件", "起"), 1)),
        (r"(?:结转)+年", Needs(("结转",), None)),  # somewhere in a repeat without bound
        (r"(?:结转)?\d", Needs()),  # optional: nothing needed
        (r"[^件]\d|(?=维持)\d", Needs()),  # a negated class, a lookahead
        (r"(?i)abc\d", Needs()),  # case folded: any spelling matches
        (r"x(?i:abc)\d", Needs(("x",), 0)),
    ],
)
def test_needed_strings(pattern: str, needs: Needs) -> None:
    assert needed(_parser.parse(pattern, 0)) == needs


def _texts() -> list[str]:
    sentences = [re.sub(r"\s+", "", c["text"]) for c in cases()]
    rng = random.Random(3)
    return [*sentences, "\n".join(sentences), *("".join(rng.sample(sentences, 5)) for _ in range(40))]


def test_every_catalogue_match_holds_a_needed_string_and_is_found_as_re_finds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No phrasing that matches a text is skipped for it; its program (which names
    the class its matches start with) finds what ``re.compile`` finds, and so do
    windows around its needed strings wherever their reach is bounded."""
    monkeypatch.setattr(literals, "_WINDOW_SHARE", 10**9)  # windows wherever the reach is bounded
    cat = load_phrasings()
    windowed = 0
    matched = starting = 0
    for c in cat.phrasings:
        assert c.needs.strings, c.phrasing.id  # each phrasing offers a string to look for
        plain = re.compile(c.regex.pattern)
        starting += c.regex != plain  # a program that differs only names the class
        for text in _texts():
            scanned = [(m.span(), m.groupdict()) for m in plain.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in c.regex.finditer(text)] == scanned, c.phrasing.id
            full = needed(_parser.parse(c.regex.pattern, 0))  # the reach, also where the program drops it
            for needs in {full, c.needs}:
                assert [(m.span(), m.groupdict()) for m in literals.finditer(plain, text, needs)] == scanned
            for m in plain.finditer(text):
                held = [m.start() + k for s in c.needs.strings if (k := m.group().find(s)) >= 0]
                assert held, (c.phrasing.id, m.group())
                assert full.reach is None or min(held) - m.start() <= full.reach
            matched += len(scanned)
        windowed += c.needs.reach is not None
    assert matched > 1000
    assert starting > 20
    assert windowed >= 1  # the phrasings whose matches start with no known class
    assert set(cat.needed) == {s for c in cat.phrasings for s in c.needs.strings}
