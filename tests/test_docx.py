"""Word reports: every gold fixture rendered as .docx (merged cells as Word writes
them), and .doc/.wps through LibreOffice (a stand-in ``soffice`` here)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("docx")

from conftest import FIXTURES, leaf_diff, load_gold, rendering
from make_documents import DOCX_LAYOUTS, render_docx

from extractor.errors import InputError, UnsupportedFormat
from extractor.load import load
from extractor.parse.parser import parse

GOLDS = sorted((FIXTURES / "gold").glob("*.json"))
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """Render a gold fixture as a DOCX once per session."""
    return rendering(tmp_path_factory, "docx", render_docx)


@pytest.mark.parametrize("layout", DOCX_LAYOUTS)
@pytest.mark.parametrize("gold", GOLDS, ids=lambda p: p.stem)
def test_rendered_docx_equals_gold(rendered: Callable[[str, str], Path], gold: Path, layout: str) -> None:
    doc = load(rendered(gold.stem, layout))
    assert doc.format == "docx"
    assert leaf_diff(load_gold(gold), parse(doc).report.to_canonical()) == []


def test_merged_cells_are_one_cell(rendered: Callable[[str, str], Path]) -> None:
    doc = load(rendered("huaian-gov-2024", "vertical"))
    rows = [ln for ln in doc.lines if ln.cells and ln.cells[0].text == "三、本年度办理结果"]
    assert len(rows) == 22 and len({id(ln.cells[0]) for ln in rows if ln.cells}) == 1
    head = next(ln for ln in doc.lines if ln.cells and ln.cells[-1].text == "申请人情况")
    assert head.cells is not None and len(head.cells) == 10 and len({id(c) for c in head.cells[3:]}) == 1
    assert head.text.split("\t") == ["(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)", "申请人情况"]
    cells = {c.text for ln in doc.lines for c in ln.cells or ()}
    assert {"自然人", "商业企业", "总计"} <= cells  # typed one character per paragraph


def test_tables_stand_where_printed(rendered: Callable[[str, str], Path]) -> None:
    doc = load(rendered("huaian-gov-2024", "merged"))
    texts = [ln.text for ln in doc.lines]
    heading = texts.index("三、收到和处理政府信息公开申请情况")
    assert doc.lines[heading].cells is None and doc.lines[heading + 1].cells is not None
    assert doc.lines[heading + 1].table == doc.lines[heading + 27].table != doc.lines[heading - 1].table


def test_corrupt_and_encrypted_docx(tmp_path: Path, rendered: Callable[[str, str], Path]) -> None:
    data = rendered("huaian-gov-2024", "merged").read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.docx: corrupt or truncated Word \.docx file"):
        load(cut)
    locked = tmp_path / "locked.docx"
    locked.write_bytes(OLE + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 512)
    with pytest.raises(InputError, match=r"locked\.docx: encrypted Word file \(password required\)"):
        load(locked)


# --- .doc / .wps through LibreOffice ------------------------------------------

FAKE_SOFFICE = f"""#!{sys.executable}
import os, pathlib, shutil, sys, time
args = sys.argv[1:]
outdir, src = pathlib.Path(args[args.index("--outdir") + 1]), pathlib.Path(args[-1])
mode = os.environ["FAKE_SOFFICE"]
if mode == "hang":
    time.sleep(60)
if mode == "convert":
    shutil.copy(os.environ["FAKE_SOFFICE_DOCX"], outdir / (src.stem + ".docx"))
"""


@pytest.fixture
def soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Put a stand-in ``soffice`` (convert, fail or hang) alone on the PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))

    def install(mode: str) -> None:
        exe = bin_dir / "soffice"
        exe.write_text(FAKE_SOFFICE, encoding="utf-8")
        exe.chmod(0o755)
        monkeypatch.setenv("FAKE_SOFFICE", mode)

    return install


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_old_word_file_without_libreoffice(tmp_path: Path, soffice: Callable[[str], None], suffix: str) -> None:
    path = tmp_path / f"report{suffix}"
    path.write_bytes(OLE + b"\x00" * 2048)
    with pytest.raises(
        UnsupportedFormat,
        match=rf"report\{suffix}: reading \{suffix} files needs LibreOffice; "
        rf"convert it first \(soffice --headless --convert-to docx report\{suffix}\)",
    ):
        load(path)


def test_old_word_file_through_libreoffice(
    tmp_path: Path,
    soffice: Callable[[str], None],
    rendered: Callable[[str, str], Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    soffice("convert")
    monkeypatch.setenv("FAKE_SOFFICE_DOCX", str(rendered("pingtan-gov-2023", "merged")))
    path = tmp_path / "pingtan.wps"
    path.write_bytes(OLE + b"\x00" * 2048)
    doc = load(path)
    assert doc.format == "wps" and doc.source == str(path)
    assert leaf_diff(load_gold(FIXTURES / "gold" / "pingtan-gov-2023.json"), parse(doc).report.to_canonical()) == []


def test_libreoffice_failure_and_hang(
    tmp_path: Path, soffice: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bad.doc"
    path.write_bytes(OLE + b"\x00" * 2048)
    soffice("fail")
    with pytest.raises(InputError, match=r"bad\.doc: LibreOffice could not convert it"):
        load(path)
    soffice("hang")
    monkeypatch.setenv("NIANBAO_TIMEOUT", "1")
    with pytest.raises(InputError, match=r"bad\.doc: gave up after 1 s converting it with LibreOffice"):
        load(path)


def test_docx_saved_as_doc_is_read_directly(
    tmp_path: Path, soffice: Callable[[str], None], rendered: Callable[[str, str], Path]
) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(rendered("huaian-gov-2024", "merged").read_bytes())
    assert load(path).format == "docx"
