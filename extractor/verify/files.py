"""Verify canonical JSON (what ``nianbao extract --format json`` writes) afresh, and
one agency's consecutive years against each other.

Reading a report file needs the whole pipeline, which sits above this stage:
:func:`extractor.pipeline.check_files` joins the two for ``nianbao verify``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..load import read_file
from ..record import record
from ..report import SECTIONS, Report
from ..result import Claim, Evidence, Finding
from .catalogue import validation_message
from .claims import NarrativeClaim, load_phrasings
from .crossyear import check_years
from .engine import verify

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@record(frozen=False)
class Checked:
    """One verified file: its name, the report, its evidence and every finding."""

    name: str
    report: Report
    evidence: dict[str, Evidence]
    findings: list[Finding]


@functools.cache
def _validators() -> tuple[TypeAdapter[Claim], TypeAdapter[NarrativeClaim], TypeAdapter[dict[str, Evidence]],
                           TypeAdapter[list[Finding]]]:
    """pydantic validators of the plain classes, made once: JSON from outside is checked."""
    from pydantic import TypeAdapter

    return (TypeAdapter(Claim), TypeAdapter(NarrativeClaim), TypeAdapter(dict[str, Evidence]),
            TypeAdapter(list[Finding]))


def load_canonical(path: Path) -> Checked:
    """A canonical JSON file, verified afresh: its stored findings are
    recomputed, not trusted — except the narrative's breakdowns of its own
    totals, which need the text the JSON does not hold and are kept as stored.
    An entry of ``claims`` without ``paths`` names no table cell and is skipped."""
    from pydantic import ValidationError

    from ..schema import validate_report

    claim, narrative_claim, evidence_of, findings_of = _validators()
    try:
        data = json.loads(read_file(path).decode("utf-8"))
        if not isinstance(data, dict) or "meta" not in data or not any(k in data for k in SECTIONS):
            raise InputError(
                "not canonical JSON (FORMAT.md): needs meta and at least one of " + ", ".join(SECTIONS),
                path=str(path),
            )
        report = validate_report({k: data[k] for k in ("schema_version", "meta", *SECTIONS) if k in data})
        evidence = evidence_of.validate_python(data.get("evidence") or {})
        claims = [
            (narrative_claim if "rule" in c else claim).validate_python(c)
            for c in data.get("claims") or [] if isinstance(c, dict) and c.get("paths")
        ]
        textual = load_phrasings().breakdown.id
        stored = findings_of.validate_python(data.get("findings") or [])
        kept = [f for f in stored if f.rule == textual]
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read: {e}", path=str(path)) from e
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg} at line {e.lineno}", path=str(path)) from e
    except ValidationError as e:
        raise InputError(f"not canonical JSON: {validation_message(e)}", path=str(path)) from e
    except RecursionError as e:
        raise InputError("not canonical JSON: nested too deep", path=str(path)) from e
    except ValueError as e:  # an int past Python's digit limit
        raise InputError(f"not canonical JSON: {e}", path=str(path)) from e
    return Checked(path.name, report, evidence, verify(report, evidence, claims) + kept)


def cross_check(items: list[Checked]) -> list[Checked]:
    """One agency's consecutive years against each other (the cross-year
    findings go on the later year)."""
    for item, extra in zip(items, check_years([(i.report, i.evidence) for i in items]), strict=True):
        item.findings += extra
    return items
