"""Read the report's meta fields: issuing agency, year, published date.

The title names the agency and the year, in either order
(``广州市人力资源和社会保障局 / 2020 年政府信息公开工作年度报告`` or
``2023 年东莞市人社局政府信息公开工作年度报告``); the published date is a
labelled date (``发布时间：2024-03-08``) or the signature date at the end.
"""

from __future__ import annotations

import itertools

from .. import cache
from ..document import Document
from ..normalize import Collapsed
from ..report import Meta

# Collapsed: whitespace runs as one space, so the \s* pairs cannot backtrack over a long run.
_TITLE = Collapsed(
    r"(?P<before>[^\s#*]{0,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<after>[^\s#*]{0,40}?)\s*"
    r"政府信息公开(?:工作)?(?:年度)?(?:工作)?报告"
)
_AGENCY_END = cache.compile(
    r"(?:局|委|办|室|政府|院|署|厅|部|中心|馆|所|站|会|队|区|处|司|集团|学校|医院|监狱|市|县|镇|乡|街道|"
    r"办事处|旗|盟|州|岛|港|园|社|台|行|库|团|科|组)$"
)
_SEPARATORS = cache.compile(r".*[_|｜\-—:：》「」【】\]]")
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_CN_DATE = cache.compile(
    r"([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"
)
_DATE = r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
#: 时间/日期 not labelled as a page's 更新时间, 打印日期 or an archive's 保存时间.
_NOT_PUBLISHED = ("更新", "修改", "打印", "访问", "浏览", "截止", "统计", "保存", "存档", "下载", "采集", "创建")
#: 发布时间：2024-03-08. The pattern starts at 时间/日期 (the words before it are
#: checked looking back) so the engine scans for those two characters only.
_LABELLED_DATE = cache.compile(
    "(?:时间|日期)" + "".join(f"(?<!{w}..)" for w in _NOT_PUBLISHED) + r"\s*[:：]\s*" + _DATE
)
_TAG = cache.compile(r"<[^>]{0,1000}>")  # bounded: a line of "<" without ">" stays linear
_SIGNATURE_DATE = Collapsed(r"^\s*(?:\S{2,40}\s+)?" + _DATE + r"\s*$")
_YEAR = cache.compile(r"(?:19|20)\d{2}\s*年")
_TRAILING_VERB = cache.compile(r"(?:关于|发布|公布|编制)$")
_MARKUP = cache.compile(r"^[#>*\s]+|[*_`]+")


def _cn_number(s: str) -> str:
    """二十三 → 23, 十 → 10, 二〇二四 → 2024."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        return str(int(tens.translate(_CN_DIGITS) or "1") * 10 + int(ones.translate(_CN_DIGITS) or "0"))
    return s.translate(_CN_DIGITS)


def _arabic_dates(text: str) -> str:
    """Dates written in Chinese numerals (二〇二四年一月十九日) as digits."""
    return _CN_DATE.sub(lambda m: f"{_cn_number(m[1])}年{_cn_number(m[2])}月{_cn_number(m[3])}日", text)


def _clean_agency(s: str) -> str | None:
    s = _MARKUP.sub("", _SEPARATORS.sub("", s))
    s = _TRAILING_VERB.sub("", s).strip(" ：:，,。\"'“”‘’")
    return s if 2 <= len(s) <= 40 and _AGENCY_END.search(s) else None


def _title(doc: Document) -> tuple[str | None, int | None]:
    """Agency and year from the report's title.

    A web page's ``<title>`` is often shortened; the heading printed in the
    page wins when it names the same year and contains the ``<title>``'s agency.
    """
    found = _title_in_text(doc)
    if doc.title:
        page_title = _read_title(doc.title, [], None)
        if page_title is not None:
            agency, year = page_title
            if found and found[1] == year and (agency is None or (found[0] or "").endswith(agency)):
                return found
            return page_title
    return found or (None, None)


def _title_in_text(doc: Document) -> tuple[str | None, int] | None:
    head = [ln.text for ln in doc.lines[:400] if ln.text.strip()]
    for i, text in enumerate(head):
        if "。" in text or "，" in text:
            continue  # a sentence that names the report ("现公布…年度报告。") is not its title
        if "报告" not in text:
            # A title may wrap: "2023年…年度报" on one line, "告" on the next.
            if not _YEAR.search(text) or i + 1 >= len(head):
                continue
            text += head[i + 1].strip()
        found = _read_title(text, head, i)
        if found is not None:
            return found
    return None


def _read_title(text: str, head: list[str], at: int | None) -> tuple[str | None, int] | None:
    m = _TITLE.search(_MARKUP.sub("", text))
    if not m:
        return None
    agency = _clean_agency(m.group("after")) or _clean_agency(m.group("before"))
    if agency is None and at is not None:
        # The agency printed on its own line above a title that names only the year.
        agency = next((_clean_agency(t) for t in reversed(head[max(0, at - 2) : at]) if t.strip()), None)
    return agency, int(m.group("year"))


def _signature(doc: Document, end: int) -> tuple[str | None, tuple[int, int, int] | None]:
    """The signature at the report's end (落款): the last dated line, and the name above it."""
    last = itertools.islice((ln for ln in reversed(doc.lines) if ln.start < end and ln.text.strip()), 12)
    tail = [_TAG.sub("", ln.text).strip() for ln in last][::-1]
    for i in range(len(tail) - 1, -1, -1):
        sig = _SIGNATURE_DATE.match(_arabic_dates(tail[i]))
        if sig:
            name = _clean_agency(tail[i - 1]) if i > 0 else None
            return name, (int(sig.group("y")), int(sig.group("m")), int(sig.group("d")))
    return None, None


def _published(doc: Document, year: int | None, signed: tuple[int, int, int] | None) -> str | None:
    found: list[tuple[int, int, int]] = []
    for m in _LABELLED_DATE.finditer(_arabic_dates(doc.text[:20000])):
        found.append((int(m.group("y")), int(m.group("m")), int(m.group("d"))))
    if not found and signed is not None:
        found.append(signed)
    for y, mo, d in found:
        if 1 <= mo <= 12 and 1 <= d <= 31 and (year is None or y >= year):
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def read_meta(doc: Document, end: int | None = None) -> Meta:
    """Agency, year and published date (template is set by the parser); the
    signature is looked for before ``end``, where a second report starts.

    The agency is the title's; the signature's when the title gives none, or
    gives it shortened (市交通运输局 signed 漳州市交通运输局)."""
    agency, year = _title(doc)
    signer, signed = _signature(doc, len(doc.text) if end is None else end)
    if signer and (agency is None or (signer.endswith(agency) and len(signer) > len(agency))):
        agency = signer
    return Meta(agency=agency, year=year, published=_published(doc, year, signed))
