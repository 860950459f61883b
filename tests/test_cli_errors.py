"""Bad input: one line on stderr naming the file and the problem, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extractor", *args], capture_output=True, text=True, timeout=60
    )


def _cases(tmp: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp / "blank.md"
    blank.write_text("   \n\n", encoding="utf-8")
    binary = tmp / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    prose = tmp / "prose.txt"
    prose.write_text("今天天气很好，我们去公园散步。\n共有 3 个人参加。\n", encoding="utf-8")
    odd = tmp / "sheet.xlsx"
    odd.write_bytes(b"PK\x03\x04 not really")
    return {
        "missing": (tmp / "nope.txt", "no such file"),
        "directory": (tmp, "is a directory"),
        "empty": (empty, "empty file"),
        "blank": (blank, "empty file"),
        "binary": (binary, "binary"),
        "not a report": (prose, "not a government information disclosure annual report"),
        "unknown format": (odd, "cannot read"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "directory", "empty", "blank", "binary", "not a report", "unknown format"]
)
def test_bad_input_one_line_exit_2(tmp_path: Path, case: str) -> None:
    path, problem = _cases(tmp_path)[case]
    p = run("extract", str(path), "--format", "json")
    assert p.returncode == 2, p.stderr
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert str(path) in lines[0] and problem in lines[0]
    assert "Traceback" not in p.stderr


def test_help_lists_commands() -> None:
    p = run("--help")
    assert p.returncode == 0
    assert "extract" in p.stdout


def test_unwritable_output_is_one_line(tmp_path: Path) -> None:
    report = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports" / "dongguan-hrss-2023.md"
    for target in (tmp_path / "no" / "such" / "dir" / "out.json", tmp_path):
        p = run("extract", str(report), "-o", str(target))
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert p.stderr.strip().splitlines() == [p.stderr.strip()] and str(target) in p.stderr


def test_malformed_gold_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "gold").mkdir()
    src = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports" / "panyu-hrss-2023.txt"
    (tmp_path / "reports" / "panyu.txt").write_bytes(src.read_bytes())
    (tmp_path / "gold" / "panyu.json").write_text("{not json", encoding="utf-8")
    p = run("eval", str(tmp_path))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "panyu.json" in p.stderr and "cannot read gold label" in p.stderr
