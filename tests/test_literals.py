"""The strings a pattern needs: what the analysis finds, and that it is sound
over the claims catalogue (every match holds one of them)."""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import pytest
from claims_sentences import cases

from extractor.verify.claims import load_phrasings
from extractor.verify.literals import needed

_parser: Any = import_module("re._parser")


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"(?:审结)?(?P<n>\d+)件(?:均为|均)?维持", ("维持",)),  # the longest required run wins
        (r"行政复议(?P<n>\d+)件", ("行政复议",)),
        (r"(?:部分公开|全部公开)\d+", ("全部公开", "部分公开")),
        (r"(?:维持|\d)件", ("件",)),  # an alternative with nothing required: only what follows
        (r"[件起]\d", ("件", "起")),
        (r"(?:结转)+年", ("结转",)),
        (r"(?:结转)?\d", ()),  # optional: nothing needed
        (r"[^件]\d|(?=维持)\d", ()),  # negated class, a lookahead
        (r"(?i)abc\d", ()),  # case folded: any spelling matches
        (r"x(?i:abc)\d", ("x",)),
    ],
)
def test_needed_strings(pattern: str, needs: tuple[str, ...]) -> None:
    assert needed(_parser.parse(pattern, 0)) == needs


def test_every_catalogue_match_holds_a_needed_string() -> None:
    """Over the sentence set and the patterns' own examples: no phrasing that
    matches a text is skipped for it."""
    cat = load_phrasings()
    texts = [re.sub(r"\s+", "", c["text"]) for c in cases()]
    matched = 0
    for c in cat.phrasings:
        assert c.needs, c.phrasing.id  # each phrasing offers a string to look for
        for text in texts:
            for m in c.regex.finditer(text):
                matched += 1
                assert any(s in m.group(0) for s in c.needs), (c.phrasing.id, m.group(0))
    assert matched > 100
    assert set(cat.needed) == {s for c in cat.phrasings for s in c.needs}
