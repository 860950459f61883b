"""The command line on hostile input and hostile surroundings: one line and exit 2,
never a traceback; nothing a document prints can steer the terminal; the worker
never outlives its parent."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import hostile_inputs as H
import pytest

from extractor.errors import InputError
from extractor.load import isolate

ENV = {**os.environ, "NIANBAO_TIMEOUT": "5", "NIANBAO_MEMORY_MB": "384", "COLUMNS": "200"}


def nianbao(
    *args: str, env: dict[str, str] | None = None, stdout: object = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "extractor", *args], stdout=stdout, stderr=subprocess.PIPE, timeout=60, env=env or ENV
    )


def one_line(p: subprocess.CompletedProcess[bytes], *needles: str) -> str:
    err = p.stderr.decode("utf-8")
    assert p.returncode == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    return err


def test_escapes_and_markup_in_a_report_reach_no_terminal(tmp_path: Path) -> None:
    escaped = H.escapes_in_text(tmp_path)
    table = nianbao("extract", str(escaped))
    assert table.returncode == 0 and b"\x1b" not in table.stdout, table.stdout
    assert "番禺区\\x1b[H\\x1b[J人力" in table.stdout.decode()
    named = tmp_path / "a\x1b[2Jb\nc.txt"
    named.write_bytes(escaped.read_bytes())
    checked = nianbao("verify", str(named), str(tmp_path / "gone\x1b]0;x\x07.txt"))
    assert b"\x1b" not in checked.stdout + checked.stderr
    assert "a\\x1b[2Jb\\nc.txt" in checked.stdout.decode()
    one_line(checked, "gone\\x1b]0;x\\x07.txt: no such file")


def test_verify_goes_on_past_an_unreadable_file(tmp_path: Path) -> None:
    good = H.report_with(tmp_path, "good.txt", {})
    nested = H.nested_json(tmp_path)
    huge = tmp_path / "huge.json"
    huge.write_text('{"meta": {"year": ' + "9" * 5000 + '}, "active": null}', encoding="utf-8")
    p = nianbao("verify", str(good), str(nested), str(huge), str(H.huge_amount(tmp_path)))
    out, err = p.stdout.decode(), p.stderr.decode()
    assert p.returncode == 2 and "Traceback" not in err, err
    assert "good.txt: 0 errors" in out and "huge-amount.txt:" in out
    lines = err.splitlines()
    assert lines[0] == f"nianbao: {nested}: not canonical JSON: nested too deep"
    assert lines[1].startswith(f"nianbao: {huge}: not canonical JSON: Exceeds the limit (4300 digits)")
    assert len(lines) == 2


@pytest.mark.parametrize("value", ["abc", "inf", "-1"])
def test_bad_timeout_setting_is_one_line(value: str) -> None:
    p = nianbao("extract", str(H.REPORT), env={**ENV, "NIANBAO_TIMEOUT": value})
    one_line(p, f"NIANBAO_TIMEOUT={value!r} must be a positive number")


def test_output_full_disk_and_broken_pipe(tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        p = nianbao("extract", str(H.REPORT), "-f", "json", stdout=full)
    assert p.returncode == 2
    assert p.stderr.decode().strip() == "nianbao: cannot write the output: No space left on device"
    proc = subprocess.Popen(
        [sys.executable, "-m", "extractor", "extract", str(H.REPORT), "-f", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first byte
    assert proc.wait(60) == 141
    assert proc.stderr.read() == b""


def test_output_file_is_atomic_and_never_the_input(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_bytes(H.REPORT.read_bytes())
    one_line(nianbao("extract", str(report), "-o", str(report)), "is the report itself")
    assert report.read_bytes() == H.REPORT.read_bytes()
    (tmp_path / "out.json").mkdir()  # os.replace cannot put a file there
    one_line(nianbao("extract", str(report), "-o", str(tmp_path / "out.json")), "cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "r.txt"]  # no temporary file left
    ok = nianbao("extract", str(report), "-o", str(tmp_path / "r.json"))
    assert ok.returncode == 0 and (tmp_path / "r.json").read_text(encoding="utf-8").startswith("{")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _gone(pid: int, within: float) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the worker")
def test_worker_dies_with_a_killed_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "import time; from extractor.load import isolate; "
         "isolate.run(time.sleep, 60, source='slow.pdf', timeout=120)"],
        env=ENV, stdout=subprocess.PIPE,
    )
    try:
        end = time.monotonic() + 30
        while not (workers := _children(parent.pid)) and time.monotonic() < end:
            time.sleep(0.05)
        assert workers, "no worker started"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert all(_gone(w, 5) for w in workers)
        assert parent.stdout is not None and parent.stdout.read() == b""  # the pipe closes: `| wc -c` ends
    finally:
        parent.kill()


def _deadline_in_pool(_: int) -> tuple[str, set[int]]:
    try:
        isolate.run(time.sleep, 60, source="slow.pdf", timeout=0.5)
    except InputError as e:
        return str(e), _children(os.getpid())
    return "no error", set()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the worker")
def test_deadline_stops_the_work_inside_a_pool() -> None:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        message, left = pool.map(_deadline_in_pool, [0])[0]
    assert message == "slow.pdf: gave up after 0.5 s (file too complex or malformed)"
    assert left == set()  # the sleeping worker was killed, not left running


def test_markup_in_document_text_is_printed_as_text() -> None:
    import io

    from rich.console import Console

    from extractor import extract
    from extractor.cli.render import render_result

    result = extract(H.REPORT)
    result.report.meta.agency = "某局[/]"
    result.claims[0].quote = "收到[bold]申请[/]7件"
    out = io.StringIO()
    render_result(result, Console(file=out, width=200))
    assert "某局[/]" in out.getvalue() and "收到[bold]申请[/]7件" in out.getvalue()
