"""Throughput and memory of each pipeline stage, so a change that slows one down shows.

Stages are timed separately over N copies of the fixture reports: load (bytes →
Document), parse (Document → Report + evidence) and check (claims + verify).
Throughput is documents per second of the time spent in that stage. Memory is
measured in a separate pass with :mod:`tracemalloc` (the peak of Python heap
allocations while one document goes through the stage; C libraries such as
libxml2 allocate outside it) and, for the whole run, the peak resident set from
:func:`resource.getrusage`. Every pass runs in the bounded worker of
:mod:`~extractor.load.isolate`, where ``nianbao extract`` and ``nianbao batch``
run the stages (so a PDF is read there directly, not handed back per stage). With
``jobs > 1`` the copies are spread over a
:class:`~concurrent.futures.ProcessPoolExecutor` of spawned processes, each with
its worker. Every run is timed after a warm-up copy, so figures are steady-state.
"""

from __future__ import annotations

import math
import multiprocessing
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..errors import NianbaoError
from ..load import isolate, load_bytes
from ..parse.parser import parse
from ..verify.claims import read_narrative
from ..verify.engine import verify

STAGES = ("load", "parse", "check")
Item = tuple[str, bytes]
T = TypeVar("T")
#: Seconds the worker may spend on one benchmark pass.
_DEADLINE = 3600.0


def _stages(name: str, data: bytes) -> list[tuple[str, Callable[[], Any]]]:
    """The three stages of one document as thunks, each fed by the previous one's result."""
    state: dict[str, Any] = {}

    def do_load() -> None:
        state["doc"] = load_bytes(data, name)

    def do_parse() -> None:
        state["parsed"] = parse(state["doc"])

    def do_check() -> None:
        parsed = state["parsed"]
        narration = read_narrative(state["doc"], parsed.report, parsed.table_spans)
        verify(parsed.report, parsed.evidence, narration.claims, narration.breakdowns)

    return [("load", do_load), ("parse", do_parse), ("check", do_check)]


def time_stages(items: list[Item]) -> dict[str, float]:
    """Seconds spent in each stage over ``items``."""
    spent = dict.fromkeys(STAGES, 0.0)
    for name, data in items:
        for stage, run in _stages(name, data):
            t0 = time.perf_counter()
            run()
            spent[stage] += time.perf_counter() - t0
    return spent


def peak_heap(items: list[Item]) -> dict[str, int]:
    """Largest tracemalloc peak (bytes above the start of the stage) per stage, over ``items``."""
    peaks = dict.fromkeys(STAGES, 0)
    tracemalloc.start()
    try:
        for name, data in items:
            for stage, run in _stages(name, data):
                base = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                run()
                peaks[stage] = max(peaks[stage], tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()
    return peaks


def readable(files: list[Path]) -> tuple[list[Item], list[str]]:
    """The files that go through every stage, and a note for each that does not (not a report,
    a format this build cannot read)."""
    items, skipped = [], []
    for f in files:
        item = (f.name, f.read_bytes())
        try:
            in_worker(time_stages, [item])
        except NianbaoError as e:
            skipped.append(str(e))  # the message names the file
            continue
        items.append(item)
    return items, skipped


@dataclass
class ModeFigures:
    """One way of running the copies: single process or ``jobs`` workers."""

    jobs: int
    docs: int
    wall: float
    stage_seconds: dict[str, float]
    peak_rss_kib: int

    def rate(self, stage: str) -> float:
        """Documents per second of stage time (workers run their stage side by side)."""
        s = self.stage_seconds[stage]
        return self.docs * self.jobs / s if s > 0 else math.inf

    @property
    def wall_rate(self) -> float:
        return self.docs / self.wall if self.wall > 0 else math.inf


@dataclass
class BenchResult:
    files: int
    copies: int
    peak_heap: dict[str, int]
    modes: list[ModeFigures] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: format → reports/s end to end (load + parse + check) in this process, with ``by_format``
    format_rates: dict[str, float] = field(default_factory=dict)
    #: format → a whole ``nianbao extract`` process on one of its reports, with ``by_format``
    startup: dict[str, ProcessFigures] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files, "copies": self.copies, "skipped": self.skipped,
            "peak_heap_bytes": self.peak_heap,
            "modes": [
                {"jobs": m.jobs, "docs": m.docs, "wall_seconds": m.wall, "reports_per_second": m.wall_rate,
                 "stage_seconds": m.stage_seconds, "stage_reports_per_second": {s: m.rate(s) for s in STAGES},
                 "peak_rss_kib": m.peak_rss_kib}
                for m in self.modes
            ],
            "format_reports_per_second": self.format_rates,
            "extract_process_seconds": {
                f: {"report": p.report, "median": p.wall, "cpu_median": p.cpu} for f, p in self.startup.items()
            },
        }


def in_worker(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the bounded worker, where ``nianbao extract`` and ``batch`` run the
    stages: a PDF or Word file is read there directly, as in production, rather than
    sent back to this process as a Document for the next stage. Its deadline is generous:
    a benchmark runs for as long as it was asked to."""
    return isolate.run(fn, *args, source="nianbao bench", timeout=_DEADLINE)


def _timed(items: list[Item], copies: int) -> tuple[dict[str, float], float, float, int]:
    """In the worker: warm up on one copy (imports, compiled patterns), then time ``copies``.

    Returns the stage seconds, the wall-clock start and end of the timed part and the
    worker's peak resident set (KiB).
    """
    return in_worker(_timed_here, items, copies)


def _timed_here(items: list[Item], copies: int) -> tuple[dict[str, float], float, float, int]:
    time_stages(items)
    start = time.time()
    spent = time_stages(items * copies)
    return spent, start, time.time(), _peak_rss_kib()


def run_mode(items: list[Item], copies: int, jobs: int) -> ModeFigures:
    """Time every stage over ``copies`` copies of ``items``, in this process or in ``jobs`` workers.

    Wall time runs from the first worker's start to the last one's end, after warm-up
    (so process start-up is not counted).
    """
    if jobs <= 1:
        spent, t0, t1, rss = _timed(items, copies)
        return ModeFigures(1, len(items) * copies, t1 - t0, spent, rss)
    shares = [n for n in (copies // jobs + (i < copies % jobs) for i in range(jobs)) if n]
    spent = dict.fromkeys(STAGES, 0.0)
    starts, ends, peaks = [], [], []
    # spawn, not fork: each pool process starts clean and forks its own bounded worker.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for part, t0, t1, rss in pool.map(_timed, [items] * len(shares), shares):
            for k, v in part.items():
                spent[k] += v
            starts.append(t0)
            ends.append(t1)
            peaks.append(rss)
    return ModeFigures(len(shares), len(items) * copies, max(ends) - min(starts), spent, max(peaks))


def _peak_rss_kib() -> int:
    """Peak resident set (KiB on Linux) of this process; 0 where :mod:`resource` does not
    exist (Windows), so the other commands still import."""
    try:
        import resource
    except ImportError:
        return 0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _format(name: str) -> str:
    return Path(name).suffix.lower().lstrip(".") or "?"


def format_rates(items: list[Item], copies: int) -> dict[str, float]:
    """Reports/s end to end of each format's reports alone, single process, after a warm-up copy."""
    out = {}
    for fmt in sorted({_format(n) for n, _ in items}):
        mine = [i for i in items if _format(i[0]) == fmt]
        spent, _, _, _ = _timed(mine, copies)
        out[fmt] = len(mine) * copies / sum(spent.values())
    return out


@dataclass(frozen=True)
class ProcessFigures:
    """Medians of ``nianbao extract REPORT --format json`` run as a whole new process."""

    report: str
    #: wall-clock seconds, start-up included
    wall: float
    #: CPU seconds (user + system) of the process and its worker: on a busy machine the
    #: wall time says more about the neighbours, and the worker's head start overlaps
    #: the command line's only where a core is free
    cpu: float


def process_seconds(path: Path, runs: int) -> ProcessFigures:
    """Medians over ``runs`` runs, after one warm-up, of ``nianbao extract PATH --format json``."""
    # -P: the installed package, not an ``extractor/`` folder that happens to be in the working folder
    cmd = [sys.executable, "-P", "-m", "extractor", "extract", str(path), "--format", "json"]
    walls, cpus = [], []
    for i in range(runs + 1):
        before = _children_cpu()
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=120)
        if i:
            walls.append(time.perf_counter() - t0)
            cpus.append(_children_cpu() - before)
    return ProcessFigures(path.name, statistics.median(walls), statistics.median(cpus))


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (and theirs); 0 without :mod:`resource`."""
    try:
        import resource
    except ImportError:
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def bench(
    files: list[Path],
    *,
    copies: int | None = None,
    seconds: float = 10.0,
    jobs: int = 1,
    by_format: bool = False,
    runs: int = 5,
) -> BenchResult:
    """Measure the stages over the fixture ``files``.

    ``copies=None`` picks enough copies for the single-process run to take about
    ``seconds`` (timed on one warm-up copy). ``by_format`` adds each format's rate and
    the whole-process time of ``nianbao extract`` on its first report (median of ``runs``).
    """
    items, skipped = readable(files)
    if not items:
        raise NianbaoError("no readable report files to benchmark")
    heap = in_worker(peak_heap, items)
    if copies is None:
        once = sum(in_worker(time_stages, items).values())
        copies = max(1, round(seconds / once)) if once > 0 else 1
    result = BenchResult(len(items), copies, heap, skipped=skipped)
    result.modes.append(run_mode(items, copies, 1))
    if jobs > 1:
        result.modes.append(run_mode(items, copies, jobs))
    if by_format:
        result.format_rates = format_rates(items, copies)
        first: dict[str, Path] = {}
        for f in files:
            if f.name in {n for n, _ in items}:
                first.setdefault(_format(f.name), f)
        result.startup = {fmt: process_seconds(f, runs) for fmt, f in sorted(first.items())}
    return result
