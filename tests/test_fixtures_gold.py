"""Every gold label is well-formed and honest.

Form: it validates against the Report schema, its claims and findings name
existing cells, and each claim's quote stands in the report's text. Honesty:
a report labelled consistent (``findings == []``) satisfies the template's
arithmetic and its own claims; a report labelled inconsistent breaks some
relation, and every relation it breaks touches a labelled finding.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, SHARED, load_gold
from pydantic import TypeAdapter

from extractor.evaluate.scoring import claim_cells, flat
from extractor.load import load
from extractor.normalize import fold
from extractor.result import Claim
from extractor.schema import validate_report
from extractor.template import APPLICANT_COLUMNS

SHARED_FIXTURES = SHARED / "fixtures"
#: eval/fixtures, and the layouts only a model reads (eval/fixtures-llm), held to the same standard.
GOLD = sorted((FIXTURES / "gold").glob("*.json")) + sorted((ROOT / "eval" / "fixtures-llm" / "gold").glob("*.json"))
APPLICANTS = tuple(c for c in APPLICANT_COLUMNS if c != "total")
_gold = load_gold


def _report_file(gold: Path) -> Path:
    raws = sorted((gold.parent.parent / "reports").glob(gold.stem + ".*"))
    assert len(raws) == 1, f"{gold.stem}: expected one report file, found {raws}"
    return raws[0]


def _rows(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The Cols rows under an applications node (a Cols itself, or a group of them)."""
    return [node] if "natural_person" in node else [v for v in node.values()]


def relations(gold: dict[str, Any]) -> list[tuple[str, list[str], float, float]]:
    """Every template relation and claim as (name, paths involved, printed, computed); blanks count as 0."""
    fl = flat(gold)
    val = lambda p: fl.get(p) or 0  # noqa: E731
    out: list[tuple[str, list[str], float, float]] = []
    apps = gold.get("applications")
    if apps:
        row_paths: dict[str, str] = {}
        for key, node in apps.items():
            if "natural_person" in node:
                row_paths[key] = f"applications.{key}"
            else:
                row_paths.update({f"{key}.{k}": f"applications.{key}.{k}" for k in node})
        for row, base in row_paths.items():
            parts = [f"{base}.{c}" for c in APPLICANTS]
            out.append((f"row {row}", [f"{base}.total", *parts], val(f"{base}.total"), sum(map(val, parts))))
        dispositions = [b for r, b in row_paths.items()
                        if r not in ("new_received", "carried_over", "total", "carried_forward")]
        for c in (*APPLICANTS, "total"):
            parts = [f"{b}.{c}" for b in dispositions]
            tot = f"applications.total.{c}"
            out.append((f"column {c}", [tot, *parts], val(tot), sum(map(val, parts))))
            new, old = f"applications.new_received.{c}", f"applications.carried_over.{c}"
            fwd = f"applications.carried_forward.{c}"
            out.append((f"balance {c}", [new, old, tot, fwd], val(new) + val(old), val(tot) + val(fwd)))
    if gold.get("review_litigation"):
        for g in gold["review_litigation"]:
            parts = [f"review_litigation.{g}.{k}" for k in ("upheld", "corrected", "other", "pending")]
            tot = f"review_litigation.{g}.total"
            out.append((f"table 四 {g}", [tot, *parts], val(tot), sum(map(val, parts))))
    for c in gold.get("claims") or []:
        cells = sorted(claim_cells(fl, c["paths"]))
        alt = sorted(claim_cells(fl, c.get("alt_paths")))
        computed = sum(map(val, cells))
        if alt and abs(sum(map(val, alt)) - c["value"]) < 1e-6:
            computed = sum(map(val, alt))
        out.append((f"claim {c['quote']}", cells + alt, c["value"], computed))
    return out


def _unprinted_columns(gold: dict[str, Any]) -> set[str]:
    """Table 三 columns null in every row: not printed at all (a column cut off at a
    page edge), so no relation over them can be checked — blanks are not zeros there."""
    fl = flat(gold)
    cols: dict[str, list[Any]] = {}
    for path, value in fl.items():
        if path.startswith("applications."):
            cols.setdefault(path.rsplit(".", 1)[1], []).append(value)
    return {f".{c}" for c, values in cols.items() if values and all(v is None for v in values)}


def broken(gold: dict[str, Any]) -> list[tuple[str, list[str], float, float]]:
    unprinted = _unprinted_columns(gold)
    return [
        r for r in relations(gold)
        if abs(r[2] - r[3]) > 1e-6 and not any(p.startswith("applications.") and p.endswith(tuple(unprinted))
                                               for p in r[1])
    ]


def test_there_are_at_least_fifteen_labelled_reports() -> None:
    assert len(GOLD) >= 15


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_is_well_formed(path: Path) -> None:
    gold = _gold(path)
    _report_file(path)
    assert set(gold) <= {"schema_version", "meta", "active", "applications", "review_litigation", "claims", "findings"}
    report = validate_report({k: v for k, v in gold.items() if k not in ("claims", "findings")})
    # What the schema keeps is what gold says: no key dropped, none defaulted in.
    assert flat(report.to_canonical()) == flat(gold)
    assert report.meta.to_json() == gold["meta"]
    fl = flat(gold)
    for c in gold["claims"]:
        TypeAdapter(Claim).validate_python(c)
        assert claim_cells(fl, c["paths"]), f"claim {c['quote']!r} names no cell"
        assert all(p in fl for p in claim_cells(fl, c["paths"]))
    for f in gold["findings"]:
        assert set(f) <= {"paths", "why", "soft"} and f["why"] and f["paths"]
        assert all(p in fl for p in f["paths"]), f


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_claim_quotes_stand_in_the_report(path: Path) -> None:
    gold = _gold(path)
    if not gold["claims"]:
        pytest.skip("no claims")
    text = re.sub(r"\s+", "", load(_report_file(path)).text)
    for c in gold["claims"]:
        # Quotes are copied as printed; the document text is normalised (full-width folded).
        assert re.sub(r"\s+", "", fold(c["quote"])) in text, c["quote"]


@pytest.mark.parametrize("path", GOLD, ids=lambda p: p.stem)
def test_gold_arithmetic_matches_its_findings(path: Path) -> None:
    gold = _gold(path)
    bad = broken(gold)
    if not gold["findings"]:
        assert bad == [], f"labelled consistent but breaks {bad}"
        return
    assert any(not f.get("soft") for f in gold["findings"]), "an inconsistent report needs a required finding"
    assert bad, "labelled inconsistent, but every relation holds"
    named = {p for f in gold["findings"] for p in f["paths"]}
    for name, paths, printed, computed in bad:
        assert named & set(paths), f"{name}: printed {printed}, computed {computed}, but no finding names it"


def test_relations_see_a_planted_error() -> None:
    gold = _gold(FIXTURES / "gold" / "synthetic-2021-gbk.json")
    assert broken(gold) == []
    gold["applications"]["granted"]["natural_person"] += 1
    names = {b[0] for b in broken(gold)}
    assert {"row granted", "column natural_person"} <= names


@pytest.mark.skipif(not SHARED_FIXTURES.is_dir(), reason="../shared/fixtures is not checked out beside the repo")
@pytest.mark.parametrize(
    "path", sorted(SHARED_FIXTURES.glob("*/*")) if SHARED_FIXTURES.is_dir() else [], ids=lambda p: p.name
)
def test_copied_fixtures_are_unchanged(path: Path) -> None:
    ours = FIXTURES / path.parent.name / path.name
    assert ours.read_bytes() == path.read_bytes()
