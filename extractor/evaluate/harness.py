"""Run an extraction backend over labelled fixtures and score it.

The backend is a parameter (any function from a loaded Document to canonical
JSON), so the parser, the LLM backends or a test double are measured the
same way. Everything runs in-process, mutations included, and the order in
which the random generator is used matches score.py, so ``--mutate N --seed S``
edits the same numbers in both tools.
"""

from __future__ import annotations

import fnmatch
import json
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..document import Document
from ..errors import InputError, NianbaoError
from ..llm.settings import LLMSettings
from ..load import load, load_bytes
from .scoring import (
    ClaimScore,
    Counts,
    FindingScore,
    LeafScore,
    caught,
    mutations,
    percent,
    reached_table,
    score_claims,
    score_findings,
    score_leaves,
)

#: A backend as the harness sees it: a loaded document in, canonical JSON out.
Extractor = Callable[[Document], dict[str, Any]]

#: LLM usage keys summed per run; they stay zero for the parser.
USAGE_KEYS = ("llm_calls", "prompt_tokens", "completion_tokens", "cache_hits", "replayed")


def backend_extractor(backend: str, llm: LLMSettings | None = None) -> Extractor:
    """The pipeline with one backend (and, for the LLM backends, its settings), as an :data:`Extractor`."""
    from ..pipeline import extract, get_backend  # the pipeline pulls in every stage

    get_backend(backend)  # an unknown name fails here, before any report is read

    def run(doc: Document) -> dict[str, Any]:
        return extract(doc, backend=backend, llm=llm).to_json()

    return run


@dataclass(frozen=True)
class Labelled:
    name: str
    report: Path
    gold: Path


def labelled_reports(fixtures: Path, only: str | None = None) -> tuple[list[Labelled], list[str]]:
    """Pairs of ``reports/<name>.*`` and ``gold/<name>.json`` (sorted), and notes on gold without a report."""
    gold_dir, report_dir = fixtures / "gold", fixtures / "reports"
    if not gold_dir.is_dir():
        raise NianbaoError(f"{fixtures}: no gold/ folder (expected reports/ and gold/)")
    pairs, notes = [], []
    for g in sorted(gold_dir.glob("*.json")):
        if only and not fnmatch.fnmatch(g.stem, only):
            continue
        raws = sorted(report_dir.glob(g.stem + ".*"))
        if raws:
            pairs.append(Labelled(g.stem, raws[0], g))
        else:
            notes.append(f"{g.stem}: no report file")
    return pairs, notes


@dataclass(frozen=True)
class Source:
    """The document line a value was (or would have been) read from."""

    line: int
    text: str
    exact: bool
    #: The value's span within ``text`` (when read exactly there).
    mark: tuple[int, int] | None = None


@dataclass
class MutationScore:
    tried: int = 0
    caught: int = 0
    misses: list[str] = field(default_factory=list)


@dataclass
class ReportEval:
    """Everything measured on one labelled report."""

    name: str
    file: str
    leaves: LeafScore
    claims: ClaimScore
    findings: FindingScore
    seconds: float
    usage: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    mutation: MutationScore | None = None
    error: str | None = None


@dataclass
class EvalRun:
    backend: str
    fixtures: str
    reports: list[ReportEval]
    notes: list[str]
    mutate: int = 0
    seed: int = 7

    @property
    def counts(self) -> Counts:
        total = Counts()
        for r in self.reports:
            total.add(r.leaves.counts)
        return total

    def sections(self) -> dict[str, Counts]:
        return _merge(r.leaves.sections for r in self.reports)

    def fields(self) -> dict[str, Counts]:
        return _merge(r.leaves.fields for r in self.reports)

    def rows(self) -> dict[str, Counts]:
        """Per-field tallies folded to their row (``applications.granted``)."""
        out: dict[str, Counts] = {}
        for path, c in self.fields().items():
            row = path if path.startswith("meta.") else path.rsplit(".", 1)[0]
            out.setdefault(row, Counts()).add(c)
        return out

    def total(self, attr: str) -> int:
        """Sum of one claims/findings/mutation figure, e.g. ``claims.found``."""
        part, name = attr.split(".")
        return sum(getattr(getattr(r, part), name) for r in self.reports if getattr(r, part) is not None)

    @property
    def failed(self) -> int:
        return sum(r.error is not None for r in self.reports)

    @property
    def seconds(self) -> float:
        return sum(r.seconds for r in self.reports)

    @property
    def docs_per_second(self) -> float | None:
        ok = len(self.reports) - self.failed
        return ok / self.seconds if ok and self.seconds > 0 else None

    @property
    def claims_recall(self) -> float | None:
        g = self.total("claims.gold")
        return self.total("claims.found") / g if g else None

    @property
    def findings_recall(self) -> float | None:
        g = self.total("findings.gold")
        return self.total("findings.detected") / g if g else None

    @property
    def caught_rate(self) -> float | None:
        t = self.total("mutation.tried")
        return self.total("mutation.caught") / t if t else None

    def usage(self) -> dict[str, Any] | None:
        """Summed LLM usage, or ``None`` when no report used an LLM (nothing to show)."""
        sums = {k: sum(int(r.usage.get(k) or 0) for r in self.reports) for k in USAGE_KEYS}
        if not (sums["llm_calls"] or sums["cache_hits"] or sums["replayed"]):
            return None
        costs = [r.usage["cost_usd"] for r in self.reports if r.usage.get("cost_usd") is not None]
        n = len(self.reports)
        return {**sums, "cost_usd": sum(costs) if costs else None,
                "per_report": {k: v / n for k, v in sums.items()}}

    def to_json(self) -> dict[str, Any]:
        c = self.counts
        return {
            "backend": self.backend, "fixtures": self.fixtures, "mutate": self.mutate, "seed": self.seed,
            "notes": self.notes,
            "total": {
                "docs": len(self.reports), "failed": self.failed, **c.to_json(),
                "claims": {"gold": self.total("claims.gold"), "found": self.total("claims.found"),
                           "extra": self.total("claims.extra"), "recall": self.claims_recall},
                "findings": {"gold": self.total("findings.gold"), "detected": self.total("findings.detected"),
                             "recall": self.findings_recall},
                "false_alarms": self.total("findings.false_alarms"),
                "mutations": {"tried": self.total("mutation.tried"), "caught": self.total("mutation.caught"),
                              "rate": self.caught_rate} if self.mutate else None,
                "seconds": round(self.seconds, 4), "docs_per_second": self.docs_per_second,
                "usage": self.usage(),
            },
            "sections": {k: v.to_json() for k, v in self.sections().items()},
            "fields": {k: v.to_json() for k, v in sorted(self.fields().items()) if v.wrong},
            "reports": [_report_json(r) for r in self.reports],
        }


def _merge(parts: Any) -> dict[str, Counts]:
    out: dict[str, Counts] = {}
    for d in parts:
        for k, c in d.items():
            out.setdefault(k, Counts()).add(c)
    return out


def _report_json(r: ReportEval) -> dict[str, Any]:
    return {
        "name": r.name, "file": r.file, "error": r.error, "seconds": round(r.seconds, 4),
        **r.leaves.counts.to_json(),
        "sections": {k: v.to_json() for k, v in r.leaves.sections.items()},
        "mismatches": [
            {"path": m.path, "gold": m.gold, "got": m.got,
             "source": vars(r.sources[m.path]) if m.path in r.sources else None}
            for m in r.leaves.mismatches
        ],
        "claims": vars(r.claims), "findings": vars(r.findings),
        "mutations": vars(r.mutation) if r.mutation else None,
        "usage": r.usage,
    }


def source_of(path: str, evidence: dict[str, Any], doc: Document) -> Source | None:
    """Where the extraction read ``path``; failing that, where it read the same row."""
    ev, exact = evidence.get(path), True
    if not isinstance(ev, dict):
        row = path.rsplit(".", 1)[0] + "."
        ev = next((v for k, v in evidence.items() if k.startswith(row) and isinstance(v, dict)), None)
        exact = False
    if ev is None or not isinstance(ev.get("start"), int):
        return None
    line = doc.line_at(ev["start"])
    if line is None:
        return None
    mark = None
    end = ev.get("end")
    if exact and isinstance(end, int) and line.start <= ev["start"] <= end <= line.end:
        mark = (ev["start"] - line.start, end - line.start)
    return Source(line.no, line.text, exact, mark)


def read_gold(path: Path) -> dict[str, Any]:
    """A gold label file; a malformed one is bad input naming the file, not a traceback."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read gold label: {e}", path=str(path)) from e
    if not isinstance(gold, dict):
        raise InputError("gold label is not a JSON object", path=str(path))
    return gold


def evaluate(
    fixtures: Path,
    extract_fn: Extractor,
    *,
    backend: str = "parser",
    mutate: int = 0,
    seed: int = 7,
    only: str | None = None,
    jobs: int = 1,
) -> EvalRun:
    """Extract and score every labelled report under ``fixtures`` (reports/ + gold/).
    ``jobs`` > 1 extracts that many reports at once in threads (for backends that
    wait on a model endpoint); mutation runs stay sequential, in score.py's order."""
    pairs, notes = labelled_reports(fixtures, only)
    rng = random.Random(seed)
    run = EvalRun(backend, str(fixtures), [], notes, mutate, seed)

    def extracted(item: Labelled) -> tuple[Document | None, dict[str, Any] | None, str | None, float]:
        t0 = time.perf_counter()
        doc = None
        try:
            doc = load(item.report)
            return doc, extract_fn(doc), None, time.perf_counter() - t0
        # Like score.py's subprocess: one report that crashes the backend is a
        # failed report, and the run goes on to score the others.
        except Exception as e:
            return doc, None, f"{type(e).__name__}: {e}", time.perf_counter() - t0

    outcomes: Iterable[tuple[Document | None, dict[str, Any] | None, str | None, float]]
    if jobs > 1 and not mutate:
        with ThreadPoolExecutor(jobs) as pool:
            outcomes = list(pool.map(extracted, pairs))
    else:
        outcomes = map(extracted, pairs)
    for item, (doc, pred, error, seconds) in zip(pairs, outcomes, strict=True):
        gold = read_gold(item.gold)
        r = ReportEval(
            item.name, str(item.report), score_leaves(gold, pred), score_claims(gold, pred),
            score_findings(gold, pred), seconds, error=error,
        )
        if pred is not None and doc is not None:
            r.usage = dict(pred.get("usage") or {})
            evidence = pred.get("evidence") or {}
            for m in r.leaves.mismatches:
                src = source_of(m.path, evidence, doc)
                if src is not None:
                    r.sources[m.path] = src
            if mutate and not gold.get("findings") and r.findings.false_alarms == 0:
                r.mutation = mutation_round(extract_fn, item.report, pred, rng, mutate)
        run.reports.append(r)
    return run


def mutation_round(
    extract_fn: Extractor, report: Path, base: dict[str, Any], rng: random.Random, n: int
) -> MutationScore | None:
    """Edit up to ``n`` numbers of table 三 one at a time; count the edits that
    reached a table cell and how many of those the verifier caught.
    ``None`` when the file is not UTF-8 text (as score.py, which skips it)."""
    try:
        text = report.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    out = MutationScore()
    for s, e, rep in mutations(text, rng, n):
        try:
            pred = extract_fn(load_bytes((text[:s] + rep + text[e:]).encode("utf-8"), report.name))
        except Exception:  # an edit that breaks extraction did not reach a cell
            continue
        if not reached_table(base, pred):
            continue
        out.tried += 1
        if caught(pred):
            out.caught += 1
        else:
            out.misses.append(f"{report.name}:{text.count(chr(10), 0, s) + 1} {text[s:e]}->{rep}")
    return out


@dataclass(frozen=True)
class Gates:
    """Thresholds that make ``nianbao eval`` exit non-zero (percentages, except false alarms)."""

    min_accuracy: float | None = None
    min_claims: float | None = None
    max_false_alarms: int | None = None
    min_caught: float | None = None


def gate_failures(run: EvalRun, gates: Gates) -> list[str]:
    """One line per gate the run does not meet (empty when all pass)."""
    out = []
    acc = run.counts.accuracy
    if gates.min_accuracy is not None and (acc is None or 100 * acc < gates.min_accuracy):
        out.append(f"leaf accuracy {percent(acc)} < {gates.min_accuracy}%")
    rec = run.claims_recall
    if gates.min_claims is not None and rec is not None and 100 * rec < gates.min_claims:
        out.append(f"claims recall {percent(rec)} < {gates.min_claims}%")
    fa = run.total("findings.false_alarms")
    if gates.max_false_alarms is not None and fa > gates.max_false_alarms:
        out.append(f"false alarms {fa} > {gates.max_false_alarms}")
    cr = run.caught_rate
    if gates.min_caught is not None and (cr is None or 100 * cr < gates.min_caught):
        out.append(f"mutations caught {percent(cr)} < {gates.min_caught}%")
    return out
