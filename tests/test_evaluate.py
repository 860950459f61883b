"""Scoring: gold against itself and against perturbed copies, and agreement with score.py's own functions."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import SCORE_PY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.evaluate.scoring import (
    MISSING,
    flat,
    mutations,
    reached_table,
    score_claims,
    score_findings,
    score_leaves,
)

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "eval" / "fixtures" / "gold"


def gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLD_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return data


def score_py() -> ModuleType:
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} is absent (../shared not checked out)")
    spec = importlib.util.spec_from_file_location("score_py", SCORE_PY)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_gold_against_itself_is_perfect() -> None:
    g = gold("dongguan-hrss-2023")
    s = score_leaves(g, copy.deepcopy(g))
    assert s.mismatches == []
    assert s.counts.leaves == len(flat(g)) + 4
    assert s.counts.accuracy == s.counts.precision == s.counts.recall == s.counts.f1 == 1.0
    assert set(s.sections) == {"meta", "active", "applications", "review_litigation"}
    c = score_claims(g, g)
    assert (c.found, c.gold, c.extra, c.missed) == (12, 12, 0, [])


def test_a_wrong_cell_is_one_mismatch_against_precision_and_recall() -> None:
    g = gold("synthetic-2021-gbk")
    p = copy.deepcopy(g)
    p["applications"]["granted"]["natural_person"] = 8
    s = score_leaves(g, p)
    assert [(m.path, m.gold, m.got) for m in s.mismatches] == [("applications.granted.natural_person", 7, 8)]
    assert s.counts.wrong == 1
    assert s.counts.gold_values - s.counts.right_values == 1  # recall loses the cell
    assert s.counts.got_values - s.counts.right_values == 1  # and so does precision
    assert s.sections["applications"].wrong == 1 and s.sections["active"].wrong == 0
    assert s.fields["applications.granted.natural_person"].wrong == 1


def test_blank_cells_count_for_accuracy_but_not_for_precision_and_recall() -> None:
    g = gold("synthetic-2021-slash-cells")
    assert g["active"]["fees"]["amount_10k_yuan"] is None
    p = copy.deepcopy(g)
    p["active"]["fees"]["amount_10k_yuan"] = 0.0  # a value where the document prints "/"
    s = score_leaves(g, p)
    assert s.counts.wrong == 1 and s.counts.recall == 1.0 and s.counts.precision is not None
    assert s.counts.precision < 1.0
    p2 = copy.deepcopy(g)
    p2["active"]["licensing"]["decisions"] = None  # a printed value missed
    s2 = score_leaves(g, p2)
    assert s2.counts.precision == 1.0 and s2.counts.recall is not None and s2.counts.recall < 1.0


def test_missing_section_and_extra_leaves() -> None:
    g = gold("synthetic-2019-rowspan")
    p = copy.deepcopy(g)
    p["review_litigation"] = None
    p["active"]["regulations"]["issued"] = 3  # a 2021 key in a 2019 report
    s = score_leaves(g, p)
    missing = [m for m in s.mismatches if m.path.startswith("review_litigation.")]
    assert len(missing) == 15 and all(m.got == MISSING for m in missing)
    assert s.counts.leaves == len(flat(g)) + 4  # extra leaves are not gold leaves...
    assert s.sections["active"].got_values == s.sections["active"].right_values + 1  # ...but cost precision


def test_failed_extraction_scores_every_leaf_wrong_without_listing() -> None:
    g = gold("synthetic-2021-gbk")
    s = score_leaves(g, None)
    assert s.counts.right == 0 and s.counts.leaves == len(flat(g)) + 4 and s.mismatches == []
    assert score_claims(g, None).missed == [c["quote"] for c in g["claims"]]


def test_meta_strings_compare_without_whitespace() -> None:
    g = gold("synthetic-2021-gbk")
    p = copy.deepcopy(g)
    p["meta"]["agency"] = "北坡镇 人民政府"
    assert score_leaves(g, p).mismatches == []
    p["meta"]["year"] = 2022
    assert [m.path for m in score_leaves(g, p).mismatches] == ["meta.year"]


def test_claims_star_paths_alt_paths_and_extras() -> None:
    g = gold("dongguan-hrss-2023")
    found = [
        # 不予公开3件, written out cell by cell instead of with *
        {"quote": "x", "value": 3,
         "paths": [f"applications.withheld.{k}.total" for k in g["applications"]["withheld"]]},
        # 73件 read as new_received (gold's alt_paths)
        {"quote": "y", "value": 73, "paths": ["applications.new_received.total"]},
        {"quote": "z", "value": 56, "paths": ["applications.granted.natural_person"]},  # wrong cell
        {"quote": "w", "value": 55, "paths": ["applications.granted.total"]},  # wrong value
    ]
    c = score_claims(g, {"claims": found})
    assert c.found == 2 and c.extra == 2
    assert "予以公开56件" in c.missed


def test_findings_recall_soft_and_false_alarms() -> None:
    g = gold("synthetic-2019-total-mismatch")
    assert [f.get("soft", False) for f in g["findings"]] == [False, True]
    hit = {"findings": [{"rule": "sum", "severity": "error", "paths": ["applications.total.natural_person"]}]}
    f = score_findings(g, hit)
    assert (f.detected, f.gold, f.false_alarms) == (1, 1, 0)
    warn = {"findings": [{"rule": "sum", "severity": "warning", "paths": ["applications.total.natural_person"]}]}
    assert score_findings(g, warn).detected == 0
    # Raising only the soft one is neither required nor a false alarm.
    soft = {"findings": [{"rule": "claim", "severity": "error", "paths": ["applications.total.total"]}]}
    assert (score_findings(g, soft).detected, score_findings(g, soft).false_alarms) == (0, 0)
    clean = gold("synthetic-2021-gbk")
    alarm = score_findings(clean, {"findings": [*hit["findings"], *warn["findings"]]})
    assert alarm.false_alarms == 1 and len(alarm.alarms) == 1


def _perturb(g: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    """A plausible wrong extraction: cells changed or blanked, meta changed, claims and findings shuffled."""
    p = copy.deepcopy(g)
    paths = [k for k in flat(p) if "." in k]
    for path in rnd.sample(paths, k=min(len(paths), rnd.randint(0, 6))):
        node = p
        *parents, last = path.split(".")
        for k in parents:
            node = node[k]
        node[last] = rnd.choice([None, 0, 1, (node[last] or 0) + 1, 2.5])
    if rnd.random() < 0.3:
        p["meta"]["year"] = rnd.choice([None, 2000, "2023"])
    if rnd.random() < 0.2:
        p[rnd.choice(["active", "applications", "review_litigation"])] = None
    claims = [c for c in g.get("claims") or [] if rnd.random() < 0.7]
    claims += [{"quote": "q", "value": rnd.randint(0, 9), "paths": [rnd.choice(paths)]} for _ in range(2)]
    p["claims"] = [{**c, "value": c["value"] + rnd.choice([0, 0, 1])} for c in claims]
    p["findings"] = [{"rule": "r", "severity": rnd.choice(["error", "warning"]), "paths": [rnd.choice(paths)]}
                     for _ in range(rnd.randint(0, 3))]
    return p


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(p.stem for p in GOLD_DIR.glob("*.json"))), st.integers(0, 2**32))
def test_agrees_with_score_py_on_perturbed_gold(name: str, seed: int) -> None:
    sp = score_py()
    g = gold(name)
    p = _perturb(g, random.Random(seed))
    theirs = sp.score_one(g, p)
    leaves, claims, findings = score_leaves(g, p), score_claims(g, p), score_findings(g, p)
    assert theirs["leaves"] == leaves.counts.leaves
    assert sorted(theirs["wrong"], key=repr) == sorted(((m.path, m.gold, m.got) for m in leaves.mismatches), key=repr)
    assert (theirs["claims"], theirs["claims_found"]) == (claims.gold, claims.found)
    assert theirs["missed_claims"] == claims.missed
    assert (theirs["findings"], theirs["detected"], theirs["false_alarms"]) == (
        findings.gold, findings.detected, findings.false_alarms)


@pytest.mark.parametrize("name", ["synthetic-2021-pdf-dump.txt", "dongguan-hrss-2023.md", "pingtan-gov-2023.html"])
def test_mutations_are_score_py_mutations(name: str) -> None:
    sp = score_py()
    text = (ROOT / "eval" / "fixtures" / "reports" / name).read_text(encoding="utf-8")
    ours, theirs = random.Random(7), random.Random(7)
    for _ in range(3):
        edits = mutations(text, ours, 10)
        assert edits == sp.mutations(text, theirs, 10)
        assert edits and all(text[s:e].isdigit() and rep != text[s:e] for s, e, rep in edits)


def test_an_edit_reaches_the_table_only_if_table_three_changed() -> None:
    g = gold("synthetic-2021-gbk")
    p = copy.deepcopy(g)
    assert not reached_table(g, p)
    p["review_litigation"]["review"]["total"] = 9
    assert not reached_table(g, p)
    p["applications"]["total"]["total"] = 99
    assert reached_table(g, p)
