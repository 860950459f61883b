"""Fuzz the readers with mutated fixtures: random bytes, and structure (elements and
span attributes of HTML, XML of a DOCX, objects of a PDF). Every case ends within
the deadline and memory limit with a result that is valid JSON or one line naming
the file. Seeded, so CI runs the same cases (``NIANBAO_FUZZ_SEED`` and
``NIANBAO_FUZZ_CASES`` explore others)."""

from __future__ import annotations

import io
import json
import os
import random
import re
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # make_documents, conftest
from conftest import FIXTURES, load_gold
from make_documents import render_docx

from extractor import extract
from extractor.errors import InputError

SEED = int(os.environ.get("NIANBAO_FUZZ_SEED", "14"))
CASES = int(os.environ.get("NIANBAO_FUZZ_CASES", "8"))  # per mutation kind
TIMEOUT = 5
REPORTS = FIXTURES / "reports"


def _bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(out))
        kind = rng.random()
        if kind < 0.4:
            out[at] = rng.randrange(256)
        elif kind < 0.7:
            del out[at : at + rng.randint(1, 64)]
        else:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return bytes(out)


_TAG = re.compile(rb"<(td|tr|table|p|div|span|th|tbody)\b[^>]*>", re.I)


def _html(rng: random.Random, data: bytes) -> bytes:
    tags = list(_TAG.finditer(data))
    out = data
    for m in sorted(rng.sample(tags, min(len(tags), rng.randint(1, 12))), key=lambda m: -m.start()):
        choice = rng.random()
        if choice < 0.3:
            new = m.group()[:-1] + f' rowspan="{rng.choice([0, -1, 2, 200, 10**9, "x"])}">'.encode()
        elif choice < 0.6:
            new = m.group()[:-1] + f' colspan="{rng.choice([0, 3, 200, 99999999999])}">'.encode()
        elif choice < 0.8:
            new = b""  # an element's start tag dropped
        else:
            new = m.group() * rng.randint(2, 50)  # repeated
        out = out[: m.start()] + new + out[m.end() :]
    return out


_XML_ELEMENT = re.compile(rb"<w:(tc|tr|p|r|t|tcPr|gridSpan|vMerge|tbl)\b[^>]*/?>")


def _docx(rng: random.Random, data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "word/document.xml":
                found = list(_XML_ELEMENT.finditer(part))
                for m in sorted(rng.sample(found, min(len(found), rng.randint(1, 10))), key=lambda m: -m.start()):
                    choice = rng.random()
                    if choice < 0.3:
                        new = f'<w:gridSpan w:val="{rng.choice([0, -5, 63, 70000, "x"])}"/>'.encode()
                    elif choice < 0.5:
                        new = b'<w:vMerge w:val="continue"/>' if m.group(1) != b"tbl" else b""
                    elif choice < 0.8:
                        new = b""
                    else:
                        new = m.group() * rng.randint(2, 20)
                    part = part[: m.start()] + new + part[m.end() :]
            out.writestr(info.filename, part)
    return buf.getvalue()


_PDF_NUMBER = re.compile(rb"(/(?:Length|Count|Size|W|Index|First|N|Prev|Kids|MediaBox)\s*\[?\s*)(\d+)")


def _pdf(rng: random.Random, data: bytes) -> bytes:
    found = list(_PDF_NUMBER.finditer(data))
    out = data
    for m in sorted(rng.sample(found, min(len(found), rng.randint(1, 8))), key=lambda m: -m.start()):
        value = str(rng.choice([0, 1, 7, 2**31, 10**12, int(m.group(2)) * 3])).encode()
        out = out[: m.start(2)] + value + out[m.end(2) :]
    if rng.random() < 0.5:  # and an object's body cut short
        at = rng.randrange(len(out))
        out = out[:at] + out[at + rng.randint(1, 4096) :]
    return out


def _docx_fixture(tmp: Path) -> bytes:
    path = render_docx(load_gold(FIXTURES / "gold" / "pingtan-gov-2023.json"), tmp / "seed.docx", "merged")
    return path.read_bytes()


KINDS: dict[str, tuple[Callable[[Path], bytes], str, Callable[[random.Random, bytes], bytes]]] = {
    "text bytes": (lambda _: (REPORTS / "panyu-hrss-2023.txt").read_bytes(), ".txt", _bytes),
    "markdown bytes": (lambda _: (REPORTS / "dongguan-hrss-2023.md").read_bytes(), ".md", _bytes),
    "html structure": (lambda _: (REPORTS / "pingtan-gov-2023.html").read_bytes(), ".html", _html),
    "html bytes": (lambda _: (REPORTS / "synthetic-2019-rowspan.html").read_bytes(), ".html", _bytes),
    "docx xml": (_docx_fixture, ".docx", _docx),
    "docx bytes": (_docx_fixture, ".docx", _bytes),
    "pdf objects": (lambda _: (REPORTS / "huaian-gov-2024.pdf").read_bytes(), ".pdf", _pdf),
    "pdf bytes": (lambda _: (REPORTS / "huaian-gov-2024.pdf").read_bytes(), ".pdf", _bytes),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_mutated_fixtures_end_in_a_result_or_one_line(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NIANBAO_TIMEOUT", str(TIMEOUT))
    monkeypatch.setenv("NIANBAO_MEMORY_MB", "384")
    seed_of, suffix, mutate = KINDS[kind]
    original = seed_of(tmp_path)
    rng = random.Random(f"{SEED}:{kind}")
    outcomes = {"read": 0, "refused": 0}
    for case in range(CASES):
        path = tmp_path / f"case{case}{suffix}"
        path.write_bytes(mutate(rng, original))
        t0 = time.perf_counter()
        try:
            result = extract(path)
        except InputError as e:
            message = str(e)
            assert "\n" not in message and message.startswith(f"{path}: "), message
            outcomes["refused"] += 1
        else:
            json.dumps(result.to_json(), ensure_ascii=False, allow_nan=False).encode("utf-8")
            outcomes["read"] += 1
        assert time.perf_counter() - t0 < TIMEOUT + 3, f"case {case} of {kind} (seed {SEED})"
    assert sum(outcomes.values()) == CASES
