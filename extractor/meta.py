"""Read the report's meta fields: issuing agency, year, published date.

The title names the agency and the year, in either order
(``广州市人力资源和社会保障局 / 2020 年政府信息公开工作年度报告`` or
``2023 年东莞市人社局政府信息公开工作年度报告``); the published date is a
labelled date (``发布时间：2024-03-08``) or the signature date at the end.
"""

from __future__ import annotations

import re

from .document import Document
from .schema import Meta

_TITLE = re.compile(
    r"(?P<before>[^\s#*]{0,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<after>[^\s#*]{0,40}?)\s*"
    r"政府信息公开(?:工作)?(?:年度)?(?:工作)?报告"
)
_AGENCY_END = re.compile(r"(?:局|委|委员会|办|办公室|政府|院|署|厅|部|中心|馆|所|站|会|队|区|处|公司|集团|支队|大队|学校|医院|监狱|法院|检察院)$")
_DATE = r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
_LABELLED_DATE = re.compile(r"(?:发布|公开|成文|印发)?(?:时间|日期)\s*[:：]\s*" + _DATE)
_SIGNATURE_DATE = re.compile(r"^\s*(?:\S{2,40}\s+)?" + _DATE + r"\s*$")
_MARKUP = re.compile(r"^[#>*\s]+|[*_`]+")


def _clean_agency(s: str) -> str | None:
    s = _MARKUP.sub("", s).strip(" ：:，,。")
    return s if 2 <= len(s) <= 40 and _AGENCY_END.search(s) else None


def _title(doc: Document) -> tuple[str | None, int | None]:
    candidates = [doc.title] if doc.title else []
    candidates += [ln.text for ln in doc.lines[:400] if "报告" in ln.text]
    for text in candidates:
        if text is None:
            continue
        m = _TITLE.search(_MARKUP.sub("", text))
        if not m:
            continue
        year = int(m.group("year"))
        agency = _clean_agency(m.group("after")) or _clean_agency(m.group("before"))
        if agency is None and text is not doc.title:
            agency = _agency_above(doc, text)
        return agency, year
    return None, None


def _agency_above(doc: Document, title_line: str) -> str | None:
    """The agency printed on its own line just above a title that names only the year."""
    idx = next((i for i, ln in enumerate(doc.lines) if ln.text == title_line), None)
    if idx is None:
        return None
    for ln in reversed(doc.lines[max(0, idx - 3) : idx]):
        if ln.text.strip():
            return _clean_agency(ln.text)
    return None


def _published(doc: Document, year: int | None) -> str | None:
    found: list[tuple[int, int, int]] = []
    for m in _LABELLED_DATE.finditer(doc.text[:20000]):
        found.append((int(m.group("y")), int(m.group("m")), int(m.group("d"))))
    if not found:
        tail = [ln.text for ln in doc.lines if ln.text.strip()][-6:]
        for text in reversed(tail):
            m = _SIGNATURE_DATE.match(text)
            if m:
                found.append((int(m.group("y")), int(m.group("m")), int(m.group("d"))))
                break
    for y, mo, d in found:
        if 1 <= mo <= 12 and 1 <= d <= 31 and (year is None or y >= year):
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def read_meta(doc: Document) -> Meta:
    """Agency, year and published date (template is set by the parser)."""
    agency, year = _title(doc)
    return Meta(agency=agency, year=year, published=_published(doc, year))
