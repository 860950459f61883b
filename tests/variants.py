"""Generate variants of the labelled fixtures that must extract to the same gold.

Two kinds: the report's own text transformed (re-encoded GBK, CRLF with
full-width digits, a page-break header injected into table 三), and the gold
tables rendered anew (Markdown pipe tables, HTML with rowspan/colspan as the
national template prints them).
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from extractor.template import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    GROUP_LABELS,
    GROUPS,
    REVIEW_COLUMNS,
)

PAGE_BREAK = (
    "- 3 -\n(本列数据的勾稽关系为：第\n一项加第二项之和，等于第三\n项加第四项之和)\n申请人情况\n自\n然\n人\n"
    "法人或其他组织\n总\n计\n商业\n企业\n科研\n机构\n社会\n公益\n组织\n法律\n服务\n机构\n其他\n"
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def crlf_fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH).replace("\n", "\r\n")


def inject_page_break(text: str, after_line: int) -> str:
    lines = text.split("\n")
    return "\n".join([*lines[:after_line], PAGE_BREAK.rstrip("\n"), *lines[after_line:]])


def fmt(value: Any) -> str:
    if value is None:
        return "/"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _title(gold: dict[str, Any]) -> tuple[str, str]:
    meta = gold["meta"]
    title = f"{meta['year']}年{meta['agency']}政府信息公开工作年度报告"
    sign = ""
    if meta["published"]:
        y, m, d = (int(x) for x in meta["published"].split("-"))
        sign = f"{meta['agency']}\n\n{y}年{m}月{d}日\n"
    return title, sign


def _app_rows(gold: dict[str, Any]) -> list[tuple[str, str, str, list[str]]]:
    """(top label, group label, row label, seven values) in printed order."""
    apps = gold["applications"]
    cols = list(APPLICANT_COLUMNS)
    out = [
        ("一、本年新收政府信息公开申请数量", "", "", [fmt(apps["new_received"][c]) for c in cols]),
        ("二、上年结转政府信息公开申请数量", "", "", [fmt(apps["carried_over"][c]) for c in cols]),
        ("三、本年度办理结果", "(一)予以公开", "", [fmt(apps["granted"][c]) for c in cols]),
        ("三、本年度办理结果", "(二)部分公开(区分处理的，只计这一情形，不计其他情形)", "",
         [fmt(apps["partially_granted"][c]) for c in cols]),
    ]
    for group, rows in GROUPS.items():
        node = apps[group]
        if "natural_person" in node:
            out.append(("三、本年度办理结果", GROUP_LABELS[group], "", [fmt(node[c]) for c in cols]))
            continue
        out += [("三、本年度办理结果", GROUP_LABELS[group], label, [fmt(node[k][c]) for c in cols])
                for k, label in rows.items()]
    out.append(("三、本年度办理结果", "(七)总计", "", [fmt(apps["total"][c]) for c in cols]))
    out.append(("四、结转下年度继续办理", "", "", [fmt(apps["carried_forward"][c]) for c in cols]))
    return out


def _active_rows(gold: dict[str, Any]) -> list[tuple[str, list[str], list[str]]]:
    """(row label, column headers, values) of table 二."""
    rows = ACTIVE_ROWS[gold["meta"]["template"]]
    return [
        (label, list(cols.values()), [fmt(gold["active"][key][c]) for c in cols])
        for key, (label, cols) in rows.items()
    ]


def _review_values(gold: dict[str, Any]) -> list[str]:
    rl = gold["review_litigation"]
    return [fmt(rl[g][c]) for g in ("review", "litigation_direct", "litigation_after_review") for c in REVIEW_COLUMNS]


_APP_HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]


def markdown(gold: dict[str, Any]) -> str:
    """The gold tables as a Markdown page with pipe tables."""
    title, sign = _title(gold)
    out = [f"# {title}", "", "## 一、总体情况", "", "本机关依法做好政府信息公开工作。", ""]
    out += ["## 二、主动公开政府信息情况", ""]
    for label, headers, values in _active_rows(gold):
        out += ["| 信息内容 | " + " | ".join(headers) + " |", "|" + "---|" * (len(headers) + 1),
                f"| {label} | " + " | ".join(values) + " |", ""]
    out += ["## 三、收到和处理政府信息公开申请情况", "",
            "| (本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和) | | | "
            + " | ".join(_APP_HEADER) + " |",
            "|" + "---|" * 10]
    for top, group, label, values in _app_rows(gold):
        out.append(f"| {top} | {group} | {label} | " + " | ".join(values) + " |")
    header = " | ".join(list(REVIEW_COLUMNS.values()) * 3)
    out += ["", "## 四、政府信息公开行政复议、行政诉讼情况", "", f"| {header} |", "|" + "---|" * 15,
            "| " + " | ".join(_review_values(gold)) + " |", "", "## 五、存在的主要问题及改进情况", "", "无。", "", sign]
    return "\n".join(out)


def _td(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{attrs}>{html.escape(text)}</td>"


def html_page(gold: dict[str, Any]) -> str:
    """The gold tables as a web page laid out like the national template (merged cells)."""
    title, sign = _title(gold)
    parts = [f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>",
             f"<h1>{title}</h1><p>一、总体情况</p><p>本机关依法做好政府信息公开工作。</p>",
             "<p>二、主动公开政府信息情况</p><table>"]
    for label, headers, values in _active_rows(gold):
        parts.append("<tr>" + _td("信息内容") + "".join(_td(h) for h in headers) + "</tr>")
        parts.append("<tr>" + _td(label) + "".join(_td("" if v == "/" else v) for v in values) + "</tr>")
    parts.append("</table><p>三、收到和处理政府信息公开申请情况</p><table>")
    parts.append("<tr>" + _td("(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)", 3, 3)
                 + _td("申请人情况", 1, 7) + "</tr>")
    parts.append("<tr>" + _td("自然人", 2) + _td("法人或其他组织", 1, 5) + _td("总计", 2) + "</tr>")
    parts.append("<tr>" + "".join(_td(h) for h in _APP_HEADER[1:6]) + "</tr>")
    rows = _app_rows(gold)
    for i, (top, group, label, values) in enumerate(rows):
        cells = ""
        if i == 0 or rows[i - 1][0] != top:
            n = sum(1 for r in rows if r[0] == top)
            cells += _td(top, n, 1 if group else 3)
        if group and (i == 0 or rows[i - 1][1] != group):
            n = sum(1 for r in rows if r[1] == group)
            cells += _td(group, n, 1 if label else 2)
        if label:
            cells += _td(label)
        parts.append("<tr>" + cells + "".join(_td(v) for v in values) + "</tr>")
    parts.append("</table><p>四、政府信息公开行政复议、行政诉讼情况</p><table>")
    parts.append("<tr>" + _td("行政复议", 2, 5) + _td("行政诉讼", 1, 10) + "</tr>")
    parts.append("<tr>" + _td("未经复议直接起诉", 1, 5) + _td("复议后起诉", 1, 5) + "</tr>")
    parts.append("<tr>" + "".join(_td(h) for h in list(REVIEW_COLUMNS.values()) * 3) + "</tr>")
    parts.append("<tr>" + "".join(_td(v) for v in _review_values(gold)) + "</tr></table>")
    parts.append("<p>五、存在的主要问题及改进情况</p><p>无。</p>")
    parts += [f"<p>{line}</p>" for line in sign.split("\n") if line]
    parts.append("</body></html>")
    return "\n".join(parts)


# --- plain text as PDF-to-text tools print it, in the layouts real reports show --------

#: Layouts of :func:`text_dump`; each stands for a failure class of issue 16.
TEXT_LAYOUTS = (
    "lines", "wrapped", "detached", "stray", "below", "mixed", "flat4", "flat4-mixed", "blocks", "misnamed"
)
_WRAP = 9  # characters of a long label printed above its values; the rest goes below


def _dump_active(gold: dict[str, Any], blocks: bool) -> list[str]:
    """Table 二: one header per row (``lines``), or the template's 第二十条 blocks,
    each with its own header row, a footnote mark, signed changes and amounts in 元."""
    template = gold["meta"]["template"]
    rows = _active_rows(gold)
    if not blocks:
        return [f"信息内容 {' '.join(h)}\n{label} {' '.join(v)}" for label, h, v in rows]
    groups = [("（一）", 2), ("（五）", 2 if template == "2019" else 1), ("（六）", 2), ("（八）", 1)]
    if template == "2019":
        groups.append(("（九）", 1))
    out: list[str] = []
    k = 0
    for item, n in groups:
        mark = "[1]" if item == "（一）" else ""
        out.append(f"第二十条第{item}项{mark}")
        label, headers, _ = rows[k]
        out.append("信息内容 " + " ".join(h.replace("（万元）", "（元）") for h in headers))
        for label, headers, values in rows[k : k + n]:
            shown = []
            for h, v in zip(headers, values, strict=True):
                if "万元" in h and v != "/":
                    v = fmt(float(Decimal(v) * 10000))
                elif h == "本年增/减" and v not in {"/", "0"} and not v.startswith("-"):
                    v = "+" + v
                shown.append(v)
            out.append(f"{label} {' '.join(shown)}")
        k += n
    out.append("[1]该项内对外公开总数量为现行有效的数量。" if template == "2019" else "[1]现行有效件数为年底数。")
    return out


def _dump_applications(gold: dict[str, Any], layout: str) -> list[str]:
    cols = " ".join(_APP_HEADER)
    if layout == "misnamed":
        cols = " ".join([*(f"数据{k}" for k in range(1, 7)), "总计"])
    head = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况",
            "法人或其他组织", cols]
    rows = _app_rows(gold)
    labels: list[tuple[str, str]] = []  # (group words printed before the label, the row's own label)
    for top, group, label, _ in rows:
        prefix, own = "", label or group or top
        if label and label.startswith("1."):
            prefix = group + " "
        if own == "(一)予以公开":
            prefix = top + " "
        if layout == "misnamed":
            own = own.replace("其他法律行政法规禁止公开", "其他法律行政止公开")
        labels.append((prefix, own))
    values = [" ".join(v) for *_, v in rows]
    if layout == "detached":
        return head + [p + own for p, own in labels] + values
    out = list(head)
    vertical = list("三、本年度办理结果") if layout == "wrapped" else []
    for k, ((prefix, own), vals) in enumerate(zip(labels, values, strict=True)):
        if layout == "misnamed" and k == len(labels) - 2:
            out.append(cols)  # the header printed again at a page break before the last rows
        if layout == "wrapped" and len(own) > _WRAP + 4:
            out += [prefix + own[:_WRAP], vals, own[_WRAP:]]
        elif layout == "stray" and k == 5:
            out += [vals, prefix + own]  # the value line printed above its label
        elif layout == "below" or (layout == "mixed" and k % 3):
            out += [vals, prefix + own]  # the label under its numbers
        else:
            out.append(f"{prefix}{own} {vals}")
        if vertical and k >= 2:
            out.append(vertical.pop(0))
    return out


def _dump_review(gold: dict[str, Any], layout: str) -> list[str]:
    heads = list(REVIEW_COLUMNS.values())
    values = " ".join(_review_values(gold))
    if layout == "flat4":
        return ["行政复议 行政诉讼 未经复议直接起诉 复议后起诉 " + " ".join(heads * 3), values]
    if layout == "flat4-mixed":
        return ["行政复议 行政诉讼", "未经复议直接起诉 复议后起诉",
                "结果 结果 其他 尚未 总 结果 结果 其他 尚未 总 结果 结果 其他 尚未 总",
                f"维持 纠正 结果 审结 计 维持 纠正 结果 审结 计 维持 纠正 结果 审结 {values} 计"]
    return ["行政复议", " ".join(heads), "行政诉讼", "未经复议直接起诉", " ".join(heads), "复议后起诉",
            " ".join(heads), values]


def text_dump(gold: dict[str, Any], layout: str = "lines") -> str:
    """The gold tables as plain text lines, values separated by spaces, in one of
    :data:`TEXT_LAYOUTS`: ``wrapped`` long labels around their values with the
    vertical 三、本年度办理结果 interleaved; ``detached`` all labels, then all value
    rows; ``stray`` a value line printed above its label, ``below`` every label
    printed under its numbers, ``mixed`` two rows in three so (a PDF's text order
    for vertically centred labels); ``flat4`` table 四's 15
    values on one line under a one-line header, ``flat4-mixed`` under a two-line
    header whose last words share the values' line; ``blocks`` table 二 as
    第二十条 blocks; ``misnamed`` row and column names that differ from the template's."""
    title, sign = _title(gold)
    out = [title, "", "一、总体情况", "本机关依法做好政府信息公开工作。", "二、主动公开政府信息情况"]
    active = _dump_active(gold, blocks=layout in {"blocks", "misnamed"})
    if layout == "misnamed":
        active = [ln.replace("行政规范性文件", "规范性文件") for ln in active]
    out += active
    out += ["三、收到和处理政府信息公开申请情况", *_dump_applications(gold, layout)]
    out += ["四、政府信息公开行政复议、行政诉讼情况", *_dump_review(gold, layout)]
    out += ["五、存在的主要问题及改进情况", "无。", sign]
    return "\n".join(out)
