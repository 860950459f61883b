"""Every reproduction of issue 14, generated at test time: each ends in bounded time
with one line naming the file (an :class:`InputError`, exit 2 on the command line)
or with a correct result and a finding, never a traceback."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import hostile_inputs as H
import pytest

from extractor import extract
from extractor.errors import InputError
from extractor.load import isolate
from extractor.result import Result

#: The deadline and memory limit the tests run under (low, so a failure is quick).
TIMEOUT = 5
MEMORY_MB = 384
#: What a reproduction may take: the deadline, the worker's grace, and start-up slack.
BOUND = TIMEOUT + isolate.GRACE + 3


@pytest.fixture(autouse=True)
def _bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIANBAO_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("NIANBAO_MEMORY_MB", str(MEMORY_MB))


def _symlink_loop(d: Path) -> Path:
    p = d / "loop.txt"
    os.symlink(p, p)
    return p


def _fifo(d: Path) -> Path:
    p = d / "fifo.txt"
    os.mkfifo(p)
    return p


#: name: (generator, the problem the one-line error names)
REFUSED: dict[str, tuple[Callable[[Path], Path], str]] = {
    "heading + 8000 spaces": (H.heading_spaces, "not a government information disclosure annual report"),
    "x + 200000 spaces + y": (H.long_space_run, "not a government information disclosure annual report"),
    "docx paragraph of U+2005": (H.docx_spaces, "not a government information disclosure annual report"),
    "charset=undefined": (lambda d: H.html_charset(d, "undefined", 20_000), "not a government information"),
    "html rowspan/colspan 200x200": (H.html_span_bomb, "a table expands to over 100000 cells"),
    "60 MB of a\\n": (H.many_lines, "too large for a text report"),
    "/dev/zero": (lambda d: Path("/dev/zero"), "not a regular file"),
    "docx gridBefore=5000000": (H.docx_grid_before, "a table expands to over 100000 cells"),
    "docx gridSpan=5000000": (H.docx_grid_span, "a table expands to over 100000 cells"),
    "pdf stream inflating to 1 GiB": (
        lambda d: H.pdf_stream_bomb(d, 1 << 30, checksums=False),
        f"or went over {MEMORY_MB} MiB",
    ),
    "docx member inflating to 600 MiB": (
        lambda d: H.docx_zip_bomb(d, 600 << 20, checksums=False),
        "refused as a zip bomb",
    ),
    "symlink loop": (_symlink_loop, "a symbolic link loop"),
    "FIFO": (_fifo, "not a regular file"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_in_one_line_and_bounded_time(tmp_path: Path, case: str) -> None:
    make, problem = REFUSED[case]
    path = make(tmp_path)
    t0 = time.perf_counter()
    with pytest.raises(InputError) as err:
        extract(path)
    assert time.perf_counter() - t0 < BOUND
    message = str(err.value)
    assert "\n" not in message and message.startswith(f"{path}: ") and problem in message, message


def _agency(r: Result) -> None:
    assert r.report.meta.agency == "广州市番禺区人力资源和社会保障局"
    assert r.report.leaves()["applications.new_received.total"] == 7


def _blank_with_finding(path: str) -> Callable[[Result], None]:
    def check(r: Result) -> None:
        _agency(r)
        assert r.report.leaves()[path] is None
        assert any(f.rule.startswith("parse.") and path in f.paths for f in r.findings), r.findings
        json.dumps(r.to_json(), allow_nan=False)  # valid JSON: no Infinity, no NaN

    return check


#: name: (generator, what the result must show)
READ: dict[str, tuple[Callable[[Path], Path], Callable[[Result], None]]] = {
    "report + \\n二 + 4000 newlines": (H.heading_newlines, _agency),
    "title line of 100000 spaces": (H.title_spaces, _agency),
    "title line of 100000 U+2005": (lambda d: H.title_spaces(d, space="\u2005"), _agency),
    "stray invalid byte in UTF-8": (H.stray_byte, _agency),
    "5000-digit cell": (H.huge_number_cell, _blank_with_finding("active.licensing.decisions")),
    "5000-digit narrative number": (H.huge_number_narrative, _agency),
    "400-digit amount": (H.huge_amount, _blank_with_finding("active.fees.amount_10k_yuan")),
    "table 二 N/A": (lambda d: H.active_cell(d, "N/A"), _blank_with_finding("active.punishment.decisions")),
    "table 二 详见附件": (lambda d: H.active_cell(d, "详见附件"), _blank_with_finding("active.punishment.decisions")),
    "table 二 1.582e3": (lambda d: H.active_cell(d, "1.582e3"), _blank_with_finding("active.punishment.decisions")),
    "table 二 一千五百八十二": (
        lambda d: H.active_cell(d, "一千五百八十二"),
        _blank_with_finding("active.punishment.decisions"),
    ),
}


@pytest.mark.parametrize("case", list(READ))
def test_read_with_findings_in_bounded_time(tmp_path: Path, case: str) -> None:
    make, check = READ[case]
    path = make(tmp_path)
    t0 = time.perf_counter()
    result = extract(path)
    assert time.perf_counter() - t0 < BOUND
    check(result)


@pytest.mark.parametrize(
    "make",
    [H.pdf_spaces, H.html_charset, H.pdf_lone_surrogate],
    ids=["pdf line of spaces", "charset=punycode 3 MB", "pdf lone surrogate"],
)
def test_either_outcome_is_bounded_and_writable(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    """Files that are (nearly) not reports: read or refused, quickly, and what is read can be written."""
    path = make(tmp_path)
    t0 = time.perf_counter()
    try:
        result = extract(path)
    except InputError as e:
        assert "\n" not in str(e) and str(e).startswith(f"{path}: ")
    else:
        json.dumps(result.to_json(), ensure_ascii=False, allow_nan=False).encode("utf-8")  # no lone surrogate
    assert time.perf_counter() - t0 < BOUND


def test_punycode_is_not_taken_from_the_page(tmp_path: Path) -> None:
    from extractor.load.html import _decode_html

    page = '<meta charset="punycode"><p>二、主动公开政府信息情况</p>'.encode()
    assert "主动公开" in _decode_html(page, "p.html")
    assert "主动公开" in _decode_html(page.replace(b"punycode", b"undefined"), "u.html")
