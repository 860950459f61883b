"""The narrative sentence set (tests/data/claims_sentences.yaml), each sentence
read inside a report whose tables bear its gold claims out.

Every gold claim must be found as ``nianbao eval`` matches claims (same value,
same set of cells, gold's alt_paths accepted), and no claim may disagree with
the tables at error level: the tables agree with gold, so an error is a claim
gold does not make — and the sentences that claim nothing get tables of zeros.
"""

from __future__ import annotations

from typing import Any

import pytest
from claims_sentences import cases, claim_errors, found, read_case

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_sentence_yields_its_claims_and_no_false_error(case: dict[str, Any]) -> None:
    gold, result = read_case(case)
    n, missed = found(gold, result)
    assert missed == [], case["text"]
    assert n == len(case["claims"])
    assert claim_errors(result) == [], case["text"]


def test_the_set_has_what_the_issue_asks() -> None:
    positive = [c for c in CASES if c["claims"]]
    ours = [c for c in CASES if c["id"].startswith("mine-")]
    assert len(positive) >= 80 and len(CASES) - len(positive) >= 36
    assert len(ours) >= 60
