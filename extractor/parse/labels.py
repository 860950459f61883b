"""Which template row a printed label names.

Labels are matched on their compact text (whitespace removed, full-width
folded). A label is cut into segments at its list markers (一、 (三) 2.), so
``三、本年度办理结果(三)不予公开1.属于国家秘密`` is read as three nested
labels; the last segment that names a row decides, and the group headings
before it — (三)…(六) — give the context that short labels like ``3.其他``
need. Column-header text repeated after a page break is removed first.
"""

from __future__ import annotations

import re

from .. import cache
from ..record import record

_MARKER = cache.compile(
    r"[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|(?<![\d.])\d{1,2}[.、](?!\d)"
)

#: Column-header text of table 三 that a page break repeats inside the table.
_HEADER_NOISE = [
    cache.compile(r"\(?本列数据的?勾稽关系[^)]*\)?"),
    cache.compile(r"申请人情况"),
    cache.compile(r"自然人(?:法人或其他组织)?(?:总计)?(?=商业企业)"),
    cache.compile(r"(?:法人或其他组织)?(?:总计)?商业企业(?:科研机构)?(?:社会公益组织)?(?:法律服务机构)?(?:其他)?(?:小计)?(?:总计)?"),
    cache.compile(r"信息内容"),
]

#: (pattern over a segment's text, row path, group the segment must sit in or None).
#: A label wrapped over lines may reach the parser cut short ("4.无正当理由大量反"),
#: so each row is also known by the first distinctive characters of its label.
_ROWS: list[tuple[re.Pattern[str], str, str | None]] = [
    (cache.compile(r"新收"), "new_received", None),
    (cache.compile(r"上一?年度?结转"), "carried_over", None),
    (cache.compile(r"结转下|下一?年度?继续办理"), "carried_forward", None),
    (cache.compile(r"予以公开"), "granted", None),
    (cache.compile(r"部分公开"), "partially_granted", None),
    (cache.compile(r"国家秘密|属于国家"), "withheld.state_secret", None),
    (cache.compile(r"其他法律|行政法规禁止|法律行政.{0,4}公开"), "withheld.other_law", None),
    (cache.compile(r"三安全|一稳定|危及"), "withheld.security_stability", None),
    (cache.compile(r"第三方"), "withheld.third_party", None),
    (cache.compile(r"内部事务|三类内部"), "withheld.internal_affairs", None),
    (cache.compile(r"过程性|四类过程"), "withheld.process_info", None),
    (cache.compile(r"执法案卷|行政执法"), "withheld.enforcement_file", None),
    (cache.compile(r"行政查询|查询事项"), "withheld.admin_query", None),
    (cache.compile(r"不掌握|本机关不"), "unavailable.not_held", None),
    (cache.compile(r"另行制作|现成信息|没有现成"), "unavailable.needs_creation", None),
    (cache.compile(r"仍不明确|补正后"), "unavailable.unclear", None),
    (cache.compile(r"信访|举报投诉"), "not_processed.petition", None),
    (cache.compile(r"重复申请"), "not_processed.duplicate", None),
    (cache.compile(r"出版物|公开出版"), "not_processed.publication", None),
    (cache.compile(r"大量反|反复申请"), "not_processed.excessive", None),
    (cache.compile(r"重新出具|确认或|行政机关确认"), "not_processed.confirmation", None),
    (cache.compile(r"不补正|逾期不补"), "other.overdue_correction", None),
    (cache.compile(r"缴纳费用|收费通知|未缴费|逾期未按|逾期未缴"), "other.overdue_fee", None),
    (cache.compile(r"^其他(?:情形|情况)?$"), "other.other", "other"),
    (cache.compile(r"^其他处理$"), "other", None),
    (cache.compile(r"^总计$|^\(七\)"), "total", None),
]
_GROUP_MARKERS = {"(三)": "withheld", "(四)": "unavailable", "(五)": "not_processed", "(六)": "other"}
_GROUP_TEXT = [
    (cache.compile(r"^不予公开"), "withheld"),
    (cache.compile(r"^无法提供"), "unavailable"),
    (cache.compile(r"^不予处理"), "not_processed"),
    (cache.compile(r"^其他处理"), "other"),
]


#: Table 三's column header as printed; a page break may repeat any piece of it.
_HEADER_TEXT = (
    "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)"
    "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他小计"
)


def is_header_fragment(text: str) -> bool:
    """A label token that is a piece of the repeated column header ("自然", "总计商业")."""
    return bool(text) and text in _HEADER_TEXT


def strip_header_noise(compact: str) -> str:
    for pattern in _HEADER_NOISE:
        compact = pattern.sub("", compact)
    return compact


def segments(compact: str) -> list[tuple[str, str]]:
    """(marker, text) pairs; text before the first marker has marker ''."""
    out: list[tuple[str, str]] = []
    last, marker = 0, ""
    for m in _MARKER.finditer(compact):
        if m.start() > last or marker:
            out.append((marker, compact[last : m.start()]))
        last, marker = m.end(), m.group()
    out.append((marker, compact[last:]))
    return [(mk, t) for mk, t in out if mk or t]


@record(frozen=False)
class RowMatcher:
    """Reads table 三's row labels in order, keeping the current group."""

    group: str | None = None
    #: How many distinct rows the marked segments of the last label matched
    #: name: three or more is a block of labels printed apart from their
    #: numbers, not one row's label.
    named: int = 0

    def match(self, label: str) -> str | None:
        """The row path (relative to ``applications``) this label names, or None.

        A numbered item (``2.申请人逾期``) that names no row leaves the label
        unread: it is a sub-row, not its group heading's own row.
        """
        found: str | None = None
        names: set[str] = set()
        for marker, text in segments(strip_header_noise(label)):
            if marker in _GROUP_MARKERS:
                self.group = _GROUP_MARKERS[marker]
            elif marker.startswith("(") or (marker and not marker[0].isdigit()):
                self.group = None
            for pattern, group in _GROUP_TEXT:
                if pattern.search(text):
                    self.group = group
            for pattern, path, needs in _ROWS:
                if pattern.search(text if path != "total" else marker + text) and (
                    needs is None or needs == self.group
                ):
                    found = path
                    if marker:  # text before the first marker may be the row above's wrapped rest
                        names.add(path)
                    break
            else:
                if marker[:1].isdigit():
                    found = None
        self.named = len(names)
        return found


#: Table 二 rows: (pattern, row key), read with :func:`last_named`.
ACTIVE_LABELS: list[tuple[re.Pattern[str], str]] = [
    (cache.compile(r"规章"), "regulations"),
    (cache.compile(r"规范性文"), "normative_documents"),
    (cache.compile(r"行政许"), "licensing"),
    (cache.compile(r"对外管理|其他对外"), "other_services"),
    (cache.compile(r"行政处"), "punishment"),
    (cache.compile(r"行政强"), "coercion"),
    (cache.compile(r"事业性收|行政事业"), "fees"),
    (cache.compile(r"集中采|政府采购"), "procurement"),
]


#: Table 四 groups and results by name, for its rotated layouts.
REVIEW_GROUP_NAMES = [
    (cache.compile(r"复议后起诉"), "litigation_after_review"),
    (cache.compile(r"直接起诉"), "litigation_direct"),
    (cache.compile(r"行政复议"), "review"),
]
REVIEW_RESULT_NAMES = [
    (cache.compile(r"维持"), "upheld"),
    (cache.compile(r"纠正"), "corrected"),
    (cache.compile(r"其他结果|结果其他"), "other"),
    (cache.compile(r"尚未审结|未审结"), "pending"),
    (cache.compile(r"总计|合计"), "total"),
]


def last_named(label: str, names: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The key whose name ends last in ``label``: a row's own name follows any
    header text carried into its label ("信息内容本年处理决定数量行政许可" is
    行政许可, "行政诉讼（复议后起诉）" is 复议后起诉)."""
    best: tuple[int, str] | None = None
    for pattern, key in names:
        for m in pattern.finditer(label):
            if best is None or m.end() > best[0]:
                best = (m.end(), key)
    return best[1] if best else None


def all_named(label: str, names: list[tuple[re.Pattern[str], str]]) -> list[str]:
    """Every key ``label`` names, in the order printed (a block of row labels
    printed together: ``规章行政规范性文件``)."""
    hits = sorted((m.start(), key) for pattern, key in names for m in pattern.finditer(label))
    out: list[str] = []
    for _, key in hits:
        if key not in out:
            out.append(key)
    return out
