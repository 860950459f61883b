"""Checks across years: one agency's reports for consecutive years.

A year's 上年结转 must be last year's 结转下年度继续办理, column by column, and
(2021 template) 现行有效件数 must follow from last year's plus 本年制发 minus
本年废止. The rules are the ``prev:`` rules of ``rules/crossyear.yaml``; this
module only pairs the reports. Cells of the earlier year are named
``<year>:<path>`` in the findings.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .. import cache
from ..report import Report
from ..result import Evidence, Finding
from .engine import Facts, run_rules

_SPACE = cache.compile(r"\s+")


def check_years(reports: Sequence[tuple[Report, dict[str, Evidence]]]) -> list[list[Finding]]:
    """Cross-year findings for each report (in input order), each raised on the
    later year of a pair. Reports are grouped by agency and paired when their
    years are consecutive; a year given twice for one agency is not paired, nor
    is a report whose agency or year was not read (it may be anyone's)."""
    groups: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, (report, _) in enumerate(reports):
        agency = _SPACE.sub("", report.meta.agency or "")
        if report.meta.year is not None and agency:
            groups[agency][report.meta.year].append(i)
    out: list[list[Finding]] = [[] for _ in reports]
    for years in groups.values():
        for year, idx in years.items():
            prev = years.get(year - 1, [])
            if len(idx) == 1 and len(prev) == 1:
                cur_r, cur_e = reports[idx[0]]
                prev_r, prev_e = reports[prev[0]]
                out[idx[0]] = run_rules(Facts.of(cur_r, cur_e), Facts.of(prev_r, prev_e))
    return out
