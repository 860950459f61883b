"""The rule engine: check a Report against ``rules/*.yaml`` and its narrative claims.

It sees the Report, its evidence, the claims and the narrative's own
breakdowns — never the text — so the same
checks run on whatever a backend extracted, or on canonical JSON. A relation
with a blank operand is reported as not assessable (``info``); a table that is
absent, or entirely blank, is reported once and its rules are not run.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from operator import is_, is_not, mul
from typing import Any

from ..record import record, replace
from ..report import SECTIONS, Report
from ..result import Claim, Evidence, Finding, Message, Severity
from ..template import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    GROUP_LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    TABLES,
    Template,
)
from .catalogue import (
    BUILTIN_SETS,
    BoundsRule,
    Catalogue,
    Leaves,
    Operand,
    PublishedRule,
    SumRule,
    bindings,
    expand,
    leaves_of,
    load_catalogue,
    operands,
)
from .claims import Breakdown, NarrativeClaim, claim_severity, load_phrasings

Number = int | float
_EPS = 1e-6
#: whether a value is blank, and given: one C call each
_BLANK = functools.partial(is_, None)
_GIVEN = functools.partial(is_not, None)


@record
class Facts:
    """One report as the rules read it: leaf values (and ``meta.year``) by path."""

    values: dict[str, Any]
    evidence: dict[str, Evidence]
    template: Template | None
    year: int | None
    published: str | None
    absent: frozenset[str]
    #: the paths of ``values``: this report's shape
    paths: Leaves

    @classmethod
    def of(cls, report: Report, evidence: dict[str, Evidence]) -> Facts:
        values = dict(report.leaves())
        values["meta.year"] = report.meta.year
        shape = leaves_of(tuple(values))
        tables = report.sections()
        absent = frozenset(
            s for s in SECTIONS if tables[s] is None or all(map(_BLANK, map(values.__getitem__, shape.under(s))))
        )
        return cls(values, evidence, report.template, report.meta.year, report.meta.published, absent, shape)

    def shape(self) -> tuple[str, ...]:
        return tuple(self.paths)


# -- labels for messages ----------------------------------------------------------------------------

_ROW_LABELS = BUILTIN_SETS["table3_row"]
_META_LABELS = {"year": "报告年度", "published": "发布日期"}
_ACTIVE_FIELDS = {f: lab for rows in ACTIVE_ROWS.values() for _, cols in rows.values() for f, lab in cols.items()}


def label(path: str) -> str:
    """A path in the words of the printed table: ``（一）予以公开·总计``."""
    year, _, path = path.rpartition(":")
    head = f"{year}年" if year else ""
    parts = path.split(".")
    if parts[0] == "meta":
        return head + _META_LABELS.get(parts[-1], parts[-1])
    if parts[0] == "applications":
        row = ".".join(parts[1:-1])
        row_label = GROUP_LABELS.get(parts[1], row) if parts[2:3] == ["*"] else _ROW_LABELS.get(row, row)
        return f"{head}{row_label}·{APPLICANT_COLUMNS.get(parts[-1], parts[-1])}"
    if parts[0] == "review_litigation":
        return f"{head}{REVIEW_GROUPS.get(parts[1], parts[1])}·{REVIEW_COLUMNS.get(parts[2], parts[2])}"
    row_name = BUILTIN_SETS["active_row"].get(parts[1], parts[1])
    return f"{head}{row_name}·{_ACTIVE_FIELDS.get(parts[-1], parts[-1])}"


def _fmt(v: Number) -> str:
    return str(round(v, 6)).removesuffix(".0") if isinstance(v, float) else str(v)


# -- compiled checks ----------------------------------------------------------------------------------


def _sections(ops: Sequence[Operand]) -> frozenset[tuple[bool, str]]:
    return frozenset((o.prev, o.path.split(".", 1)[0]) for o in ops)


@record
class SumCheck:
    rule: SumRule
    total: tuple[Operand, ...]
    parts: tuple[Operand, ...]
    sections: frozenset[tuple[bool, str]]
    #: the cells of ``total`` then ``parts``, and each one's sign in total − parts (for :meth:`holds`)
    paths: tuple[str, ...]
    signs: tuple[int, ...]

    def holds(self, values: dict[str, Any]) -> bool:
        """Whether the relation surely holds among one report's ``values`` (no ``prev:``
        operand), told with a few C calls: exact for whole numbers, none blank. False
        leaves it to :func:`_sum_finding` (a blank, an amount, or a finding)."""
        cells = [*map(values.__getitem__, self.paths)]
        if None in cells:
            return False
        diff = sum(map(mul, self.signs, cells))
        if type(diff) is not int:
            return False  # an amount: _sum_finding's tolerance decides
        op = self.rule.op
        return diff == 0 if op == "=" else diff <= 0 if op == ">=" else diff >= 0


@record
class BoundCheck:
    rule: BoundsRule
    cells: tuple[Operand, ...]
    sections: frozenset[tuple[bool, str]]
    #: the cells' paths (for :meth:`holds`)
    paths: tuple[str, ...]

    def holds(self, values: dict[str, Any]) -> bool:
        """Whether every given cell among one report's ``values`` surely lies within
        the bounds, told with a few C calls. False leaves it to :func:`_bound_findings`
        (a cell out of bounds, or a rule on decimals)."""
        rule = self.rule
        if rule.decimals is not None:
            return False
        given = [*filter(_GIVEN, map(values.__getitem__, self.paths))]
        if not given:
            return True
        return (rule.min is None or min(given) >= rule.min) and (rule.max is None or max(given) <= rule.max)


Check = SumCheck | BoundCheck | PublishedRule


def is_cross_year(rule: SumRule | BoundsRule | PublishedRule) -> bool:
    return isinstance(rule, SumRule) and any(op.lstrip("-").startswith("prev:") for op in rule.operands())


@functools.lru_cache(maxsize=64)
def _checks(
    cat: Catalogue, template: Template | None, leaves: tuple[str, ...], prev: tuple[str, ...] | None
) -> tuple[Check, ...]:
    """Every check the catalogue makes of a report of this shape (cached per shape)."""
    pool, prev_pool = leaves_of(leaves), leaves_of(prev or ())
    out: list[Check] = []
    for rule in cat.rules:
        if is_cross_year(rule) != (prev is not None) or (template and template not in rule.templates):
            continue
        if isinstance(rule, PublishedRule):
            out.append(rule)
            continue
        for b in bindings(rule, cat.sets):
            if isinstance(rule, BoundsRule):
                cells = tuple(o for spec in rule.cells for o in operands(spec, b, cat.sets, pool) or [])
                out.append(BoundCheck(rule, cells, _sections(cells), tuple(o.path for o in cells)))
                continue
            total = [operands(spec, b, cat.sets, pool, prev_pool) for spec in rule.total]
            parts = [operands(spec, b, cat.sets, pool, prev_pool) for spec in rule.parts]
            if any(x is None for x in total + parts):
                continue  # a cell this report's shape does not have
            t = tuple(o for x in total if x for o in x)
            p = tuple(o for x in parts if x for o in x)
            signs = tuple(o.sign for o in t) + tuple(-o.sign for o in p)
            out.append(SumCheck(rule, t, p, _sections(t + p), tuple(o.path for o in t + p), signs))
    return tuple(out)


# -- evaluation ----------------------------------------------------------------------------------------


@record
class _Reader:
    """Reads operands from this year's facts, or (``prev:``) last year's."""

    cur: Facts
    prev: Facts | None = None

    def facts(self, op: Operand) -> Facts:
        return self.prev if op.prev and self.prev is not None else self.cur

    def name(self, op: Operand) -> str:
        return f"{self.prev.year}:{op.path}" if op.prev and self.prev is not None else op.path

    def values(self, ops: Sequence[Operand]) -> list[Any]:
        if self.prev is None:  # the common case: one report, no cross-year operand
            get = self.cur.values.get
            return [None if o.prev else get(o.path) for o in ops]
        cur, prev = self.cur.values, self.prev.values
        return [(prev if o.prev else cur).get(o.path) for o in ops]

    def skips(self, sections: frozenset[tuple[bool, str]]) -> bool:
        """Whether a check reads a table that is absent (reported once instead)."""
        if self.prev is None and not self.cur.absent:
            return False  # every table is there
        return any(s in (self.prev.absent if p and self.prev else self.cur.absent) for p, s in sections)

    def evidence(self, ops: Sequence[Operand]) -> dict[str, Evidence]:
        return {self.name(o): e for o in ops if (e := self.facts(o).evidence.get(o.path)) is not None}


def _not_assessable(
    rule_id: str,
    zh: str,
    en: str,
    names: list[str],
    blank: list[str],
    evidence: dict[str, Evidence],
    quote: str | None = None,
) -> Finding:
    more_zh = f" 等 {len(blank)} 格" if len(blank) > 3 else ""
    more_en = f" and {len(blank) - 3} more" if len(blank) > 3 else ""
    return Finding(
        rule=rule_id,
        severity="info",
        paths=names,
        evidence=evidence,
        quote=quote,
        message=Message(
            zh=f"{zh}：{'、'.join(label(b) for b in blank[:3])}{more_zh} 空白，无法核验",
            en=f"{en}: not assessable, blank: {', '.join(blank[:3])}{more_en}",
        ),
    )


def _sum_finding(check: SumCheck, r: _Reader) -> Finding | None:
    if r.skips(check.sections):
        return None
    tv, pv = r.values(check.total), r.values(check.parts)
    rule = check.rule
    if None in tv or None in pv:
        return _blank_sum(check, r, tv, pv)
    printed = sum(o.sign * v for o, v in zip(check.total, tv, strict=True))
    computed = sum(o.sign * v for o, v in zip(check.parts, pv, strict=True))
    diff = printed - computed
    if abs(diff) < _EPS if rule.op == "=" else diff < _EPS if rule.op == ">=" else diff > -_EPS:
        return None
    zh_total, en_total = _side(check.total or check.parts, r)
    if rule.op == "=":
        zh_parts, en_parts = _side(check.parts, r, short=True)
        zh = f"{rule.title.zh}：{zh_total} 为 {_fmt(printed)}，{zh_parts}合计 {_fmt(computed)}，相差 {_fmt(diff)}"
        en = f"{rule.title.en}: {en_total} is {_fmt(printed)}, {en_parts} add up to {_fmt(computed)}"
        en += f" (difference {_fmt(diff)})"
    else:
        bound_zh, bound_en = ("不小于", "at least") if rule.op == ">=" else ("不大于", "at most")
        zh = f"{rule.title.zh}：{zh_total} 合计 {_fmt(computed)}，应{bound_zh} {_fmt(printed)}"
        en = f"{rule.title.en}: {en_total} comes to {_fmt(computed)}, should be {bound_en} {_fmt(printed)}"
    ops = check.total + check.parts
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=Message(zh=zh, en=en),
        paths=_names(ops, r),
        printed=printed,
        computed=computed,
        difference=diff,
        evidence=r.evidence(ops),
    )


def _side(ops: Sequence[Operand], r: _Reader, short: bool = False) -> tuple[str, str]:
    """One side of a relation in words (zh, en); with ``short``, more than three
    cells are just "the parts"."""
    if short and len(ops) > 3:
        return "各项", "its parts"
    zh = en = ""
    for i, o in enumerate(ops):
        name = r.name(o)
        zh += ("－" if o.sign < 0 else "＋" if i else "") + label(name)
        en += (" - " if o.sign < 0 else " + " if i else "") + name
    return zh, en


def _names(ops: Sequence[Operand], r: _Reader) -> list[str]:
    return list(dict.fromkeys(r.name(o) for o in ops))


def _blank_sum(check: SumCheck, r: _Reader, tv: list[Any], pv: list[Any]) -> Finding:
    """Not assessable — but when the parts printed already exceed a printed
    total (blank counts could only add), say so as a warning."""
    ops, rule = check.total + check.parts, check.rule
    names = _names(ops, r)
    blank = [r.name(o) for o, v in zip(ops, tv + pv, strict=True) if v is None]
    evidence = r.evidence(ops)
    finding = _not_assessable(rule.id, rule.title.zh, rule.title.en, names, blank, evidence)
    signs = {o.sign for o in ops}
    if rule.op == "=" and None not in tv and signs == {1}:
        printed, known = sum(tv), sum(v for v in pv if v is not None)
        if known - printed > _EPS:
            finding = replace(
                finding, severity="warning", printed=printed, computed=known, difference=printed - known,
                message=Message(
                    zh=f"{rule.title.zh}：除空白格外各项已合计 {_fmt(known)}，超过所印 {_fmt(printed)}",
                    en=f"{rule.title.en}: the parts printed already add up to {_fmt(known)}, "
                    f"more than {_fmt(printed)}",
                ),
            )
    return finding


def _bound_findings(check: BoundCheck, r: _Reader) -> list[Finding]:
    if r.skips(check.sections):
        return []
    rule, out = check.rule, []
    scale = 10**rule.decimals if rule.decimals is not None else None
    for cell, v in zip(check.cells, r.values(check.cells), strict=True):
        if v is None:
            continue  # a blank cell breaks no bound
        if rule.min is not None and v < rule.min:
            why = (f"小于 {_fmt(rule.min)}", f"below {_fmt(rule.min)}")
        elif rule.max is not None and v > rule.max:
            why = (f"大于 {_fmt(rule.max)}", f"above {_fmt(rule.max)}")
        elif scale is not None and abs(v * scale - round(v * scale)) > 1e-3:
            why = (f"小数超过 {rule.decimals} 位", f"more than {rule.decimals} decimals")
        else:
            continue
        name = r.name(cell)
        out.append(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                paths=[name],
                printed=v,
                evidence=r.evidence([cell]),
                message=Message(
                    zh=f"{rule.title.zh}：{label(name)} 为 {_fmt(v)}，{why[0]}",
                    en=f"{rule.title.en}: {name} is {_fmt(v)}, {why[1]}",
                ),
            )
        )
    return out


def _published_finding(rule: PublishedRule, f: Facts) -> Finding | None:
    if f.published is None or f.year is None or int(f.published[:4]) > f.year:
        return None  # a report without a printed date is not wrong about it
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        paths=["meta.published", "meta.year"],
        message=Message(
            zh=f"{rule.title.zh}：发布日期 {f.published} 不晚于 {f.year} 年底",
            en=f"{rule.title.en}: published {f.published}, not after the end of {f.year}",
        ),
    )


def run_rules(cur: Facts, prev: Facts | None = None, cat: Catalogue | None = None) -> list[Finding]:
    """Findings of the catalogue's rules: single-report rules, or with ``prev``
    the cross-year rules comparing ``cur`` with the year before."""
    cat = cat or load_catalogue()
    reader = _Reader(cur, prev)
    out: list[Finding] = []
    for check in _checks(cat, cur.template, cur.shape(), prev.shape() if prev else None):
        if prev is None and not isinstance(check, PublishedRule) and check.holds(cur.values):
            continue  # the common case: a relation that holds, told cheaply
        if isinstance(check, BoundCheck):
            out += _bound_findings(check, reader)
        elif (
            found := _sum_finding(check, reader) if isinstance(check, SumCheck) else _published_finding(check, cur)
        ) is not None:
            out.append(found)
    return out


# -- claims -------------------------------------------------------------------------------------------


def _cells(paths: list[str], f: Facts) -> list[str] | None:
    """The concrete cells a claim's paths name; None if one names nothing here."""
    cells: list[str] = []
    for p in paths:
        found = expand(p, f.paths)
        if not found:
            return None
        cells += found
    return cells


def _claim_finding(claim: Claim, f: Facts) -> Finding | None:
    """A claim against the tables: fine if either reading's cells add up to its
    value; not assessable if a reading that might has a blank cell."""
    readings = [claim.paths] + ([claim.alt_paths] if claim.alt_paths else [])
    if any(p.split(".", 1)[0] in f.absent for r in readings for p in r):
        return None  # the absent table is reported once
    rule = f"CLAIM.{claim.rule}" if isinstance(claim, NarrativeClaim) else "CLAIM"
    evidence = {"narrative": claim.evidence} if claim.evidence else {}
    resolved = [(r, cells) for r in readings if (cells := _cells(r, f)) is not None]
    if not resolved:
        return Finding(
            rule=rule,
            severity="info",
            paths=[p for r in readings for p in r],
            evidence=evidence,
            quote=claim.quote,
            message=Message(
                zh=f"正文“{claim.quote}”所指单元格本报告没有，无法核验",
                en=f"“{claim.quote}” names cells this report does not have; not assessable",
            ),
        )
    names = list(dict.fromkeys(c for _, cells in resolved for c in cells))
    evidence |= {c: f.evidence[c] for c in names if c in f.evidence}
    blank = [c for c in names if f.values[c] is None]
    sums = [(r, sum(f.values[c] for c in cells)) for r, cells in resolved if not set(cells) & set(blank)]
    if any(abs(total - claim.value) < _EPS for _, total in sums):
        return None
    if blank:
        return _not_assessable(rule, f"正文“{claim.quote}”", f"“{claim.quote}”", names, blank, evidence, claim.quote)
    computed = sums[0][1]
    return Finding(
        rule=rule,
        severity=_claim_severity(claim),
        message=_claim_message(claim, sums),
        paths=names,
        printed=claim.value,
        computed=computed,
        difference=claim.value - computed,
        quote=claim.quote,
        evidence=evidence,
    )


def _claim_message(claim: Claim, sums: list[tuple[list[str], Number]]) -> Message:
    (paths, computed), alts = sums[0], sums[1:]
    if paths == ["meta.year"]:
        return Message(
            zh=f"正文“{claim.quote}”意味报告年度为 {claim.value}，而报告年度为 {computed}",
            en=f"“{claim.quote}” implies the report is on {claim.value}, but its year is {computed}",
        )
    diff, where = _fmt(claim.value - computed), "＋".join(map(label, paths))
    zh = f"正文“{claim.quote}”为 {_fmt(claim.value)}，表中{where}合计 {_fmt(computed)}，相差 {diff}"
    en = (
        f"the narrative says {_fmt(claim.value)} (“{claim.quote}”), the table has {_fmt(computed)} ({', '.join(paths)})"
    )
    for alt, total in alts:
        zh += f"；另一读法{'＋'.join(map(label, alt))}合计 {_fmt(total)}"
        en += f"; read as {', '.join(alt)} it has {_fmt(total)}"
    return Message(zh=zh, en=en)


def _breakdown_finding(b: Breakdown) -> Finding | None:
    """A stated total against its stated parts: fine if the parts reach it at
    some point. A list closed by 其他/其余 that does not add up is wrong
    (``on_mismatch`` of the breakdown in ``rules/claims.yaml``); an open list
    may name only some parts, and parts that overshoot it may be the next
    figures of the sentence (``on_overshoot``)."""
    spec = load_phrasings().breakdown
    running, prefixes = 0, []
    for part in b.parts:
        running += part
        prefixes.append(running)
    if any(abs(p - b.value) < _EPS for p in prefixes) or not (b.complete or running > b.value):
        return None
    diff = b.value - running
    return Finding(
        rule=spec.id,
        severity=spec.on_mismatch if b.complete else spec.on_overshoot,
        paths=[],
        printed=b.value,
        computed=running,
        difference=diff,
        quote=b.quote,
        evidence={"narrative": b.evidence} if b.evidence else {},
        message=Message(
            zh=f"正文“{b.quote}”总数 {_fmt(b.value)}，所列各项合计 {_fmt(running)}，相差 {_fmt(diff)}",
            en=f"the narrative's total {_fmt(b.value)} (“{b.quote}”) and its parts ({_fmt(running)})"
            f" differ by {_fmt(diff)}",
        ),
    )


def _absent_finding(section: str) -> Finding:
    table = TABLES[section]
    zh, en = f"表{table.number} {table.title}", f"table {table.number} ({table.en})"
    return Finding(
        rule="TABLE-ABSENT",
        severity="info",
        paths=[section],
        message=Message(
            zh=f"{zh}缺失或全部空白，其勾稽关系无法核验",
            en=f"{en} is absent or blank; its relations are not assessable",
        ),
    )


def _claim_severity(claim: Claim) -> Severity:
    """Error, unless the phrasing says otherwise or the sentence counts for several bodies."""
    if not isinstance(claim, NarrativeClaim):
        return "error"
    return "warning" if claim.broad else claim_severity(claim.rule)


def verify(
    report: Report, evidence: dict[str, Evidence], claims: Sequence[Claim], breakdowns: Sequence[Breakdown] = ()
) -> list[Finding]:
    """Every finding for one report: its tables' relations, its claims, then
    the narrative's breakdowns of its own totals."""
    f = Facts.of(report, evidence)
    findings = [_absent_finding(s) for s in SECTIONS if s in f.absent]
    findings += run_rules(f)
    for claim in claims:
        if (found := _claim_finding(claim, f)) is not None:
            findings.append(found)
    for b in breakdowns:
        if (found := _breakdown_finding(b)) is not None:
            findings.append(found)
    return findings
