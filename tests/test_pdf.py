"""PDF reports: the real Huai'an PDF, every gold fixture rendered in five layouts,
and the files a reader must refuse (encrypted, truncated, scanned, hanging)."""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pypdfium2")
pytest.importorskip("reportlab")

from conftest import FIXTURES, blanks_only, leaf_diff, load_gold, rendering
from make_documents import CLASS_LAYOUTS, PDF_LAYOUTS, clipped_gold, render_pdf
from variants import with_holes

from extractor.document import Document
from extractor.errors import InputError, ScannedDocument, UnsupportedFormat
from extractor.load import isolate, load
from extractor.parse.parser import parse

HUAIAN = FIXTURES / "reports" / "huaian-gov-2024.pdf"
GOLDS = sorted((FIXTURES / "gold").glob("*.json"))


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """Render a gold fixture as a PDF once per session."""
    return rendering(tmp_path_factory, "pdf", render_pdf)


def canonical(doc: Document) -> dict[str, Any]:
    return parse(doc).report.to_canonical()


def test_huaian_pdf_extracts_exactly() -> None:
    doc = load(HUAIAN)
    assert leaf_diff(load_gold(FIXTURES / "gold" / "huaian-gov-2024.json"), canonical(doc)) == []
    assert doc.format == "pdf" and doc.extra["pdf_reader"] == "pdfium"
    assert {ln.page for ln in doc.lines} == {1, 2, 3, 4, 5, 6}
    assert not any(ln.text.strip() in {f"- {n} -" for n in range(1, 7)} for ln in doc.lines)


def test_huaian_table_three_is_one_table_across_the_page_break() -> None:
    doc = load(HUAIAN)
    rows = [ln for ln in doc.lines if ln.cells and any(c.text == "三、本年度办理结果" for c in ln.cells)]
    # The vertical label spans the rows on page 4 and, printed there only, those on page 5.
    assert {ln.page for ln in rows} == {4, 5}
    assert len({ln.table for ln in rows}) == 1
    assert len({id(ln.cells[0]) for ln in rows if ln.cells}) == 1
    last = next(ln for ln in doc.lines if ln.cells and ln.cells[-1].text == "103")
    assert [c.text for c in last.cells or ()][3:] == ["103", "0", "0", "0", "0", "0", "103"]
    wrapped = next(c for ln in doc.lines for c in ln.cells or () if c.text.startswith("2、申请人逾期"))
    assert wrapped.text == "2、申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"


def test_huaian_values_have_page_and_position() -> None:
    doc = load(HUAIAN)
    parsed = parse(doc)
    ev = parsed.evidence["applications.total.total"]
    assert ev.box is not None
    x0, top, x1, bottom = ev.box
    assert (ev.page, doc.boxes[ev.start][0], doc.text[ev.start : ev.end]) == (5, 5, "3050")
    assert 0 < x0 < x1 < 595 and 0 < top < bottom < 842
    fee = parsed.evidence["active.fees.amount_10k_yuan"]
    assert fee.page == 4 and fee.box is not None


@pytest.mark.parametrize("missing", ["_cffi_backend", "pypdfium2_raw"])
def test_without_cffi_or_pypdfium2_a_pdf_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    from extractor.load.pdf import load_pdf

    monkeypatch.setitem(sys.modules, missing, None)  # as if cffi (or pypdfium2, which ships pdfium) were not installed
    monkeypatch.delitem(sys.modules, "extractor.load.pdf_library", raising=False)  # so that it looks again
    with pytest.raises(UnsupportedFormat, match=r"needs pypdfium2 and cffi: pip install 'nianbao\[pdf\]'"):
        load_pdf((FIXTURES / "reports" / "huaian-gov-2024.pdf").read_bytes(), "huaian.pdf")


def _address(handle: Any) -> int | None:
    """The address behind one of pypdfium2's typed handles."""
    value: int | None = ctypes.cast(handle, ctypes.c_void_p).value
    return value


def test_declared_functions_match_the_headers() -> None:
    """Each function the reader declares takes and returns what pdfium's headers say (as
    pypdfium2's bindings, generated from them, have it), a pointer as an ``intptr_t``; the
    library configuration is laid out as pdfium's; the constants are pdfium's."""
    import pypdfium2.raw as raw

    from extractor.load import pdf_library as lib

    def theirs(t: Any) -> str:  # a ctypes type, as the ABI sees it
        if t is None or issubclass(t, (ctypes._Pointer, ctypes.c_void_p)) or t is ctypes.c_float:
            return {None: "void", ctypes.c_float: "float"}.get(t, "intptr_t")
        return f"{'unsigned' if t._type_ in 'BHILQ' else 'signed'} {ctypes.sizeof(t)}"

    def ours(t: Any) -> str:  # a cffi type, likewise
        if t.cname in ("void", "float", "intptr_t"):
            return str(t.cname)
        unsigned = t.cname.startswith("unsigned") or t.cname == "size_t"
        return f"{'unsigned' if unsigned else 'signed'} {lib.FFI.sizeof(t)}"

    for name, signature in lib.SIGNATURES.items():
        func, declared = getattr(raw, name), lib.FFI.typeof(signature)
        want = [theirs(func.restype), *map(theirs, func.argtypes)]
        assert [ours(declared.result), *map(ours, declared.args)] == want, name
    fields = [n for n, _ in lib._Config._fields_]
    offsets = [getattr(raw.FPDF_LIBRARY_CONFIG, n).offset for n, _ in raw.FPDF_LIBRARY_CONFIG._fields_[:4]]
    assert [getattr(lib._Config, n).offset for n in fields] == offsets
    for kind in ("ERR_PASSWORD", "PAGEOBJ_PATH", "PAGEOBJ_IMAGE", "PAGEOBJ_FORM", "SEGMENT_BEZIERTO", "SEGMENT_MOVETO"):
        assert getattr(lib, f"FPDF_{kind}") == getattr(raw, f"FPDF_{kind}"), kind


@pytest.mark.parametrize("name", ["huaian-gov-2024.pdf", "hongze-gov-2023.pdf"])
def test_bulk_reads_equal_pdfiums_one_call_per_item(name: str) -> None:
    """The bulk readers give exactly what pypdfium2's own calls give, one by one."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from extractor.load.pdf_calls import box_heights, codes, loose_boxes, matrices, objects, segments, stroked

    pdf = pdfium.PdfDocument(FIXTURES / "reports" / name)
    paths = 0
    for page in pdf:
        tp = page.get_textpage()
        every = list(range(tp.count_chars()))
        assert codes(_address(tp.raw)) == [raw.FPDFText_GetUnicode(tp, i) for i in every]
        loose = [tp.get_charbox(i, loose=True) for i in every]
        assert loose_boxes(_address(tp.raw), every) == [v for b in loose for v in (b[0], b[3], b[2], b[1])]
        heights = [top - bottom for _, bottom, _, top in map(tp.get_charbox, every)]
        assert box_heights(_address(tp.raw), every) == heights
        listed = list(page.get_objects(max_depth=1))
        assert objects(_address(page.raw), None) == ([_address(o.raw) for o in listed], [o.type for o in listed])
        drawn = [o for o in listed if o.type == raw.FPDF_PAGEOBJ_PATH]
        paths += len(drawn)
        expected = [(m.a, m.b, m.c, m.d, m.e, m.f) for m in (o.get_matrix() for o in listed)]
        assert matrices([_address(o.raw) for o in listed]) == expected
        modes, shapes = [], []
        fill, stroke = ctypes.c_int(), ctypes.c_int()
        x, y = ctypes.c_float(), ctypes.c_float()
        for obj in drawn:
            raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke)
            modes.append(bool(stroke.value))
            points, types, closes = [], [], []
            for k in range(raw.FPDFPath_CountSegments(obj.raw)):
                seg = raw.FPDFPath_GetPathSegment(obj.raw, k)
                raw.FPDFPathSegment_GetPoint(seg, x, y)
                points += [x.value, y.value]
                types.append(raw.FPDFPathSegment_GetType(seg))
                closes.append(raw.FPDFPathSegment_GetClose(seg))
            shapes.append((points, types, closes))
        assert stroked([_address(o.raw) for o in drawn]) == modes
        assert segments([_address(o.raw) for o in drawn]) == shapes
    pdf.close()
    assert paths > 10


@pytest.mark.parametrize("layout", PDF_LAYOUTS)
@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.stem)
def test_rendered_pdf_equals_gold(rendered: Callable[[str, str], Path], gold: Path, layout: str) -> None:
    doc = load(rendered(gold.stem, layout))
    blanks_only(f"{gold.stem}-{layout}", leaf_diff(load_gold(gold), canonical(doc)))


def _no_blank_cell(gold: Path) -> bool:
    from extractor.report import flatten

    return None not in flatten(load_gold(gold)).values()


@pytest.mark.parametrize("layout", CLASS_LAYOUTS)
@pytest.mark.parametrize("gold", [g for g in GOLDS if _no_blank_cell(g)], ids=lambda p: p.stem)
def test_wrapped_row_labels_in_an_unruled_pdf(rendered: Callable[[str, str], Path], gold: Path, layout: str) -> None:
    """Narrow label columns wrap long row labels around their values, the vertical
    三、本年度办理结果 between them (issue 16, class 2). Blank cells in unruled
    tables are placed by position, which the unruled layout tests."""
    doc = load(rendered(gold.stem, layout))
    blanks_only(f"{gold.stem}-{layout}", leaf_diff(load_gold(gold), canonical(doc)))


@pytest.mark.parametrize("layout", ["ruled", "unruled"])
def test_blank_cells_stay_in_their_columns(rendered: Callable[[str, str], Path], layout: str) -> None:
    doc = load(rendered("synthetic-2019-blank-cells", layout))
    review = [ln for ln in doc.lines if ln.cells and len(ln.cells) == 15][-1]
    assert [c.text for c in review.cells or ()] == ["1", "0", "0", "0", "1", *["0"] * 5, *[""] * 5]
    cells = {ln.cells[-8].text: [c.text for c in ln.cells[-7:]] for ln in doc.lines if ln.cells and len(ln.cells) >= 8}
    # 科研机构 is blank in every row, 社会公益组织 in some: both keep their column.
    assert cells["1.属于国家秘密"] == ["0", "0", "", "", "0", "0", "0"]
    assert cells["一、本年新收政府信息公开申请数量"] == ["44", "3", "", "0", "0", "0", "47"]
    licensing = next(ln for ln in doc.lines if ln.cells and ln.cells[0].text == "行政许可")
    assert [c.text for c in licensing.cells or ()][-3:] == ["12", "", "356"]


def test_split_table_keeps_one_header(rendered: Callable[[str, str], Path]) -> None:
    doc = load(rendered("huaian-gov-2024", "split"))
    table3 = [ln for ln in doc.lines if ln.cells and any("本年度办理结果" in c.text for c in ln.cells)]
    assert len({ln.page for ln in table3}) == 2
    same = [ln for ln in doc.lines if ln.table == table3[0].table]
    assert sum(1 for ln in same if any(c.text == "申请人情况" for c in ln.cells or ())) == 1
    assert len({ln.page for ln in same}) == 2
    # The running header (the title) and the page numbers are gone; the title itself stays once.
    assert sum(1 for ln in doc.lines if "政府信息公开工作年度报告" in ln.text) == 1
    assert not any(ln.text.startswith("- ") for ln in doc.lines)


def test_one_character_per_line_labels_are_joined(rendered: Callable[[str, str], Path]) -> None:
    doc = load(rendered("huaian-gov-2024", "vertical"))
    cells = {c.text for ln in doc.lines for c in ln.cells or ()}
    assert {"三、本年度办理结果", "自然人", "商业企业", "总计"} <= cells


def test_unruled_table_without_blanks_reads_as_text_lines(rendered: Callable[[str, str], Path]) -> None:
    doc = load(rendered("huaian-gov-2024", "unruled"))
    assert not any(ln.cells for ln in doc.lines)
    assert any(ln.text == "三、本年度办理结果" for ln in doc.lines)
    assert any(ln.text.startswith("1.属于国家秘密 2 0 0 0 0 0 2") for ln in doc.lines)


# --- files a reader must refuse --------------------------------------------


def _canvas_pdf(path: Path, draw: Callable[[Any], None], **kw: Any) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), **kw)
    draw(c)
    c.showPage()
    c.save()
    return path


def test_rules_and_images_inside_forms_are_placed_by_their_matrices(tmp_path: Path) -> None:
    """A form drawn twice (once inside another form, scaled): its rules land where each use puts them."""
    from PIL import Image

    from extractor.load.pdf_document import PdfFile
    from extractor.load.pdf_layout import read_page

    img = tmp_path / "dot.png"
    Image.new("L", (4, 4), 0).save(img)

    def draw(c: Any) -> None:
        c.beginForm("cell")
        c.grid([0, 100, 200], [0, 30, 60])
        c.drawImage(str(img), 5, 5, 4, 4)
        c.endForm()
        c.beginForm("outer")
        c.doForm("cell")
        c.endForm()
        c.saveState()
        c.translate(100, 500)
        c.doForm("cell")
        c.restoreState()
        c.translate(50, 200)
        c.scale(2, 1)
        c.doForm("outer")

    with PdfFile(_canvas_pdf(tmp_path / "forms.pdf", draw).read_bytes(), "forms.pdf") as pdf, pdf.page(0) as loaded:
        page = read_page(*loaded, 1)
    assert page.images == 2
    xs = sorted({round(s.at, 2) for s in page.rules if not s.horizontal})
    tops = sorted({round(page.height - s.at, 2) for s in page.rules if s.horizontal})
    assert xs == [50, 100, 200, 250, 300, 450]
    assert tops == [200, 230, 260, 500, 530, 560]


@pytest.mark.parametrize("stroke", [True, False])
def test_path_subpaths_become_rules(stroke: bool) -> None:
    """A thin filled bar is a rule; a curved subpath is a drawing; a stroked box gives its four
    edges (the closing one too); the path's matrix places it; ``top`` grows down the page."""
    import pypdfium2.raw as raw

    from extractor.load.pdf_layout import _rules
    from extractor.load.pdf_model import Seg

    move, line, curve = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_LINETO, raw.FPDF_SEGMENT_BEZIERTO
    bar = [(move, 0, 0), (line, 100, 0), (line, 100, 1), (line, 0, 1)]
    arc = [(move, 0, 10), (curve, 5, 15), (curve, 10, 15), (curve, 15, 10)]
    box = [(move, 0, 20), (line, 50, 20), (line, 50, 60), (line, 0, 60)]
    segs = [*bar, *arc, *box]
    path = ([float(v) for _, x, y in segs for v in (x, y)], [k for k, _, _ in segs], [0] * 11 + [1])
    got = _rules(path, stroke, (2.0, 0.0, 0.0, 1.0, 10.0, 0.0), 100.0)
    edges = [Seg(True, 80, 10, 110), Seg(False, 110, 40, 80), Seg(True, 40, 10, 110), Seg(False, 10, 40, 80)]
    assert got == [Seg(True, 99.5, 10, 210), *(edges if stroke else [])]


@pytest.mark.parametrize(
    ("text", "garbled"),
    [
        ("政府信息公开工作年度报告", False),
        ("\ue001\ue002 \ue003年", True),  # private-use code points: glyphs mapped to nothing
        ("\ue001年年", False),  # a third odd is not more than a third
        ("\ue001\ue001\u3000年年年", True),  # spaces do not count either way
        ("\ufffd\ufffd报", True),
        ("\x01\x02表", True),
        ("\ue001报告\t\t\t", False),
        ("", False),
    ],
)
def test_a_text_layer_of_unmapped_glyphs_is_garbled(text: str, garbled: bool) -> None:
    from extractor.load.pdf import _garbled
    from extractor.load.pdf_model import Char, PageLayout

    page = PageLayout(1, 595.0, 842.0, [[Char(t, i, 0.0, i + 1.0, 1.0) for i, t in enumerate(text)]], [], 0)
    assert _garbled(page) is garbled


def test_the_title_is_the_documents_information_title(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    from extractor.load.pdf_document import PdfFile

    def titled(c: Any) -> None:
        c.setTitle("淮安市2024年政府信息公开工作年度报告 𠀋")  # a character beyond the BMP, too
        c.drawString(72, 720, "report")

    blank = pdfium.PdfDocument.new()
    blank.new_page(595, 842)
    blank.save(str(untitled := tmp_path / "untitled.pdf"))  # no document information at all
    paths = [HUAIAN, FIXTURES / "reports" / "hongze-gov-2023.pdf", _canvas_pdf(tmp_path / "t.pdf", titled), untitled]
    titles = []
    for path in paths:
        with PdfFile(path.read_bytes(), path.name) as pdf, pdfium.PdfDocument(path) as theirs:
            titles.append(pdf.title())
            assert titles[-1] == theirs.get_metadata_value("Title")
    assert titles[2:] == ["淮安市2024年政府信息公开工作年度报告 𠀋", ""]


def _characters_per_page(pdf: Any) -> list[int]:
    from extractor.load.pdf_layout import read_page

    counts = []
    for i in range(pdf.pages):  # pdfium parses each page from the document's bytes as it loads it
        with pdf.page(i) as loaded:
            counts.append(sum(map(len, read_page(*loaded, i + 1).lines)))
    return counts


def _read_from_a_copy_only_the_document_holds() -> list[int]:
    from extractor.load.pdf_document import PdfFile

    pdf = PdfFile(bytes(bytearray(HUAIAN.read_bytes())), "huaian.pdf")  # the only reference to those bytes
    junk = [bytes(500_000) for _ in range(8)]  # what the memory of freed bytes would be reused for
    try:
        return _characters_per_page(pdf)
    finally:
        pdf.close()
        del junk


def test_an_open_document_keeps_its_bytes() -> None:
    from extractor.load.pdf_document import PdfFile

    data = HUAIAN.read_bytes()
    with PdfFile(data, "huaian.pdf") as pdf:
        expected = _characters_per_page(pdf)
    assert len(expected) == 6 and min(expected) > 100
    assert isolate.run(_read_from_a_copy_only_the_document_holds, source="huaian.pdf", timeout=30) == expected


# The direct reader and pypdfium2 (OCR and the review page render with it) in one process,
# in the order given: both read the same pages whichever started pdfium, from one library.
_BOTH = """
import sys
from pathlib import Path
data = Path(sys.argv[2]).read_bytes()

def ours():
    from extractor.load.pdf import read_pdf
    return [ln.text for ln in read_pdf(data, "r.pdf").lines]

def theirs():
    from extractor.service.pageimage import _png, _sizes
    return [_sizes(data), len(_png(data, 1, 0.25))]

first, second = (ours, theirs) if sys.argv[1] == "ours" else (theirs, ours)
done = {first.__name__: first(), second.__name__: second()}
assert first() == done[first.__name__]
done["mapped"] = sorted({line.split()[-1] for line in open("/proc/self/maps") if "libpdfium" in line})
print(repr(done))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_the_reader_and_pypdfium2_share_pdfium_in_either_order() -> None:
    import ast
    import subprocess

    runs = [
        subprocess.run([sys.executable, "-c", _BOTH, first, str(HUAIAN)], capture_output=True, text=True, timeout=60)
        for first in ("ours", "theirs")
    ]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    ours_first, theirs_first = (ast.literal_eval(r.stdout) for r in runs)
    assert ours_first == theirs_first
    assert len(ours_first["mapped"]) == 1
    assert ours_first["ours"][0] == "淮安市人民政府" and len(ours_first["theirs"][0]) == 6


def test_encrypted_pdf(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("secret", canPrint=0)
    path = _canvas_pdf(tmp_path / "locked.pdf", lambda c: c.drawString(72, 720, "report"), encrypt=enc)
    with pytest.raises(InputError, match=r"locked\.pdf: encrypted PDF \(password required\)"):
        load(path)


@pytest.mark.parametrize("cut", [0.5, 0.1])
def test_truncated_pdf(tmp_path: Path, cut: float) -> None:
    data = HUAIAN.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(InputError, match=r"cut\.pdf: corrupt or truncated PDF"):
        load(path)


def test_a_page_tree_promising_more_pages_than_it_holds(tmp_path: Path) -> None:
    one = _canvas_pdf(tmp_path / "one.pdf", lambda c: c.drawString(72, 720, "report"))
    path = tmp_path / "count.pdf"
    path.write_bytes(one.read_bytes().replace(b"/Count 1", b"/Count 2"))
    with pytest.raises(InputError, match=r"count\.pdf: corrupt PDF: page 2 cannot be loaded"):
        load(path)


def test_pdf_without_pages(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    path = tmp_path / "none.pdf"
    pdfium.PdfDocument.new().save(str(path))
    with pytest.raises(InputError, match=r"none\.pdf: corrupt or truncated PDF"):  # as pypdfium2 refused it
        load(path)


def test_scanned_pdf(tmp_path: Path) -> None:
    from PIL import Image

    img = tmp_path / "page.png"
    Image.new("L", (200, 280), 255).save(img)
    path = _canvas_pdf(tmp_path / "scan.pdf", lambda c: c.drawImage(str(img), 0, 0, 595, 842))
    with pytest.raises(ScannedDocument, match=r"scan\.pdf: scanned PDF.*without a text layer.*OCR"):
        load(path)


def test_pdf_without_text_or_images(tmp_path: Path) -> None:
    path = _canvas_pdf(tmp_path / "blank.pdf", lambda c: c.line(72, 72, 300, 300))
    with pytest.raises(InputError, match=r"blank\.pdf: PDF has no text layer"):
        load(path)


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _die() -> None:
    os._exit(3)


def test_deadline_and_crash_do_not_hang_or_poison_the_worker() -> None:
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"slow\.pdf: gave up after 0\.5 s"):
        isolate.run(_sleep, 30, source="slow.pdf", timeout=0.5)
    assert time.perf_counter() - t0 < 5
    with pytest.raises(InputError, match=r"bad\.pdf: corrupt file \(the reader crashed"):
        isolate.run(_die, source="bad.pdf", timeout=5)
    assert isolate.run(_sleep, 0, source="ok.pdf", timeout=5) == "woke"


def test_cli_reports_a_bad_pdf_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    p = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(path)], capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 2
    assert p.stderr.strip().splitlines() == [f"nianbao: {path}: corrupt or truncated PDF"]


# --- a column cut off at the page's edge; blank cells in unruled tables (issue 16) ----

SHANGHAI_PRINT = FIXTURES / "reports" / "shanghai-gov-2020-print.pdf"


def test_browser_print_that_lost_the_total_column() -> None:
    """A browser's print of a wide table 三 cut its 总计 column off at the page edge and
    left the table open there: table 三 is read exactly, 总计 null, and reported."""
    gold = load_gold(FIXTURES / "gold" / "shanghai-gov-2020-print.json")
    parsed = parse(load(SHANGHAI_PRINT))
    got = parsed.report.to_canonical()
    assert [d for d in leaf_diff(gold, got) if d[0].startswith("applications.")] == []
    (absent,) = [f for f in parsed.findings if f.rule == "parse.column_absent"]
    assert "applications.granted.total" in absent.paths


@pytest.mark.parametrize("gold", GOLDS[::3], ids=lambda p: p.stem)
def test_clipped_total_column(rendered: Callable[[str, str], Path], gold: Path) -> None:
    """Every third gold printed with table 三's 总计 column cut off (no text, no closing rule)."""
    doc = load(rendered(gold.stem, "clipped"))
    assert leaf_diff(clipped_gold(load_gold(gold)), canonical(doc)) == []


@pytest.mark.parametrize("gold", GOLDS[1::4], ids=lambda p: p.stem)
def test_unruled_rows_with_a_blank_cell_each(tmp_path: Path, gold: Path) -> None:
    """An unruled table where no row prints all its columns: each value is placed under
    the header label it stands below, blanks are null (every fourth gold)."""
    holes = with_holes(load_gold(gold))
    doc = load(render_pdf(holes, tmp_path / "holes.pdf", "unruled"))
    blanks_only(f"{gold.stem}-holes", leaf_diff(holes, canonical(doc)))
