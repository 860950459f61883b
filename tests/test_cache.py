"""The package's own patterns compiled from programs kept on disk: the same engine
objects as ``re.compile`` gives, read back by the next process, never worse than re."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from extractor import cache

_constants: Any = import_module("re._constants")

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
    found = cache.first_chars(cache.parse(pattern))
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
    compiled = cache.from_program(pattern, cache.program_of(cache.parse(pattern)))
    assert compiled != re.compile(pattern)  # a program of its own
    text = "不予以公开3件，予以公开12件、全部公开4件，公开5件；部分公开6件" * 3
    assert [(m.span(), m.groupdict()) for m in compiled.finditer(text)] == [
        (m.span(), m.groupdict()) for m in re.finditer(pattern, text)
    ]
    # where re finds a prefix itself, or a match may be empty, the program is re's
    for kept in (r"公开\d+", r"(?:予以)?\d*", r"[件起]\d"):
        assert cache.from_program(kept, cache.program_of(cache.parse(kept))) == re.compile(kept)


def test_every_pattern_of_the_package_finds_what_re_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parser's, loaders' and claim reader's own patterns, from their programs, over
    the text fixtures as printed and with whitespace removed (as the claim reader reads)."""
    for name in ("extractor.pipeline", "extractor.load.text", "extractor.load.html", "extractor.parse.parser"):
        import_module(name)
    _fresh(monkeypatch, tmp_path)
    patterns = {
        v.pattern: v.flags
        for name, module in list(sys.modules.items())
        if name.startswith("extractor")
        for v in vars(module).values()
        if isinstance(v, re.Pattern) and isinstance(v.pattern, str)
    }
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.glob("reports/*.txt"))[:8]]
    texts += [re.sub(r"\s+", "", t) for t in texts]
    named = 0
    for pattern, flags in patterns.items():
        ours, theirs = cache.compile(pattern, flags), re.compile(pattern, flags)
        named += ours != theirs
        for text in texts:
            assert [(m.span(), m.groups()) for m in ours.finditer(text)] == [
                (m.span(), m.groups()) for m in theirs.finditer(text)
            ], pattern
    assert len(patterns) > 20 and named > 5, (len(patterns), named)
