"""The verifier's cross-year checks run across the store: for each agency, the
reports of consecutive years compared, and the findings stored on the later year
(scope ``crossyear``). Rerunning keeps findings already stored (and their
reviews) and drops only unreviewed ones that no longer arise."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection

from pydantic import TypeAdapter
from sqlalchemy import Engine, and_, delete, select

from ..result import Evidence
from ..schema import validate_report
from ..verify.crossyear import check_years
from .db import reading
from .records import finding_rows
from .schema import extractions, findings
from .work import ExtractionKey, insert_ignoring

_EVIDENCE = TypeAdapter(dict[str, Evidence])


def agency_key(agency: str) -> str:
    """An agency as cross-year checks match it: spaces (a wrapped title) do not count."""
    return "".join(agency.split())


def check_across_years(engine: Engine, key: ExtractionKey, agencies: Collection[str] | None = None) -> int:
    """Cross-year findings for the done reports under ``key`` of ``agencies`` (all when None),
    one agency at a time so memory does not grow with the store. Returns how many error
    findings the checks raise now."""
    wanted = None if agencies is None else {agency_key(a) for a in agencies}
    groups: dict[str, list[int]] = defaultdict(list)
    with reading(engine) as conn:
        rows = conn.execute(
            select(extractions.c.id, extractions.c.agency, extractions.c.year).where(
                extractions.c.status == "done", extractions.c.backend == key.backend,
                extractions.c.prompt_version == key.prompt_version,
                extractions.c.nianbao_version == key.nianbao_version,
                extractions.c.agency.is_not(None), extractions.c.year.is_not(None),
            )
        ).all()
    years: dict[str, set[int]] = defaultdict(set)
    for ext_id, agency, year in rows:
        k = agency_key(agency)
        if wanted is None or k in wanted:
            groups[k].append(ext_id)
            years[k].add(year)
    errors = 0
    for k, ids in groups.items():
        if any(y - 1 in years[k] for y in years[k]):
            errors += _check_agency(engine, ids)
    return errors


def _check_agency(engine: Engine, ids: list[int]) -> int:
    with reading(engine) as conn:
        loaded = conn.execute(
            select(extractions.c.id, extractions.c.report_json, extractions.c.evidence_json)
            .where(extractions.c.id.in_(ids)).order_by(extractions.c.id)
        ).all()
    pairs = [(validate_report(json.loads(r)), _EVIDENCE.validate_json(e or "{}")) for _, r, e in loaded]
    raised = check_years(pairs)
    errors = 0
    with engine.begin() as conn:
        for (ext_id, _, _), found in zip(loaded, raised, strict=True):
            rows = finding_rows(found, "crossyear")
            errors += sum(r["severity"] == "error" for r in rows)
            insert_ignoring(conn, findings, [{**r, "extraction_id": ext_id} for r in rows])
            conn.execute(delete(findings).where(and_(
                findings.c.extraction_id == ext_id, findings.c.scope == "crossyear", findings.c.revision == 0,
                findings.c.finding_key.not_in([r["finding_key"] for r in rows]),
            )))
    return errors
