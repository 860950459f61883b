"""The rule catalogue loads, the same from a warm cache (without pydantic or PyYAML),
and a malformed file is refused by name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.cache import ENV
from extractor.errors import ConfigError
from extractor.record import asdict
from extractor.resources import data_dir
from extractor.verify.catalogue import KNOWN_PATHS, Leaves, expand, load_catalogue
from extractor.verify.claims import load_phrasings


def test_catalogue_loads_with_unique_ids() -> None:
    ids = [r.id for r in load_catalogue().rules]
    assert len(ids) == len(set(ids))
    assert {"T3-ROW", "T3-IDENTITY", "T3-OUTCOMES", "T4-GROUP", "X-CARRIED"} <= set(ids)


def test_catalogue_is_cached() -> None:
    assert load_catalogue() is load_catalogue()
    assert load_phrasings() is load_phrasings()


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(data_dir("rules"), d)
    return d


GOOD_RULE = """
rules:
  - id: MY-RULE
    title: {zh: 测试, en: test}
    severity: error
    for: {col: column}
    total: ["applications.total.{col}"]
    parts: ["applications.granted.{col}"]
    check: sum
"""


def test_a_new_summation_rule_needs_no_code(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "mine.yaml").write_text(GOOD_RULE, encoding="utf-8")
    rule = next(r for r in load_catalogue(d).rules if r.id == "MY-RULE")
    assert rule.for_ == {"col": "column"}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("rules: [\n  - id: X\n", "cannot read rule file"),
        (GOOD_RULE.replace("column}", "colums}"), "unknown set 'colums'"),
        (GOOD_RULE.replace("granted.{col}", "granted.{row}"), "{row}"),
        (GOOD_RULE.replace("granted.{col}", "grantd.{col}"), "names no canonical path"),
        (GOOD_RULE.replace("granted.{col}", "granted.[nothing]"), "unknown set [nothing]"),
        (GOOD_RULE.replace("severity: error", "severity: fatal"), "severity"),
        (GOOD_RULE.replace("check: sum", "check: sum\n    op: '=='"), "op"),
        (GOOD_RULE.replace("check: sum", "check: sum\n    colour: red"), "colour"),
        (GOOD_RULE.replace("id: MY-RULE", "id: T3-ROW"), "duplicate rule id T3-ROW"),
        ("sets:\n  column: [natural_person]\n", "set column is defined twice"),
    ],
)
def test_malformed_rule_file_is_refused_by_name(tmp_path: Path, text: str, says: str) -> None:
    d = _copy(tmp_path)
    (d / "mine.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_catalogue(d)
    assert "mine.yaml" in str(e.value)
    assert says in str(e.value)
    assert "\n" not in str(e.value)


def test_prev_is_only_allowed_in_sum_rules(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    bounds = "rules:\n  - {id: B, title: {zh: a, en: a}, severity: error, check: bounds, cells: ['prev:meta.year']}\n"
    (d / "mine.yaml").write_text(bounds, encoding="utf-8")
    with pytest.raises(ConfigError, match="prev: is only allowed"):
        load_catalogue(d)


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("pattern: '不予处理的?{TOT}{N}{U}'", "pattern: '不予处理的?{TOT}(\\d+){U}'", "no number group"),
        ("pattern: '不予处理的?{TOT}{N}{U}'", "pattern: '不予处理的?{TOTAL}{N}{U}'", "unknown macro {TOTAL}"),
        ("pattern: '不予处理的?{TOT}{N}{U}'", "pattern: '不予处理的?({N}{U}'", "bad pattern"),
        ("[applications.not_processed.*.total]", "[applications.not_processed.*.totl]", "names no canonical path"),
        ("- id: not_processed", "- id: withheld", "duplicate phrasing id withheld"),
        ("context: '{INFO_CASE}'", "context: '({INFO_CASE}'", "bad pattern"),
        ("context: '{INFO_CASE}'", "context: '{INFO}'", "unknown macro {INFO}"),
        ("    pattern: '不予处理的?{TOT}{N}{U}'", "    colour: red\n    pattern: '不予处理的?{TOT}{N}{U}'", "colour"),
        ("macros:", "colour: red\nmacros:", "colour"),
    ],
)
def test_malformed_claims_file_is_refused_by_name(tmp_path: Path, old: str, new: str, says: str) -> None:
    path = tmp_path / "claims.yaml"
    text = (data_dir("rules") / "claims.yaml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_phrasings(path)
    assert "claims.yaml" in str(e.value)
    assert says in str(e.value)


def test_star_matches_one_level_or_a_group_printed_as_one_row() -> None:
    split = ["applications.other.overdue_fee.total", "applications.other.other.total", "applications.total.total"]
    assert expand("applications.other.*.total", Leaves(split)) == split[:2]
    assert expand("applications.other.*.total", Leaves(["applications.other.total"])) == ["applications.other.total"]
    assert expand("applications.withheld.*.total", Leaves(split)) == []


def _scan(path: str, leaves: list[str]) -> list[str]:
    """What a wildcard path names, by testing every leaf (the definition the tree must keep)."""
    parts = path.split(".")
    found = [
        leaf for leaf in leaves
        if len(got := leaf.split(".")) == len(parts) and all(p in ("*", g) for p, g in zip(parts, got, strict=True))
    ]
    if not found and parts.count("*") == 1:
        collapsed = ".".join(p for p in parts if p != "*")
        found = [collapsed] if collapsed in leaves else []
    return found


_SHAPES = [sorted(KNOWN_PATHS), sorted(p for p in KNOWN_PATHS if p.startswith(("applications.", "review"))), []]


@given(st.sampled_from(_SHAPES), st.sampled_from(sorted(KNOWN_PATHS)), st.integers(1, 15))
def test_a_report_shape_expands_a_path_as_scanning_its_leaves_does(leaves: list[str], leaf: str, mask: int) -> None:
    parts = leaf.split(".")
    path = ".".join("*" if mask >> i & 1 else part for i, part in enumerate(parts))
    assert expand(path, Leaves(leaves)) == _scan(path, leaves)


def test_every_wildcard_operand_expands_as_scanning_does() -> None:
    operands = {op for rule in load_catalogue().rules for op in rule.operands() if "*" in op and "{" not in op}
    paths = sorted(KNOWN_PATHS)
    found = 0
    for op in operands:
        path = op.lstrip("-").removeprefix("prev:")
        assert expand(path, Leaves(paths)) == _scan(path, paths), path
        found += bool(_scan(path, paths))
    assert found >= 10  # the catalogue's wildcard operands name cells


def test_a_warm_cache_gives_the_catalogues_validation_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "off")
    validated = asdict(load_catalogue.__wrapped__()), asdict(load_phrasings.__wrapped__())
    assert validated[1]["phrasings"] and validated[0]["rules"]
    monkeypatch.setenv(ENV, str(tmp_path))
    cold = load_catalogue.__wrapped__(), load_phrasings.__wrapped__()
    assert sorted(p.name.split("-")[0] for p in tmp_path.glob("*.form-*.marshal")) == ["claims.form", "rules.form"]
    warm = load_catalogue.__wrapped__(), load_phrasings.__wrapped__()
    assert warm[1].phrasings[0].phrasing is not cold[1].phrasings[0].phrasing
    assert (asdict(cold[0]), asdict(cold[1])) == (asdict(warm[0]), asdict(warm[1])) == validated


_LOAD = """
import sys
from extractor.verify.catalogue import load_catalogue
from extractor.verify.claims import load_phrasings
"""
# pydantic and PyYAML made unimportable before the catalogues load
_UNIMPORTABLE = """
sys.modules.update(pydantic=None, yaml=None)
print(len(load_catalogue().rules), len(load_phrasings().phrasings))
"""
_WITHOUT = _LOAD + _UNIMPORTABLE


def test_a_warm_cache_loads_without_pydantic_or_yaml(tmp_path: Path) -> None:
    def run(script: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, ENV: str(tmp_path)}
        return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)

    assert "ModuleNotFoundError" in run(_WITHOUT).stderr  # cold, it validates: the probe holds
    assert list(tmp_path.glob("*.form-*.marshal")) == []
    assert run(_LOAD + "load_catalogue(); load_phrasings()").returncode == 0
    warm = run(_WITHOUT)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.split() == [str(len(load_catalogue().rules)), str(len(load_phrasings().phrasings))]
