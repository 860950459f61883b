"""The package's own patterns compiled from programs kept on disk: the same engine
objects as ``re.compile`` gives, read back by the next process, never worse than re."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractor import cache

CASES = [
    (r"(?P<n>\d+)\s?件", 0),
    (r"<(/?)(tr|td|th)\b([^>]{0,200})>", re.I),
    (r"(?:四[、.,，]|\(四\))[^。\d/]{0,16}?行政复议", 0),
    (r"^其他(?:情形|情况)?$", re.M),
]
TEXT = "四、政府信息公开行政复议 12件 <TD colspan=2>其他情形\n其他\n</tr>"


def _fresh(monkeypatch: pytest.MonkeyPatch, where: Path | str) -> None:
    monkeypatch.setenv(cache.ENV, str(where))
    monkeypatch.setattr(cache, "_programs", None)


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> bool:
    found = [[(m.span(), m.groups()) for m in p.finditer(TEXT)] for p in (a, b)]
    return found[0] == found[1] and (a.flags, a.groups, a.groupindex) == (b.flags, b.groups, b.groupindex)


def test_programs_are_kept_and_give_what_re_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh(monkeypatch, tmp_path)
    first = [cache.compile(p, f) for p, f in CASES]
    cache.save_patterns()
    [kept] = tmp_path.glob("patterns-*.marshal")
    _fresh(monkeypatch, tmp_path)
    monkeypatch.setattr(cache, "parse", lambda *a: pytest.fail("compiled again instead of read back"))
    again = [cache.compile(p, f) for p, f in CASES]
    assert all(_same(a, re.compile(p, f)) for a, (p, f) in zip(again, CASES, strict=True))
    assert all(_same(a, b) for a, b in zip(again, first, strict=True))
    assert kept.exists()


def test_a_damaged_file_or_entry_compiles_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh(monkeypatch, tmp_path)
    cache.compile(*CASES[0])
    cache.save_patterns()
    [kept] = tmp_path.glob("patterns-*.marshal")
    kept.write_bytes(b"\x00garbage")
    _fresh(monkeypatch, tmp_path)
    assert _same(cache.compile(*CASES[0]), re.compile(*CASES[0]))
    _fresh(monkeypatch, tmp_path)
    programs = cache._Programs()
    programs.programs["0:" + CASES[0][0]] = (0, b"\x01\x02\x03\x04", 1, {}, (None,))  # not a program
    assert _same(programs.compile(*CASES[0]), re.compile(*CASES[0]))


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fresh(monkeypatch, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _same(cache.compile(*CASES[1]), re.compile(*CASES[1]))
    cache.save_patterns()
    assert list(tmp_path.rglob("*.marshal")) == []


def test_a_process_saves_at_exit_and_the_next_reads_back(tmp_path: Path) -> None:
    env = {**os.environ, cache.ENV: str(tmp_path)}
    probe = "import extractor.parse.labels, extractor.cache as c; print(len(c._programs.programs), c._programs.new)"
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    count, new = first.stdout.split()
    assert int(count) > 50 and new == "True"  # the labels' patterns, compiled and new
    second = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert second.stdout.split() == [count, "False"]  # every one read back from the file


def test_the_newest_files_of_a_kind_are_kept_for_versions_taking_turns(tmp_path: Path) -> None:
    import os

    for n in range(cache.KEEP + 2):  # older versions, oldest first
        old = tmp_path / f"claims.form-v{n}.marshal"
        cache.save(old, {"v": n})
        os.utime(old, (1000 + n, 1000 + n))
    cache.save(tmp_path / "claims.form-now.marshal", {"v": "now"})
    cache.save(tmp_path / "rules.form-now.marshal", {"v": "rules"})  # another kind: not counted
    kept = sorted(p.name for p in tmp_path.glob("claims.form-*.marshal"))
    newest = [f"claims.form-v{n}.marshal" for n in range(cache.KEEP + 2)][-(cache.KEEP - 1) :]
    assert kept == sorted(["claims.form-now.marshal", *newest])
    assert cache.load(tmp_path / "rules.form-now.marshal") == {"v": "rules"}
