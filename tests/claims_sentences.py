"""The narrative sentence set of ``tests/data/claims_sentences.yaml`` as reports.

Each sentence is put into a report of its template whose tables are built so
that its gold claims hold (each claim's cells add up to its value, filled
greedily from a blank template), then read end to end: load, parse, claims,
verify. Sentences that claim nothing get tables of zeros, so a wrong claim at
error level cannot hide.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from conftest import FIXTURES
from variants import markdown

from extractor.evaluate.scoring import claim_cells, flat, score_claims
from extractor.load import load_string
from extractor.pipeline import extract
from extractor.result import Result
from extractor.verify.claims import NarrativeClaim

SENTENCES = Path(__file__).parent / "data" / "claims_sentences.yaml"
#: a labelled report of each template: its shape (rows, one or three 其他处理 rows)
BASE = {"2021": "dongguan-hrss-2023", "2019": "guangzhou-hrss-2020"}
_INTRO = "本机关依法做好政府信息公开工作。"


@cache
def cases() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(SENTENCES.read_text(encoding="utf-8"))
    return data


def _zeroed(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _zeroed(v) for k, v in node.items()}
    return 0 if isinstance(node, int | float) and not isinstance(node, bool) else node


def _set(gold: dict[str, Any], path: str, value: int | float) -> None:
    node = gold
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    node[last] = value


def tables_for(case: dict[str, Any]) -> dict[str, Any]:
    """A gold report of the case's template, zeros everywhere but where its
    claims need a value: claims naming fewer cells are settled first, and a
    claim over several cells puts what its settled cells leave into one free cell."""
    base = json.loads((FIXTURES / "gold" / f"{BASE[case['template']]}.json").read_text(encoding="utf-8"))
    gold: dict[str, Any] = {k: _zeroed(copy.deepcopy(base[k])) for k in ("active", "applications", "review_litigation")}
    gold["schema_version"] = base["schema_version"]
    # the report's year: the case's where its sentence dates it (结转至2025年)
    gold["meta"] = {**base["meta"], "year": case.get("year", base["meta"]["year"])}
    settled: dict[str, int | float] = {}
    leaves = flat(gold)
    for claim in sorted(case["claims"], key=lambda c: len(claim_cells(leaves, c["paths"]))):
        cells = sorted(claim_cells(leaves, claim["paths"]))
        free = [c for c in cells if c not in settled]
        if not free:
            continue
        rest = claim["value"] - sum(settled.get(c, 0) for c in cells)
        for c in free:
            settled[c] = 0
        settled[free[0]] = rest if rest >= 0 else 0
    for path, value in settled.items():
        _set(gold, path, value)
    gold["claims"] = case["claims"]
    gold["findings"] = []
    return gold


def read_case(case: dict[str, Any]) -> tuple[dict[str, Any], Result]:
    """The case's gold report and what the pipeline reads from it rendered as Markdown."""
    return _read(case["id"])


@cache
def _read(case_id: str) -> tuple[dict[str, Any], Result]:
    (case,) = [c for c in cases() if c["id"] == case_id]
    gold = tables_for(case)
    text = markdown(gold).replace(_INTRO, case["text"], 1)
    return gold, extract(load_string(text, name=f"{case['id']}.md"))


def found(gold: dict[str, Any], result: Result) -> tuple[int, list[str]]:
    """Gold claims found (as eval scores them) and the quotes of those missed."""
    score = score_claims(gold, result.to_json())
    return score.found, score.missed


def claim_errors(result: Result) -> list[str]:
    return [f"{f.rule}: {f.quote}" for f in result.findings if f.severity == "error" and f.rule.startswith("CLAIM")]


@cache
def sentence_set_rules() -> frozenset[str]:
    """The phrasings (and lexicon concepts) that read some claim of the set."""
    out: set[str] = set()
    for case in cases():
        _, result = read_case(case)
        out |= {c.rule for c in result.claims if isinstance(c, NarrativeClaim)}
    return frozenset(out)


def recall() -> tuple[int, int, list[str]]:
    """(found, gold, misses) over the whole set; false alarms listed as misses too."""
    hit = total = 0
    misses: list[str] = []
    for case in cases():
        gold, result = read_case(case)
        n, missed = found(gold, result)
        hit, total = hit + n, total + len(case["claims"])
        misses += [f"{case['id']}: missed {q}" for q in missed]
        misses += [f"{case['id']}: error {e}" for e in claim_errors(result)]
    return hit, total, misses


if __name__ == "__main__":  # python tests/claims_sentences.py: the figures for eval/README.md
    h, t, m = recall()
    print("\n".join(m))
    print(f"claims found {h}/{t} = {100 * h / t:.1f}%; claim errors {sum('error' in x.split(':')[1] for x in m)}")
