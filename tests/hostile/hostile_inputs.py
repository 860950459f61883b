"""Generators for the hostile inputs of issue 14, written at test time into a folder.

Each generator takes the folder and returns the path of the file it wrote. The sizes
default to the ones the issue measured; the tests pass smaller ones where the
smaller file exercises the same bound (a cap or the memory limit).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "eval" / "fixtures" / "reports" / "panyu-hrss-2023.txt"


def real_report() -> str:
    return REPORT.read_text(encoding="utf-8")


# 1. super-linear patterns -------------------------------------------------------------


def heading_spaces(d: Path, n: int = 8000) -> Path:
    p = d / "heading-spaces.txt"
    p.write_text("二" + " " * n + "x", encoding="utf-8")
    return p


def long_space_run(d: Path, n: int = 200_000) -> Path:
    p = d / "space-run.txt"
    p.write_text("x" + " " * n + "y", encoding="utf-8")
    return p


def heading_newlines(d: Path, n: int = 4000) -> Path:
    p = d / "heading-newlines.txt"
    p.write_text(real_report() + "\n二" + "\n" * n, encoding="utf-8")
    return p


def title_spaces(d: Path, n: int = 100_000, space: str = " ") -> Path:
    p = d / "title-spaces.txt"
    lines = real_report().split("\n")
    lines.insert(3, "附" + space * n + "报告")
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def docx_spaces(d: Path, n: int = 8000, space: str = "\u2005") -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("二" + space * n + "x")
    document.add_paragraph("附" + space * n + "报告")
    p = d / "spaces.docx"
    document.save(str(p))
    return p


def pdf_spaces(d: Path, n: int = 3000) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    p = d / "spaces.pdf"
    c = canvas.Canvas(str(p))
    c.setFont("STSong-Light", 4)
    c.drawString(10, 800, "二" + " " * n + "x")
    c.drawString(10, 780, "附" + " " * n + "报告")
    c.drawString(10, 760, "三、收到和处理政府信息公开申请情况 申请人情况 自然人")
    c.save()
    return p


# 2. encodings named by the page ---------------------------------------------------------


def html_charset(d: Path, charset: str = "punycode", size: int = 3_000_000) -> Path:
    p = d / f"charset-{charset}.html"
    body = ("<p>" + "二、主动公开政府信息情况 " * 8 + "</p>\n").encode("utf-8")
    head = f'<html><head><meta charset="{charset}"></head><body>'.encode("ascii")
    p.write_bytes(head + body * max(1, size // len(body)) + b"</body></html>")
    return p


# 3. memory ---------------------------------------------------------------------------------


def html_span_bomb(d: Path, cells: int = 1000, span: int = 200) -> Path:
    p = d / "spans.html"
    row = "".join(f'<td rowspan="{span}" colspan="{span}">1</td>' for _ in range(10))
    rows = "".join(f"<tr>{row}</tr>" for _ in range(cells // 10))
    p.write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    return p


def many_lines(d: Path, mb: int = 60) -> Path:
    p = d / "many-lines.txt"
    p.write_bytes(b"a\n" * (mb * 1024 * 1024 // 2))
    return p


def _docx_with_table_xml(d: Path, name: str, tr_inner: str) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    document.add_table(rows=1, cols=2)
    buf = io.BytesIO()
    document.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    p = d / name
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                start = text.index("<w:tr")
                end = text.index("</w:tr>", start)
                body = text[start:end]
                first_tc = body.index("<w:tc>")
                text = text[:start] + body[:first_tc] + tr_inner + text[end:]
                data = text.encode("utf-8")
            out.writestr(info.filename, data)
    return p


def docx_grid_before(d: Path, n: int = 5_000_000) -> Path:
    return _docx_with_table_xml(
        d,
        "grid-before.docx",
        f'<w:trPr><w:gridBefore w:val="{n}"/></w:trPr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>',
    )


def docx_grid_span(d: Path, n: int = 5_000_000) -> Path:
    return _docx_with_table_xml(
        d,
        "grid-span.docx",
        f'<w:tc><w:tcPr><w:gridSpan w:val="{n}"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>',
    )


def _zeros_deflated(size: int, checksums: bool = True) -> tuple[bytes, int, int]:
    """Raw deflate of ``size`` zero bytes, its CRC-32 and Adler-32 (0 unless ``checksums``:
    they cost a pass over the inflated size): one MiB compressed once (ending on a full
    flush, so it refers to nothing before it) and repeated."""
    mib = 1 << 20
    assert size % mib == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(mib)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    crc, adler = 0, 1
    for _ in range(size // mib if checksums else 0):
        crc, adler = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler)
    return block * (size // mib) + b"\x03\x00", crc, adler  # 03 00: an empty final block


def docx_zip_bomb(d: Path, size: int = 4 << 30, checksums: bool = True) -> Path:
    """A valid .docx whose main part declares and inflates to ``size`` bytes."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    raw, crc, _ = _zeros_deflated(size, checksums)
    p = d / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "word/media/big.bin":
                out.writestr(info.filename, src.read(info))
        # a member written by hand: the zipfile module would compress it itself
        info = zipfile.ZipInfo("word/media/big.bin")
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size, info.compress_size, info.CRC = size, len(raw), crc
        with out._lock:
            fp = out.fp
            assert fp is not None
            info.header_offset = fp.tell()
            fp.write(info.FileHeader(zip64=size >= 0xFFFFFFFF))
            fp.write(raw)
            out.start_dir = fp.tell()
            out.filelist.append(info)
            out.NameToInfo[info.filename] = info
    return p


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream"


def pdf_stream_bomb(d: Path, size: int = 4 << 30, checksums: bool = True) -> Path:
    """One page whose content stream inflates to ``size`` bytes of zeros."""
    raw, _, adler = _zeros_deflated(size, checksums)
    body = b"\x78\xda" + raw + adler.to_bytes(4, "big")  # zlib framing around the raw deflate
    p = d / "bomb.pdf"
    p.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                _stream(body, "/Filter /FlateDecode "),
            ]
        )
    )
    return p


def pdf_lone_surrogate(d: Path) -> Path:
    """Text whose ToUnicode map gives a lone surrogate (U+D800) for every ``A``."""
    cmap = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CMapName /Bad def /CMapType 2 def\n1 begincodespacerange <00> <FF> endcodespacerange\n"
        b"1 beginbfchar <41> <D800> endbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end"
    )
    text = b"BT /F1 12 Tf 50 800 Td (" + b"ABA " * 20 + b") Tj ET"
    p = d / "surrogate.pdf"
    p.write_bytes(
        _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                _stream(text),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
                _stream(cmap),
            ]
        )
    )
    return p


# 4. .doc fetching URLs -------------------------------------------------------------------


_LINKED = (
    '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="p"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="1" name="p"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
    '<a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:link="rIdPic"/>'
    '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
    '<a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic>'
    "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDEPICTURE "{url}2.png" \\d '
    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)


def docx_linked_picture(d: Path, url: str) -> Path:
    """A .docx with a picture linked (not embedded) from ``url``1.png and an
    INCLUDEPICTURE field naming ``url``2.png."""
    import docx

    document = docx.Document()
    document.add_paragraph("2023年 以下是链接的图片")
    buf = io.BytesIO()
    document.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    p = d / "linked.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                at = text.index("<w:sectPr")
                data = (text[:at] + _LINKED.replace("{url}", url) + text[at:]).encode("utf-8")
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdPic" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    + f'relationships/image" Target="{url}1.png" TargetMode="External"/></Relationships>'.encode(),
                )
            out.writestr(info.filename, data)
    return p


def doc_linked_picture(d: Path, url: str) -> Path:
    """The same as an old binary Word .doc, converted by LibreOffice (which may fetch
    the picture while converting: the caller clears its request log afterwards)."""
    import subprocess

    src = docx_linked_picture(d, url)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(d / 'make-profile').as_uri()}", "--headless",
         "--convert-to", "doc", "--outdir", str(d), str(src)],
        capture_output=True, timeout=120, check=True,
    )
    return src.with_suffix(".doc")


# 6./7. numbers, markup and text that broke the output ----------------------------------------


def report_with(d: Path, name: str, replace: dict[str, str], append: str = "") -> Path:
    """The real report with some text replaced (each key must occur) and a tail appended."""
    text = real_report()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    p = d / name
    p.write_text(text + append, encoding="utf-8")
    return p


def huge_number_cell(d: Path, digits: int = 5000) -> Path:
    return report_with(d, "huge-cell.txt", {"行政许可 640": "行政许可 " + "9" * digits})


def huge_number_narrative(d: Path, digits: int = 5000) -> Path:
    return report_with(d, "huge-narrative.txt", {"政府信息 2117": "政府信息 " + "9" * digits})


def huge_amount(d: Path, digits: int = 400) -> Path:
    return report_with(d, "huge-amount.txt", {"行政事业性收费 0": "行政事业性收费 " + "9" * digits})


def active_cell(d: Path, printed: str) -> Path:
    """Table 二's 行政处罚 count printed as ``printed`` instead of 19."""
    return report_with(d, "active-cell.txt", {"行政处罚 19": "行政处罚 " + printed})


def escapes_in_text(d: Path) -> Path:
    return report_with(
        d,
        "escapes.txt",
        {
            "广州市番禺区人力资源和社会保障局": "广州市番禺区\x1b[H\x1b[J人力资源和社会保障局",
            "政府信息 2117": "政府信息\x1b[2J 2117",
        },
    )


def stray_byte(d: Path) -> Path:
    p = d / "stray-byte.txt"
    data = real_report().encode("utf-8")
    p.write_bytes(data[:300] + b"\xff" + data[300:])
    return p


def nested_json(d: Path, depth: int = 100_000) -> Path:
    p = d / "nested.json"
    p.write_text("[" * depth + "]" * depth, encoding="utf-8")
    return p


GENERATORS: dict[str, Callable[..., Path]] = {
    "heading_spaces": heading_spaces,
    "long_space_run": long_space_run,
    "heading_newlines": heading_newlines,
    "title_spaces": title_spaces,
    "docx_spaces": docx_spaces,
    "pdf_spaces": pdf_spaces,
    "html_span_bomb": html_span_bomb,
    "docx_grid_before": docx_grid_before,
    "docx_grid_span": docx_grid_span,
}
