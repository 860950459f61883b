"""Findings for values read by OCR: low recognition scores, and numbers left unread.

The loader keeps each OCR'd cell's lowest character score (``Document.confidence``,
carried in evidence) and lists what it would not take as a number
(``Document.unread``); a blank cell on a scanned page may be a glyph OCR missed.
A reviewer should look at those cells in the image: this turns them into
findings that name the cell.
"""

from __future__ import annotations

from ..document import Box, Document
from ..result import Evidence, Finding, Message

#: A value read with a lower score than this is worth a look.
LOW_CONFIDENCE = 0.9


def ocr_findings(doc: Document, evidence: dict[str, Evidence]) -> list[Finding]:
    """``ocr.low_confidence`` (info) per value read with a low score, ``ocr.blank`` (info)
    per blank cell of a scanned table (OCR can miss a lone ``0``), ``ocr.unread``
    (warning) per number OCR could not read for sure (its cell left blank)."""
    out: list[Finding] = []
    for path, ev in evidence.items():
        if ev.confidence is not None and ev.confidence < LOW_CONFIDENCE and ev.text:
            where = _where(ev, path)
            out.append(
                Finding(
                    rule="ocr.low_confidence", severity="info",
                    message=Message(
                        zh=f"{where} 的 {ev.text} 识别置信度仅 {ev.confidence:.2f}，请对照原图核对",
                        en=f"{where}: {ev.text} was recognised with confidence {ev.confidence:.2f}; "
                        "check it against the image",
                    ),
                    paths=[path], evidence={path: ev},
                )
            )
    scanned = {box[0] for offset, box in doc.boxes.items() if offset in doc.confidence}
    for path, ev in evidence.items():
        if not ev.text and ev.page in scanned and ev.col:
            out.append(
                Finding(
                    rule="ocr.blank", severity="info",
                    message=Message(
                        zh=f"{_where(ev, path)} 在扫描页上为空白：OCR 可能漏读了孤立的数字，请对照原图核对",
                        en=f"{_where(ev, path)} is blank on a scanned page: OCR may miss a lone digit; "
                        "check it against the image",
                    ),
                    paths=[path], evidence={path: ev},
                )
            )
    for box, text, score in doc.unread:
        at = _blank_at(box, evidence)
        where = _where(evidence[at], at) if at else f"第 {box[0]} 页 / page {box[0]}"
        out.append(
            Finding(
                rule="ocr.unread", severity="warning",
                message=Message(
                    zh=f"{where} 识别为“{text}”（置信度 {score:.2f}），不能确定是哪个数字，留空",
                    en=f"{where}: read as “{text}” (confidence {score:.2f}), not surely a number; left blank",
                ),
                paths=[at] if at else [], quote=text,
                evidence={at: evidence[at]} if at else {},
            )
        )
    return out


def _where(ev: Evidence, path: str) -> str:
    return f"{ev.row} / {ev.col}" if ev.row and ev.col else path


def _blank_at(box: Box, evidence: dict[str, Evidence]) -> str | None:
    """The blank cell whose box holds the centre of ``box`` (same page)."""
    page, x0, top, x1, bottom = box
    x, y = (x0 + x1) / 2, (top + bottom) / 2
    for path, ev in evidence.items():
        if ev.page == page and not ev.text and ev.box is not None:
            bx0, btop, bx1, bbottom = ev.box
            if bx0 <= x <= bx1 and btop <= y <= bbottom:
                return path
    return None
