"""The national template's shape: the rows, columns and canonical paths.

One place states which keys exist (FORMAT.md) and what they are called in
Chinese, so the schema, the parser, the rule engine and the table view all
agree. Nothing here reads text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from .record import record

Template = Literal["2021", "2019"]


@record
class TableName:
    """One of the template's tables: its number, its printed title, its name in English."""

    number: str
    title: str
    en: str

    @property
    def heading(self) -> str:
        """The heading as the template prints it: ``二、主动公开政府信息情况``."""
        return f"{self.number}、{self.title}"


#: The three tables by canonical section, in printed order.
TABLES: dict[str, TableName] = {
    "active": TableName("二", "主动公开政府信息情况", "proactive disclosure"),
    "applications": TableName("三", "收到和处理政府信息公开申请情况", "applications"),
    "review_litigation": TableName("四", "政府信息公开行政复议、行政诉讼情况", "review and litigation"),
}

#: Table 三's seven applicant columns, in printed order.
APPLICANT_COLUMNS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_org": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

#: Table 三's groups of sub-rows, in printed order.
WITHHELD: dict[str, str] = {
    "state_secret": "1.属于国家秘密",
    "other_law": "2.其他法律行政法规禁止公开",
    "security_stability": "3.危及“三安全一稳定”",
    "third_party": "4.保护第三方合法权益",
    "internal_affairs": "5.属于三类内部事务信息",
    "process_info": "6.属于四类过程性信息",
    "enforcement_file": "7.属于行政执法案卷",
    "admin_query": "8.属于行政查询事项",
}
UNAVAILABLE: dict[str, str] = {
    "not_held": "1.本机关不掌握相关政府信息",
    "needs_creation": "2.没有现成信息需要另行制作",
    "unclear": "3.补正后申请内容仍不明确",
}
NOT_PROCESSED: dict[str, str] = {
    "petition": "1.信访举报投诉类申请",
    "duplicate": "2.重复申请",
    "publication": "3.要求提供公开出版物",
    "excessive": "4.无正当理由大量反复申请",
    "confirmation": "5.要求行政机关确认或重新出具已获取信息",
}
OTHER_SPLIT: dict[str, str] = {
    "overdue_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other": "3.其他",
}
GROUPS: dict[str, dict[str, str]] = {
    "withheld": WITHHELD,
    "unavailable": UNAVAILABLE,
    "not_processed": NOT_PROCESSED,
    "other": OTHER_SPLIT,
}
GROUP_LABELS: dict[str, str] = {
    "withheld": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}

#: Table 三's rows as (canonical row path, printed label), in printed order.
#: ``other`` appears either split (2021) or as one row (2019 and some 2021 reports).
def application_rows(other_split: bool = True) -> list[tuple[str, str]]:
    """Row paths (relative to ``applications``) with their labels, in printed order."""
    rows = [
        ("new_received", "一、本年新收政府信息公开申请数量"),
        ("carried_over", "二、上年结转政府信息公开申请数量"),
        ("granted", "（一）予以公开"),
        ("partially_granted", "（二）部分公开"),
    ]
    for group in ("withheld", "unavailable", "not_processed"):
        rows += [(f"{group}.{k}", f"{GROUP_LABELS[group]} {v}") for k, v in GROUPS[group].items()]
    if other_split:
        rows += [(f"other.{k}", f"{GROUP_LABELS['other']} {v}") for k, v in OTHER_SPLIT.items()]
    else:
        rows.append(("other", GROUP_LABELS["other"]))
    rows += [("total", "（七）总计"), ("carried_forward", "四、结转下年度继续办理")]
    return rows


REVIEW_GROUPS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_COLUMNS: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

_DOCS_2021 = {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数"}
_DOCS_2019 = {"made": "本年新制作数量", "published": "本年新公开数量", "total_published": "对外公开总数量"}
_ITEMS_2019 = {"prev_items": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"}

#: Table 二 (主动公开) rows and their columns, per template.
ACTIVE_ROWS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "2021": {
        "regulations": ("规章", _DOCS_2021),
        "normative_documents": ("行政规范性文件", _DOCS_2021),
        "licensing": ("行政许可", {"decisions": "本年处理决定数量"}),
        "punishment": ("行政处罚", {"decisions": "本年处理决定数量"}),
        "coercion": ("行政强制", {"decisions": "本年处理决定数量"}),
        "fees": ("行政事业性收费", {"amount_10k_yuan": "本年收费金额（万元）"}),
    },
    "2019": {
        "regulations": ("规章", _DOCS_2019),
        "normative_documents": ("规范性文件", _DOCS_2019),
        "licensing": ("行政许可", _ITEMS_2019),
        "other_services": ("其他对外管理服务事项", _ITEMS_2019),
        "punishment": ("行政处罚", _ITEMS_2019),
        "coercion": ("行政强制", _ITEMS_2019),
        "fees": ("行政事业性收费", {"prev_items": "上一年项目数量", "change": "本年增/减"}),
        "procurement": ("政府集中采购", {"items": "采购项目数量", "amount_10k_yuan": "采购总金额（万元）"}),
    },
}

#: Fields that hold amounts (floats, 万元); every other leaf is an int count.
AMOUNT_FIELDS = frozenset({"amount_10k_yuan"})


def application_paths(other_split: bool = True) -> list[str]:
    """Every leaf path of table 三 (``applications.<row>.<column>``)."""
    return [
        f"applications.{row}.{col}" for row, _ in application_rows(other_split) for col in APPLICANT_COLUMNS
    ]


def review_paths() -> list[str]:
    """Every leaf path of table 四."""
    return [f"review_litigation.{g}.{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]


def active_paths(template: Template) -> list[str]:
    """Every leaf path of table 二 for one template."""
    return [f"active.{row}.{col}" for row, (_, cols) in ACTIVE_ROWS[template].items() for col in cols]


#: Table 二's rows that only the 2019 template prints (其他对外管理服务事项, 政府集中采购).
_ONLY_2019 = frozenset(ACTIVE_ROWS["2019"]) - frozenset(ACTIVE_ROWS["2021"])


def active_template(active: Mapping[str, object]) -> Template:
    """The template a canonical table 二 (its rows by key) belongs to."""
    return "2019" if _ONLY_2019.intersection(active) else "2021"


def splits_other(other: object) -> bool:
    """Whether table 三's （六）其他处理 (the canonical ``applications.other`` node) is
    three rows (2021) rather than one row of applicant columns (2019, some 2021 reports)."""
    return not (isinstance(other, Mapping) and "natural_person" in other)
