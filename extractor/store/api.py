"""The store's Python API: what ``nianbao batch``, ``export`` and the review
service call. Reports are done extractions (a report's ``id`` is its
extraction's); findings carry a status that follows their latest review; reviews
are only ever appended.

Two reviewers deciding one finding at once: each decision names the finding's
``revision`` it was based on, and the write succeeds only if the finding is still
at that revision; otherwise :class:`ReviewConflict` carries the finding as the
other reviewer left it, so nobody overwrites a decision they have not seen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Engine, Row, and_, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from ..errors import ConfigError, NianbaoError
from ..result import Result
from .db import connect, db_message, migrate, reading, require_existing, store_url, utc_now
from .records import result_record
from .schema import (
    DECISIONS,
    EXTRACTION_STATUSES,
    FINDING_STATUSES,
    SEVERITIES,
    documents,
    extractions,
    findings,
    reviews,
    source_files,
)
from .work import ExtractionKey, enqueue, finish

Decision = Literal["confirm", "dismiss", "correct", "reopen"]


class NotFound(NianbaoError):
    """No report or finding with that id."""


class ReviewConflict(NianbaoError):
    """Someone else decided the finding since the revision the decision was based on."""

    def __init__(self, current: FindingRow) -> None:
        self.current = current
        super().__init__(
            f"finding {current.id} is at revision {current.revision} ({current.status}) — "
            "decided by someone else meanwhile; reload and decide again"
        )


class ReviewRow(BaseModel):
    """One decision, as recorded (append-only)."""

    id: int
    finding_id: int
    revision: int
    decision: str
    path: str | None = None
    corrected_value: float | None = None
    note: str | None = None
    reviewer: str
    decided_at: str


class FindingRow(BaseModel):
    """A stored finding with its current status; ``reviews`` filled by :meth:`Store.get_finding`
    and :meth:`Store.get_report`, oldest first."""

    id: int
    report_id: int
    finding_key: str
    scope: str
    rule: str
    severity: str
    paths: list[str]
    message: str
    message_en: str
    printed: float | None = None
    computed: float | None = None
    difference: float | None = None
    quote: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    status: str
    revision: int
    reviews: list[ReviewRow] = Field(default_factory=list)


class ReportSummary(BaseModel):
    """One report in a list: where it came from, what it is, how many findings are open."""

    id: int
    document_id: int
    path: str
    format: str
    sha256: str
    size_bytes: int
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    backend: str
    model: str | None = None
    prompt_version: str
    nianbao_version: str
    status: str
    error: str | None = None
    created_at: str
    finished_at: str | None = None
    errors: int = 0
    warnings: int = 0
    open_errors: int = 0
    open_warnings: int = 0


class Correction(BaseModel):
    """A value a reviewer read for a cell; the printed value is kept beside it."""

    path: str
    printed: Any
    corrected: int | float
    reviewer: str
    decided_at: str
    finding_id: int
    note: str | None = None


class ReportDetail(ReportSummary):
    """One report whole: canonical JSON, claims, evidence, usage, findings with their
    reviews, and the corrections reviewers made (by canonical path)."""

    report: dict[str, Any] = Field(default_factory=dict)
    #: The normalised document text evidence offsets and lines refer to (None if not kept).
    source_text: str | None = None
    claims: list[dict[str, Any]] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict)
    usage: dict[str, Any] = Field(default_factory=dict)
    findings: list[FindingRow] = Field(default_factory=list)
    corrections: dict[str, Correction] = Field(default_factory=dict)


#: Canonical paths ending so are amounts (万元, floats); every other leaf is a count.
AMOUNT_SUFFIX = "amount_10k_yuan"


def as_printed(path: str, value: float) -> int | float:
    """A stored value as its leaf holds it: counts as ints, amounts as floats."""
    return value if path.endswith(AMOUNT_SUFFIX) or not float(value).is_integer() else int(value)


def check_choice(name: str, value: str | None, allowed: Collection[str]) -> None:
    """A filter naming no status (a typo) is an error, not an empty list."""
    if value is not None and value not in allowed:
        raise NianbaoError(f"unknown {name} {value!r} (choose from {', '.join(allowed)})")


def _loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def _count(severity: str, only_open: bool) -> Any:
    cond = and_(findings.c.extraction_id == extractions.c.id, findings.c.severity == severity)
    if only_open:
        cond = and_(cond, findings.c.status == "open")
    return select(func.count()).where(cond).scalar_subquery()


_SUMMARY_COLUMNS = (
    extractions.c.id, extractions.c.document_id, documents.c.path, documents.c.format, documents.c.sha256,
    documents.c.size_bytes, extractions.c.agency, extractions.c.year, extractions.c.template,
    extractions.c.backend, extractions.c.model, extractions.c.prompt_version, extractions.c.nianbao_version,
    extractions.c.status, extractions.c.error, extractions.c.created_at, extractions.c.finished_at,
    _count("error", False).label("errors"), _count("warning", False).label("warnings"),
    _count("error", True).label("open_errors"), _count("warning", True).label("open_warnings"),
)


def _finding(row: Row[Any]) -> FindingRow:
    m = row._mapping
    return FindingRow(
        id=m["id"], report_id=m["extraction_id"], finding_key=m["finding_key"], scope=m["scope"], rule=m["rule"],
        severity=m["severity"], paths=json.loads(m["paths"]), message=m["message"], message_en=m["message_en"],
        printed=m["printed"], computed=m["computed"], difference=m["difference"], quote=m["quote"],
        evidence=_loads(m["evidence_json"], {}), status=m["status"], revision=m["revision"],
    )


def _review(row: Row[Any]) -> ReviewRow:
    return ReviewRow.model_validate(dict(row._mapping))


def _leaf(report: dict[str, Any], path: str) -> Any:
    node: Any = report
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


class Store:
    """A results store (SQLite file or PostgreSQL database), migrated on open."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, db: str | None = None, *, existing: bool = False) -> Store:
        """The store at ``db`` (path or URL; default ``$NIANBAO_DB`` or ``nianbao.db``), created or
        migrated to this version's schema as needed; with ``existing``, a SQLite file that is
        not there is an error rather than a new empty store."""
        url = store_url(db)
        if existing:
            require_existing(url)
        engine = connect(url)
        try:
            migrate(engine)
        except SQLAlchemyError as e:
            engine.dispose()
            where = engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"cannot open the store {where}: {db_message(e)}") from None
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    # ---- reports -------------------------------------------------------------------------

    def list_reports(
        self,
        *,
        agency: str | None = None,
        year: int | None = None,
        has_open_errors: bool | None = None,
        status: str | None = "done",
        ids: Collection[int] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[ReportSummary]:
        """Reports (newest first) filtered by agency (exact), year, whether an error finding is
        still open, extraction status (``None`` for any: failed documents too) and report ids."""
        check_choice("status", status, EXTRACTION_STATUSES)
        q = select(*_SUMMARY_COLUMNS).join(documents, documents.c.id == extractions.c.document_id)
        if ids is not None:
            q = q.where(extractions.c.id.in_(list(ids)))
        if status is not None:
            q = q.where(extractions.c.status == status)
        if agency is not None:
            q = q.where(extractions.c.agency == agency)
        if year is not None:
            q = q.where(extractions.c.year == year)
        if has_open_errors is not None:
            open_error = exists().where(
                findings.c.extraction_id == extractions.c.id, findings.c.severity == "error",
                findings.c.status == "open",
            )
            q = q.where(open_error if has_open_errors else ~open_error)
        q = q.order_by(extractions.c.id.desc()).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with reading(self.engine) as conn:
            return [ReportSummary.model_validate(dict(r._mapping)) for r in conn.execute(q)]

    def get_report(self, report_id: int) -> ReportDetail:
        """One report with its canonical JSON, evidence, findings (with reviews) and corrections."""
        q = (
            select(*_SUMMARY_COLUMNS, extractions.c.report_json, extractions.c.claims_json,
                   extractions.c.evidence_json, extractions.c.usage_json, extractions.c.source_text)
            .join(documents, documents.c.id == extractions.c.document_id)
            .where(extractions.c.id == report_id)
        )
        with reading(self.engine) as conn:
            row = conn.execute(q).first()
            if row is None:
                raise NotFound(f"no report {report_id}")
            found = self._findings(conn, findings.c.extraction_id == report_id, with_reviews=True)
            m = dict(row._mapping)
            report = _loads(m.pop("report_json"), {})
            corrected = corrections_of(conn, {report_id: report}).get(report_id, {})
        claims, evidence, usage = (_loads(m.pop(k), d) for k, d in (
            ("claims_json", []), ("evidence_json", {}), ("usage_json", {})))
        return ReportDetail(**m, report=report, claims=claims, evidence=evidence, usage=usage, findings=found,
                            corrections=corrected)

    # ---- findings and reviews --------------------------------------------------------------

    def list_findings(
        self,
        *,
        status: str | None = None,
        severity: str | None = None,
        report_id: int | None = None,
        rule: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[FindingRow]:
        """Findings of done reports, oldest first, filtered by status, severity, report and rule."""
        check_choice("status", status, FINDING_STATUSES)
        check_choice("severity", severity, SEVERITIES)
        cond = [extractions.c.status == "done"]
        for col, value in ((findings.c.status, status), (findings.c.severity, severity),
                           (findings.c.extraction_id, report_id), (findings.c.rule, rule)):
            if value is not None:
                cond.append(col == value)
        with reading(self.engine) as conn:
            return self._findings(conn, and_(*cond), limit=limit, offset=offset)

    def get_finding(self, finding_id: int) -> FindingRow:
        """One finding with its review history."""
        with reading(self.engine) as conn:
            found = self._findings(conn, findings.c.id == finding_id, with_reviews=True)
        if not found:
            raise NotFound(f"no finding {finding_id}")
        return found[0]

    def history(self, finding_id: int) -> list[ReviewRow]:
        """Every decision on a finding, oldest first."""
        return self.get_finding(finding_id).reviews

    def record_review(
        self,
        finding_id: int,
        decision: Decision,
        reviewer: str,
        *,
        based_on_revision: int,
        note: str | None = None,
        path: str | None = None,
        corrected_value: float | None = None,
    ) -> FindingRow:
        """Append a decision and move the finding's status to follow it.

        ``based_on_revision`` is the finding's ``revision`` the reviewer saw; if another
        decision landed since, nothing is written and :class:`ReviewConflict` says what it
        was. ``correct`` needs the ``path`` (one the finding names) and the
        ``corrected_value``; the printed value is never changed.
        """
        if decision not in DECISIONS:
            raise NianbaoError(f"unknown decision {decision!r} (choose from {', '.join(DECISIONS)})")
        if not reviewer.strip():
            raise NianbaoError("a review needs the reviewer's name")
        with self.engine.begin() as conn:
            current = self._findings(conn, findings.c.id == finding_id)
            if not current:
                raise NotFound(f"no finding {finding_id}")
            finding = current[0]
            if decision == "correct":
                if path is None or corrected_value is None:
                    raise NianbaoError("a correction needs the path and the corrected value")
                if path not in finding.paths:
                    raise NianbaoError(f"finding {finding_id} names no cell {path!r} (it names {finding.paths})")
                if ":" in path:
                    raise NianbaoError(f"{path!r} is a cell of another year's report: correct it there")
                if not path.endswith(AMOUNT_SUFFIX) and not float(corrected_value).is_integer():
                    raise NianbaoError(f"{path!r} is a count: {corrected_value} is not a whole number")
            elif path is not None or corrected_value is not None:
                raise NianbaoError("only a correction carries a path and a value")
            moved = conn.execute(
                update(findings)
                .where(findings.c.id == finding_id, findings.c.revision == based_on_revision)
                .values(status=DECISIONS[decision], revision=findings.c.revision + 1)
            )
            if moved.rowcount != 1:
                conn.rollback()
                raise ReviewConflict(self.get_finding(finding_id))
            conn.execute(insert(reviews).values(
                finding_id=finding_id, revision=based_on_revision + 1, decision=decision, path=path,
                corrected_value=corrected_value, note=note, reviewer=reviewer.strip(), decided_at=utc_now(),
            ))
        return self.get_finding(finding_id)

    def corrections(self, report_id: int) -> dict[str, Correction]:
        """The cells of a report reviewers corrected, by canonical path (see :func:`corrections_of`)."""
        return self.get_report(report_id).corrections

    # ---- writing results -------------------------------------------------------------------

    def add_result(self, data: bytes, path: str, result: Result, text: str | None = None) -> int:
        """Store one extraction made outside a batch (the service's upload); returns the report id.
        ``text`` is the document's normalised text (``Document.text``), kept so its evidence can be
        shown. The same bytes read the same way again replace nothing: the stored report is returned."""
        key = ExtractionKey.of(result)
        [(extraction_id, status)] = enqueue(self.engine, [(path, data)], key).values()
        if status != "done":
            finish(self.engine, extraction_id, result_record(result, text), claimed_by=None)
        return extraction_id

    def keep_source(self, data: bytes, name: str) -> str:
        """Keep an uploaded file's bytes (once per content), so its source can be shown
        though it has no path to be read from again; returns their SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        with self.engine.begin() as conn:
            conn.execute(dialect.insert(source_files).values(sha256=digest, name=name, data=data)
                         .on_conflict_do_nothing())
        return digest

    def kept_source(self, sha256: str) -> bytes | None:
        """The bytes :meth:`keep_source` kept under ``sha256``, or ``None``."""
        with reading(self.engine) as conn:
            data = conn.execute(select(source_files.c.data).where(source_files.c.sha256 == sha256)).scalar()
        return None if data is None else bytes(data)

    def _findings(
        self, conn: Connection, where: Any, *, with_reviews: bool = False, limit: int | None = None, offset: int = 0
    ) -> list[FindingRow]:
        q = (
            select(findings)
            .join(extractions, extractions.c.id == findings.c.extraction_id)
            .where(where)
            .order_by(findings.c.id)
            .offset(offset)
        )
        if limit is not None:
            q = q.limit(limit)
        rows = [_finding(r) for r in conn.execute(q)]
        if with_reviews and rows:
            by_id = {f.id: f for f in rows}
            q2 = select(reviews).where(reviews.c.finding_id.in_(by_id)).order_by(reviews.c.id)
            for r in conn.execute(q2):
                by_id[r.finding_id].reviews.append(_review(r))
        return rows


def standing_correction() -> ColumnElement[bool]:
    """Which rows of ``reviews`` are corrections that stand: every ``correct`` decision,
    whatever its finding's later status, until a later ``reopen`` of that finding takes the
    finding back to undecided and withdraws its corrections. A later confirm or dismiss
    decides whether the finding holds; it says nothing against a value a reviewer read."""
    later = reviews.alias("later")
    withdrawn = exists().where(
        later.c.finding_id == reviews.c.finding_id, later.c.decision == "reopen", later.c.revision > reviews.c.revision
    )
    return and_(reviews.c.decision == "correct", reviews.c.path.is_not(None), reviews.c.corrected_value.is_not(None),
                ~withdrawn)


def corrections_of(conn: Connection, reports: Mapping[int, dict[str, Any]]) -> dict[int, dict[str, Correction]]:
    """The cells reviewers corrected in ``reports`` (canonical dicts by report id), by report and
    canonical path: every :func:`standing_correction` counts, several of one finding on
    different cells alike; of two corrections of one cell (by one finding or by two) the later
    stands. ``printed`` is read from the report, never replaced."""
    out: dict[int, dict[str, Correction]] = {}
    if not reports:
        return out
    q = (
        select(findings.c.extraction_id, reviews)
        .join(reviews, reviews.c.finding_id == findings.c.id)
        .where(findings.c.extraction_id.in_(list(reports)), standing_correction())
        .order_by(reviews.c.decided_at, reviews.c.id)
    )
    for row in conn.execute(q):
        r = row._mapping
        out.setdefault(r["extraction_id"], {})[r["path"]] = Correction(
            path=r["path"], printed=_leaf(reports[r["extraction_id"]], r["path"]),
            corrected=as_printed(r["path"], r["corrected_value"]),
            reviewer=r["reviewer"], decided_at=r["decided_at"], finding_id=r["finding_id"], note=r["note"],
        )
    return out


__all__ = [
    "Correction", "FindingRow", "NotFound", "ReportDetail", "ReportSummary", "ReviewConflict",
    "ReviewRow", "Store", "corrections_of", "standing_correction",
]
