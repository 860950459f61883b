"""Render gold fixtures as PDF (reportlab, built-in CJK CID font) and Word files.

Every layout prints the same tables the national template prints, so each
rendered file must extract to its gold on every leaf:

- ``ruled``: tables with a full grid, merged cells as the template merges them;
- ``unruled``: the same tables without any rules (the reader falls back to text lines);
- ``split``: table 三 runs over a page break, its three header rows repeated, a
  merged label cut by the break, under a running page header;
- ``vertical``: header cells and the 三、本年度办理结果 label one character per line;
- ``landscape``: A4 landscape pages;
- ``wrapped``: unruled, with narrow label columns, so long row labels wrap around
  their vertically centred values and 三、本年度办理结果 stands one character per line
  between them (issue 16, class 2).

Tables are described once as a :class:`Spec` (a grid of texts plus merged
regions) and drawn by either backend. A ``\\n`` in a cell text is a forced line break.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from variants import _active_rows, _app_rows, _review_values, _title

from extractor.template import REVIEW_COLUMNS

PDF_LAYOUTS = ("ruled", "unruled", "split", "vertical", "landscape")
#: Layouts rendered for the tests of one failure class only (not by ``write_fixtures``).
CLASS_LAYOUTS = ("wrapped",)
DOCX_LAYOUTS = ("merged", "vertical")
FONT = "STSong-Light"
INTRO = (
    "本报告依据《中华人民共和国政府信息公开条例》编制。本年度本机关认真贯彻落实政务公开各项要求，"
    "依法做好主动公开和依申请公开工作，及时回应社会关切。"
)


@dataclass(slots=True)
class Spec:
    """A table: ``rows`` is the full grid (covered slots are ``""``); ``spans`` are
    merged regions ``(row0, col0, row1, col1)``, inclusive; ``widths`` relative."""

    rows: list[list[str]]
    widths: list[float]
    spans: list[tuple[int, int, int, int]] = field(default_factory=list)
    header_rows: int = 1

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        if (r0, c0) != (r1, c1):
            self.spans.append((r0, c0, r1, c1))


def _stack(text: str) -> str:
    """One character per line, as narrow header cells print it (``三、`` stays together)."""
    out: list[str] = []
    for ch in text:
        if ch in "、，" and out:
            out[-1] += ch
        else:
            out.append(ch)
    return "\n".join(out)


def active_specs(gold: dict[str, Any]) -> list[Spec]:
    """Table 二 as one small table per row, header above values."""
    return [
        Spec([["信息内容", *headers], [label, *("" if v == "/" else v for v in values)]], [2] + [1.3] * len(headers))
        for label, headers, values in _active_rows(gold)
    ]


def applications_spec(gold: dict[str, Any], vertical: bool = False, narrow: bool = False) -> Spec:
    """Table 三 with the template's merged header and row-label cells."""
    cols = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    head = (lambda s: _stack(s)) if vertical else (lambda s: s)
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    spec = Spec(
        [
            [note, "", "", "申请人情况", "", "", "", "", "", ""],
            ["", "", "", head("自然人"), "法人或其他组织", "", "", "", "", head("总计")],
            ["", "", "", "", *(head(c) for c in cols[1:6]), ""],
        ],
        ([0.5, 1.3, 2.2] if narrow else [0.9, 1.3, 4.2]) + [1.0] * 7,
        header_rows=3,
    )
    spec.merge(0, 0, 2, 2)
    spec.merge(0, 3, 0, 9)
    spec.merge(1, 3, 2, 3)
    spec.merge(1, 4, 1, 8)
    spec.merge(1, 9, 2, 9)
    rows = _app_rows(gold)
    base = len(spec.rows)
    for top, group, label, values in rows:
        shown_top = _stack(top) if vertical and top.startswith("三") else top
        spec.rows.append([shown_top, group, label, *("" if v == "/" else v for v in values)])
    _merge_runs(spec, base, rows)
    return spec


def _merge_runs(spec: Spec, base: int, rows: list[tuple[str, str, str, list[str]]]) -> None:
    """Merge each run of equal top and group labels down, and blank labels rightwards."""
    i = 0
    while i < len(rows):
        top, group, _, _ = rows[i]
        j = i
        while j + 1 < len(rows) and rows[j + 1][0] == top:
            j += 1
        if not group:  # 一、…/四、… rows: one label across the three label columns
            spec.merge(base + i, 0, base + i, 2)
            i += 1
            continue
        spec.merge(base + i, 0, base + j, 0)
        for r in range(i + 1, j + 1):
            spec.rows[base + r][0] = ""
        k = i
        while k <= j:
            m = k
            while m + 1 <= j and rows[m + 1][1] == rows[k][1]:
                m += 1
            if rows[k][2]:
                spec.merge(base + k, 1, base + m, 1)
            else:
                spec.merge(base + k, 1, base + k, 2)
            for r in range(k + 1, m + 1):
                spec.rows[base + r][1] = ""
            k = m + 1
        i = j + 1


def split_spec(spec: Spec, rows: int) -> tuple[Spec, Spec]:
    """The table cut after its first ``rows`` body rows, the header repeated on the second
    part; a merged label crossing the cut is printed on the first part only (as Word does)."""
    cut = spec.header_rows + rows
    head = spec.rows[: spec.header_rows]
    first = Spec(spec.rows[:cut], spec.widths, header_rows=spec.header_rows)
    second = Spec([*head, *spec.rows[cut:]], spec.widths, header_rows=spec.header_rows)
    shift = cut - spec.header_rows
    for r0, c0, r1, c1 in spec.spans:
        if r1 < cut:
            first.merge(r0, c0, r1, c1)
        if r1 < spec.header_rows:
            second.merge(r0, c0, r1, c1)
        elif r0 >= cut:
            second.merge(r0 - shift, c0, r1 - shift, c1)
        elif r1 >= cut:
            first.merge(r0, c0, cut - 1, c1)
            second.merge(spec.header_rows, c0, r1 - shift, c1)
    return first, second


def review_spec(gold: dict[str, Any]) -> Spec:
    """Table 四: 行政复议 and the two 行政诉讼 groups over five columns each."""
    heads = list(REVIEW_COLUMNS.values())
    spec = Spec(
        [
            ["行政复议", "", "", "", "", "行政诉讼", *[""] * 9],
            ["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
            heads * 3,
            ["" if v == "/" else v for v in _review_values(gold)],
        ],
        [1.0] * 15,
        header_rows=3,
    )
    spec.merge(0, 0, 1, 4)
    spec.merge(0, 5, 0, 14)
    spec.merge(1, 5, 1, 9)
    spec.merge(1, 10, 1, 14)
    return spec


def sections(
    gold: dict[str, Any], vertical: bool = False, narrow: bool = False
) -> list[tuple[str, list[str | Spec]]]:
    """The report as (heading, blocks) in printed order; a block is a paragraph or a table."""
    return [
        ("一、总体情况", [INTRO]),
        ("二、主动公开政府信息情况", list(active_specs(gold))),
        ("三、收到和处理政府信息公开申请情况", [applications_spec(gold, vertical, narrow)]),
        ("四、政府信息公开行政复议、行政诉讼情况", [review_spec(gold)]),
        ("五、存在的主要问题及改进情况", ["部分栏目更新不够及时，下一步将加强日常巡查。"]),
        ("六、其他需要报告的事项", ["本年度未收取信息处理费。"]),
    ]


# --- PDF -------------------------------------------------------------------


def render_pdf(gold: dict[str, Any], path: Path, layout: str) -> Path:
    """Write ``gold`` as a PDF in one of :data:`PDF_LAYOUTS`."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size = landscape(A4) if layout == "landscape" else A4
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=17, firstLineIndent=22, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, firstLineIndent=0)
    title_style = ParagraphStyle("title", parent=head, fontSize=14, leading=22, alignment=1)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK", alignment=1)
    title, sign = _title(gold)
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=50, rightMargin=50, topMargin=60, bottomMargin=60)
    width = size[0] - 100

    def table(spec: Spec) -> Table:
        data = [[Paragraph(t.replace("\n", "<br/>"), cell) if t else "" for t in row] for row in spec.rows]
        total = sum(spec.widths)
        style = [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTNAME", (0, 0), (-1, -1), FONT)]
        style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spec.spans]
        if layout not in {"unruled", "wrapped"}:
            style.append(("GRID", (0, 0), (-1, -1), 0.6, "black"))
        return Table(data, colWidths=[width * w / total for w in spec.widths], style=TableStyle(style))

    meta = gold["meta"]
    # The split layout prints the agency on a line of its own, as many reports do.
    shown = f"{meta['agency']}<br/>{meta['year']}年政府信息公开工作年度报告" if layout == "split" else title
    story: list[Any] = [Paragraph(shown, title_style), Spacer(1, 12)]
    wrapped = layout == "wrapped"
    for heading, blocks in sections(gold, vertical=layout == "vertical" or wrapped, narrow=wrapped):
        story.append(Paragraph(heading, head))
        for block in blocks:
            if isinstance(block, str):
                story.append(Paragraph(block, body))
            elif layout == "split" and heading.startswith("三"):
                first, second = split_spec(block, 6)
                story += [table(first), PageBreak(), table(second)]
            else:
                story.append(table(block))
            story.append(Spacer(1, 6))
    story += [Paragraph(line, ParagraphStyle("sign", parent=head, alignment=2)) for line in sign.split("\n") if line]

    def chrome(canvas: Any, _doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(size[0] / 2, 30, f"- {canvas.getPageNumber()} -")
        if layout == "split":
            canvas.drawCentredString(size[0] / 2, size[1] - 35, title)
        canvas.restoreState()

    doc.build(story, onFirstPage=chrome, onLaterPages=chrome)
    return path


# --- DOCX ------------------------------------------------------------------


def render_docx(gold: dict[str, Any], path: Path, layout: str) -> Path:
    """Write ``gold`` as a Word .docx file in one of :data:`DOCX_LAYOUTS`."""
    import docx

    document = docx.Document()
    title, sign = _title(gold)
    document.add_paragraph(title)
    for heading, blocks in sections(gold, vertical=layout == "vertical"):
        document.add_paragraph(heading)
        for block in blocks:
            if isinstance(block, str):
                document.add_paragraph(block)
                continue
            _docx_table(document, block)
    for line in sign.split("\n"):
        if line:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def _docx_table(document: Any, spec: Spec) -> None:
    """Add ``spec`` as a Word table, merged cells written as Word writes them
    (``gridSpan`` across, ``vMerge`` restart/continue down)."""
    from docx.table import _Cell

    table = document.add_table(rows=len(spec.rows), cols=len(spec.rows[0]))
    table.style = "Table Grid"
    spans = {(r, c0): (r0, r1, c1 - c0 + 1) for r0, c0, r1, c1 in spec.spans for r in range(r0, r1 + 1)}
    covered = {(r, c) for r0, c0, r1, c1 in spec.spans for r in range(r0, r1 + 1) for c in range(c0 + 1, c1 + 1)}
    for r, tr in enumerate(table._tbl.tr_lst):
        for c, tc in list(enumerate(tr.tc_lst)):
            if (r, c) in covered:
                tr.remove(tc)
                continue
            if (r, c) in spans:
                top, bottom, width = spans[r, c]
                props = tc.get_or_add_tcPr()
                props.grid_span = width
                if top != bottom:
                    props.vMerge_val = "restart" if r == top else "continue"
            lines = spec.rows[r][c].split("\n") if spec.rows[r][c] else []
            if lines:
                cell = _Cell(tc, table)
                cell.paragraphs[0].text = lines[0]
                for more in lines[1:]:
                    cell.add_paragraph(more)


# --- a labelled fixtures folder for score.py / nianbao eval / nianbao bench ----------


def write_fixtures(out: Path, golds: list[Path]) -> int:
    """Render every gold in every PDF and DOCX layout into ``out/reports`` with its gold
    in ``out/gold``. The narrative is not rendered, so the golds' claims are dropped."""
    import json

    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    count = 0
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        label = {**gold, "claims": []}
        for suffix, layouts, render in ((".pdf", PDF_LAYOUTS, render_pdf), (".docx", DOCX_LAYOUTS, render_docx)):
            for layout in layouts:
                name = f"{path.stem}-{layout}-{suffix.lstrip('.')}"
                render(gold, out / "reports" / f"{name}{suffix}", layout)
                text = json.dumps(label, ensure_ascii=False, indent=2)
                (out / "gold" / f"{name}.json").write_text(text, encoding="utf-8")
                count += 1
    return count


if __name__ == "__main__":
    import sys

    if len(sys.argv) < 2:
        sys.exit("usage: python tests/make_documents.py OUT_DIR [GOLD.json ...]")
    here = Path(__file__).resolve().parent
    chosen = [Path(p) for p in sys.argv[2:]] or sorted((here.parent / "eval" / "fixtures" / "gold").glob("*.json"))
    print(f"wrote {write_fixtures(Path(sys.argv[1]), chosen)} reports to {sys.argv[1]}")
