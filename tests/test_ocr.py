"""Scans and pictures read by OCR: gold fixtures rendered as PDF, rasterised like
scans (150/200 dpi, askew, JPEG grain), as image-only PDFs and as pictures,
must extract equal to gold on every leaf or leave a cell blank with a finding,
never a wrong number.

Recognising a page costs seconds, so CI runs a representative subset (every
page recognised once per session: ``NIANBAO_OCR_CACHE`` is set in conftest).
The full rendered set and the real PDF fixtures run with ``-m ocr_full``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rapidocr")
pytest.importorskip("reportlab")

from conftest import FIXTURES, ROOT, SHARED, leaf_diff, load_gold, rendering
from make_documents import PDF_LAYOUTS, render_pdf
from make_scans import VARIANTS, Scan, save, scan_pages, turn

from extractor import extract
from extractor.errors import InputError, NotAReport, ScannedDocument
from extractor.load import isolate, load
from extractor.load.ocr import _screen
from extractor.load.pdf_model import Char
from extractor.result import Result

GOLDS = sorted((FIXTURES / "gold").glob("*.json"))
NIANBAO = [sys.executable, "-m", "extractor"]


@pytest.fixture(autouse=True)
def _patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about what OCR reads, not how fast: a page may take long on a busy machine."""
    monkeypatch.setenv("NIANBAO_TIMEOUT", os.environ.get("NIANBAO_TIMEOUT", "300"))


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    return rendering(tmp_path_factory, "pdf", render_pdf)


def scanned(rendered: Callable[[str, str], Path], tmp: Path, stem: str, layout: str, variant: str, suffix: str) -> Path:
    scan = VARIANTS[variant]
    return save(scan_pages(rendered(stem, layout), scan), tmp / f"{stem}-{layout}-{variant}{suffix}", scan.dpi)


def assert_gold_or_flagged_blank(result: Result, gold: dict[str, Any]) -> None:
    """Every leaf equals gold, or is blank and a finding names it (or an unread value nearby)."""
    got = result.report.to_canonical()
    flagged = {p for f in result.findings for p in f.paths}
    unread = [f for f in result.findings if f.rule == "ocr.unread"]
    for path, want, have in leaf_diff({**gold, "claims": []}, got):
        assert have is None, f"{path}: read {have!r}, gold {want!r}"
        assert path in flagged or unread, f"{path}: blank without a finding"


# --- the representative subset CI runs ------------------------------------------------

SUBSET = [
    ("dongguan-hrss-2023", "ruled", "150", ".pdf"),
    ("synthetic-2019-blank-cells", "unruled", "150-jpeg", ".pdf"),
    ("synthetic-rt-hubei-nr-2020", "split", "200-tilt-jpeg", ".pdf"),
    ("synthetic-2021-slash-cells", "vertical", "150-tilt", ".tif"),
]


@pytest.mark.parametrize(("stem", "layout", "variant", "suffix"), SUBSET)
def test_scan_equals_gold(
    rendered: Callable[[str, str], Path], tmp_path: Path, stem: str, layout: str, variant: str, suffix: str
) -> None:
    path = scanned(rendered, tmp_path, stem, layout, variant, suffix)
    result = extract(path)
    assert result.provenance.format == ("pdf" if suffix == ".pdf" else "image")
    assert_gold_or_flagged_blank(result, load_gold(FIXTURES / "gold" / f"{stem}.json"))
    ev = result.evidence["applications.granted.total"]
    assert ev.page is not None and ev.box is not None and ev.confidence is not None


def test_mixed_pdf_reads_text_pages_and_ocrs_scanned_ones(rendered: Callable[[str, str], Path], tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    text = rendered("panyu-hrss-2023", "ruled")
    scan = save(scan_pages(text, Scan(150)), tmp_path / "scan.pdf", 150)
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(text)), [0])
    mixed.import_pages(pdfium.PdfDocument(str(scan)), [1])
    path = tmp_path / "mixed.pdf"
    mixed.save(str(path))
    doc = load(path)
    assert doc.extra["ocr"] == "pages 2"
    assert {ln.page for ln in doc.lines} == {1, 2}
    result = extract(doc)
    assert_gold_or_flagged_blank(result, load_gold(FIXTURES / "gold" / "panyu-hrss-2023.json"))
    on_page = {ev.page for ev in result.evidence.values()}
    assert on_page == {1, 2}
    assert all(ev.confidence is None for ev in result.evidence.values() if ev.page == 1)


def test_a_page_on_its_side_is_turned_upright(rendered: Callable[[str, str], Path], tmp_path: Path) -> None:
    upright = load(save(scan_pages(rendered("dongguan-hrss-2023", "ruled"), Scan(150))[:1], tmp_path / "p.png", 150))
    sideways = load(turn(rendered("dongguan-hrss-2023", "ruled"), tmp_path / "side.pdf", 3))
    first = [ln.text for ln in sideways.lines if ln.page == 1]
    same = [t for t in (ln.text for ln in upright.lines) if t in first]
    assert len(same) >= 0.8 * len(upright.lines)  # read alike, up to a stray mark
    assert first[0] == upright.lines[0].text and "东莞市人力资源和社会保障局" in first[0]


def test_blank_scan_and_a_picture_without_a_report_give_one_clear_line(tmp_path: Path) -> None:
    from PIL import Image, ImageDraw

    white = tmp_path / "blank.pdf"
    Image.new("RGB", (1240, 1754), "white").save(white, resolution=150)
    with pytest.raises(ScannedDocument, match=r"blank\.pdf: scanned PDF.*OCR found no text"):
        load(white)
    photo = tmp_path / "photo.jpg"
    img = Image.new("RGB", (900, 600), (90, 140, 200))
    ImageDraw.Draw(img).ellipse((200, 150, 700, 450), fill=(240, 200, 60))
    img.save(photo)
    with pytest.raises(InputError, match=r"photo\.jpg: (no text found in the image|.*not .*annual report)"):
        extract(photo)


def test_a_broken_picture_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "scan.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really" * 20)
    with pytest.raises(InputError, match=r"scan\.png: cannot read the image"):
        load(bad)


def test_a_picture_of_text_that_is_no_report_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    pages = scan_pages(FIXTURES / "reports" / "huaian-gov-2024.pdf", Scan(150))
    page = pages[1]  # running text only: the report's narrative, no title, no tables
    path = tmp_path / "narrative.png"
    page.crop((0, 0, page.width, page.height // 3)).save(path)
    assert isinstance(page, Image.Image)
    with pytest.raises(NotAReport, match=r"narrative\.png: "):
        extract(path)


# --- policies, without recognition ---------------------------------------------------------


def _word(text: str, score: float = 0.99) -> list[tuple[Char, float]]:
    return [(Char(ch, 10.0 * i, 0.0, 10.0 * i + 9, 12.0), score) for i, ch in enumerate(text)]


@pytest.mark.parametrize(
    ("text", "kept", "unread"),
    [
        ("1O", "", "1O"),  # 10? never decided: blank
        ("l5", "", "l5"),
        ("S0", "", "S0"),
        ("O", "", "O"),  # a lone O where a value stands
        ("合计2O24件", "合计件", "2O24"),
        ("163.com", "163.com", None),  # an address, not a misread number
        ("OA系统", "OA系统", None),
        ("105", "105", None),
        ("政府信息", "政府信息", None),
    ],
)
def test_digits_confused_with_letters_are_never_turned_into_numbers(text: str, kept: str, unread: str | None) -> None:
    chars, lost = _screen(_word(text), 1)
    assert "".join(c.text for c, _ in chars) == kept
    assert [t for _, t, _ in lost] == ([unread] if unread else [])


def test_digits_read_with_a_low_score_are_left_unread() -> None:
    chars, lost = _screen(_word("48", 0.4), 3)
    assert chars == [] and lost == [((3, 0.0, 0.0, 19.0, 12.0), "48", 0.4)]
    assert _screen(_word("48", 0.7), 3)[0] != []


def test_low_confidence_values_raise_an_info_finding_naming_the_cell() -> None:
    doc = load(FIXTURES / "reports" / "dongguan-hrss-2023.md")
    path = "applications.granted.total"
    ev = extract(doc).evidence[path]
    assert ev.confidence is None
    doc.confidence[ev.start] = 0.61  # as the OCR loader records a cell's lowest score
    result = extract(doc)
    low = [f for f in result.findings if f.rule == "ocr.low_confidence"]
    assert [f.paths for f in low] == [[path]] and low[0].severity == "info"
    assert "0.61" in low[0].message.en and f"{ev.row} / {ev.col}" in low[0].message.en
    assert result.to_json()["evidence"][path]["confidence"] == 0.61
    doc.confidence[ev.start] = 0.95
    assert not [f for f in extract(doc).findings if f.rule.startswith("ocr.")]


def test_an_unread_value_is_a_warning_quoting_what_was_read() -> None:
    doc = load(FIXTURES / "reports" / "dongguan-hrss-2023.md")
    doc.unread.append(((2, 300.0, 400.0, 320.0, 412.0), "1O", 0.42))
    unread = [f for f in extract(doc).findings if f.rule == "ocr.unread"]
    assert len(unread) == 1 and unread[0].severity == "warning" and unread[0].quote == "1O"
    assert "page 2" in unread[0].message.en and "“1O”" in unread[0].message.en and "left blank" in unread[0].message.en


# --- refusals and the command line ------------------------------------------------------


def test_no_ocr_refuses_scans_in_one_line(rendered: Callable[[str, str], Path], tmp_path: Path) -> None:
    path = save(scan_pages(rendered("dongguan-hrss-2023", "ruled"), Scan(100)), tmp_path / "scan.pdf", 100)
    for target in (path, save(scan_pages(path, Scan(100))[:1], tmp_path / "page.png", 100)):
        run = subprocess.run([*NIANBAO, "extract", str(target), "--no-ocr"], capture_output=True, text=True)
        assert run.returncode == 2, run.stderr
        assert run.stderr.count("\n") == 1 and "OCR is off (--no-ocr)" in run.stderr and target.name in run.stderr


def test_without_the_extra_a_scan_names_the_extra(rendered: Callable[[str, str], Path], tmp_path: Path) -> None:
    blocker = tmp_path / "block" / "rapidocr"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    path = save(scan_pages(rendered("dongguan-hrss-2023", "ruled"), Scan(100)), tmp_path / "scan.pdf", 100)
    env = {**os.environ, "PYTHONPATH": f"{blocker.parent}{os.pathsep}{ROOT}"}
    for target in (path, save(scan_pages(path, Scan(100))[:1], tmp_path / "page.jpg", 100)):
        run = subprocess.run([*NIANBAO, "extract", str(target)], capture_output=True, text=True, env=env)
        assert run.returncode == 2, run.stderr
        assert run.stderr.count("\n") == 1 and "pip install 'nianbao[ocr]'" in run.stderr, run.stderr


def test_cli_shows_ocr_progress_per_page(rendered: Callable[[str, str], Path], tmp_path: Path) -> None:
    path = scanned(rendered, tmp_path, "dongguan-hrss-2023", "ruled", "150", ".pdf")
    run = subprocess.run([*NIANBAO, "extract", str(path), "-f", "json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert [ln.split(":")[1].strip() for ln in lines] == ["OCR page 1/2", "OCR page 2/2"]
    assert all(ln.startswith(f"{path.name}: OCR page ") and ln.endswith(" s") for ln in lines)


def _steps(n: int, seconds: float) -> int:
    for k in range(n):
        time.sleep(seconds)
        isolate.progress(f"step {k + 1}")
    return n


def test_progress_reaches_the_listener_and_restarts_the_deadline() -> None:
    heard: list[str] = []
    wait = 0.6 + isolate.GRACE  # what the caller waits for one step
    with isolate.listening(heard.append):
        assert isolate.run(_steps, 4, wait / 2, source="slow.png", timeout=0.6) == 4  # 2 × wait in all
    assert heard == ["step 1", "step 2", "step 3", "step 4"]
    with pytest.raises(InputError, match=r"slow\.png: gave up after 0\.6 s"):
        isolate.run(_steps, 1, wait + 1.0, source="slow.png", timeout=0.6)


# --- the full set: every gold, every layout, every scan variant (-m ocr_full) ----------


@pytest.mark.ocr_full
@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("layout", PDF_LAYOUTS)
@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.stem)
def test_full_scan_equals_gold(
    rendered: Callable[[str, str], Path], tmp_path: Path, gold: Path, layout: str, variant: str
) -> None:
    path = scanned(rendered, tmp_path, gold.stem, layout, variant, ".pdf")
    assert_gold_or_flagged_blank(extract(path), load_gold(gold))


REAL = [FIXTURES / "reports" / "huaian-gov-2024.pdf", *sorted((SHARED / "fixtures" / "reports").glob("*.pdf"))]


@pytest.mark.ocr_full
@pytest.mark.parametrize("dpi", [150, 200])
@pytest.mark.parametrize("report", REAL, ids=lambda p: p.stem)
def test_real_pdfs_rasterised_extract_every_leaf(tmp_path: Path, report: Path, dpi: int) -> None:
    gold = report.parent.parent / "gold" / f"{report.stem}.json"
    path = save(scan_pages(report, Scan(dpi)), tmp_path / f"{report.stem}-{dpi}.pdf", dpi)
    result = extract(path)
    assert leaf_diff(load_gold(gold), result.report.to_canonical()) == []
