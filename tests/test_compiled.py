"""The catalogues kept on disk: compiled regular expressions give the same matches and
parsed YAML the same data, never worse than re and PyYAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.errors import ConfigError
from extractor.verify.compiled import ENV, RegexCache, read_yaml
from extractor.verify.literals import Needs

PATTERNS = [r"(?P<n>\d+)\s?件", r"(?:予以公开|部分公开)(?P<n>[0-9]+)", r"[一二三四]、(?P<t>[^。\n]{1,20})"]
TEXT = "一、总体情况\n予以公开12件，部分公开3件。共 7件"


def _matches(patterns: list[re.Pattern[str]]) -> list[list[tuple[int, int, dict[str, str | None]]]]:
    return [[(m.start(), m.end(), m.groupdict()) for m in p.finditer(TEXT)] for p in patterns]


def test_programs_are_saved_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    first = RegexCache("t", b"v1")
    compiled = [first.compile(p) for p in PATTERNS]
    first.save()
    [saved] = tmp_path.glob("t-*.marshal")
    again = RegexCache("t", b"v1")
    assert set(again._entries) == set(PATTERNS)  # read back from the file, not recompiled
    reused = [again.compile(p) for p in PATTERNS]
    assert _matches(reused) == _matches(compiled) == _matches([re.compile(p) for p in PATTERNS])
    assert [r.groupindex for r in reused] == [re.compile(p).groupindex for p in PATTERNS]
    # what each match needs is kept with the program
    needs = [Needs(("件",), None), Needs(("予以公开", "部分公开"), 4), Needs(("、",), 1)]
    assert [again.needs(p) for p in PATTERNS] == [first.needs(p) for p in PATTERNS] == needs
    other = RegexCache("t", b"v2")  # other content: another file, the old one replaced on save
    other.compile(PATTERNS[0])
    other.save()
    assert [p.name for p in tmp_path.glob("t-*.marshal")] != [saved.name]


def test_a_damaged_file_is_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    cache = RegexCache("t", b"v1")
    cache.compile(PATTERNS[0])
    cache.save()
    [saved] = tmp_path.glob("t-*.marshal")
    saved.write_bytes(b"\x00garbage")
    assert _matches([RegexCache("t", b"v1").compile(PATTERNS[0])]) == _matches([re.compile(PATTERNS[0])])


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = RegexCache("t", b"v1")
    with pytest.raises(re.error):
        cache.compile("(unclosed")
    assert _matches([cache.compile(PATTERNS[1])]) == _matches([re.compile(PATTERNS[1])])
    assert cache.needs(PATTERNS[1]) == Needs(("予以公开", "部分公开"), 4)
    cache.save()
    assert list(tmp_path.rglob("*")) == []


def test_parsed_yaml_is_saved_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "cache"))
    rules = tmp_path / "counts.yaml"
    rules.write_text("rules:\n  - id: a\n    total: [x]\n    parts: [y, z]\n", encoding="utf-8")
    first = read_yaml(rules)
    assert first == {"rules": [{"id": "a", "total": ["x"], "parts": ["y", "z"]}]}
    [saved] = (tmp_path / "cache").glob("yaml-counts-*.marshal")
    saved.write_bytes(saved.read_bytes().replace(b"parts", b"PARTS"))  # what is read now comes from the file
    assert "PARTS" in read_yaml(rules)["rules"][0]
    rules.write_text("rules: []\n", encoding="utf-8")  # new content: parsed afresh, the old file replaced
    assert read_yaml(rules) == {"rules": []}
    assert [p.name for p in (tmp_path / "cache").glob("yaml-counts-*.marshal")] != [saved.name]
    saved = next((tmp_path / "cache").glob("yaml-counts-*.marshal"))
    saved.write_bytes(b"\x00garbage")  # a damaged file is parsed afresh
    assert read_yaml(rules) == {"rules": []}


def test_yaml_errors_name_the_file_cached_or_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "cache"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="cannot read rule file") as e:
            read_yaml(broken)
        assert "broken.yaml" in str(e.value)
    assert not list((tmp_path / "cache").glob("yaml-broken-*"))
