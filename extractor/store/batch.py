"""``nianbao batch``: many reports into the store, in parallel, resumable.

The parent process walks the paths, registers every file by content hash, claims
documents from the store a few at a time (:mod:`.work`) and hands them to worker
processes; each worker runs the pipeline and turns its result into rows
(:mod:`.records`); the parent writes each document's rows in one transaction as it
comes back, and only then reports it done. A document already extracted under
the same key is skipped, a failed one is recorded with its error, and at the end
the cross-year checks run over the agencies of the run's documents.
"""

from __future__ import annotations

import glob
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..llm.settings import LLMSettings
from ..load import HTML_SUFFIXES, MAX_BYTES, TEXT_SUFFIXES
from .api import Store
from .crossyear import check_across_years
from .work import ExtractionKey, FileInfo, agencies_of, claim, enqueue, fail, finish, me, release_dead_claims
from .worker import Outcome, run_one

#: Suffixes a folder walk picks up (a file named on the command line is always taken).
REPORT_SUFFIXES = frozenset(TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx", ".doc", ".wps"})
_GLOB_CHARS = frozenset("*?[")
_WINDOW = 256


def find_files(args: Sequence[str]) -> list[Path]:
    """The report files that ``args`` (files, folders walked recursively, globs) name, each once,
    in the order given (a folder's files sorted). A path that names nothing is bad input."""
    out: dict[Path, None] = {}

    def walk(p: Path) -> Iterator[Path]:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                parts = f.relative_to(p).parts
                if f.is_file() and f.suffix.lower() in REPORT_SUFFIXES and not any(x.startswith(".") for x in parts):
                    yield f
        else:
            yield p

    for arg in args:
        if _GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise InputError("matches no file", path=arg)
            paths = [Path(m) for m in matches]
        elif not Path(arg).exists():
            raise InputError("no such file or folder", path=arg)
        else:
            paths = [Path(arg)]
        for p in paths:
            for f in walk(p):
                out.setdefault(f, None)
    return list(out)


@dataclass
class BatchSummary:
    """What a run did; ``by_agency_year`` counts (documents done, error findings) per agency and year."""

    files: int = 0
    duplicates: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    elsewhere: int = 0
    unreadable: int = 0
    error_findings: int = 0
    crossyear_errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    #: Wall-clock seconds from the first claim to the last document stored (start-up and walk excluded).
    seconds: float = 0.0
    by_agency_year: dict[tuple[str, int | None], list[int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Documents done or failed per second of :attr:`seconds`."""
        return (self.done + self.failed) / self.seconds if self.seconds > 0 else 0.0

    def cost(self, price_in: float | None, price_out: float | None) -> float | None:
        """Estimated cost from prices per million prompt / completion tokens (None without prices)."""
        if price_in is None and price_out is None:
            return None
        return (self.prompt_tokens * (price_in or 0.0) + self.completion_tokens * (price_out or 0.0)) / 1e6


class Batch:
    """One ``nianbao batch`` run over a store."""

    def __init__(
        self,
        store: Store,
        *,
        backend: str = "parser",
        jobs: int = 1,
        llm: LLMSettings | None = None,
        on_total: Callable[[int], None] = lambda n: None,
        on_outcome: Callable[[Outcome], None] = lambda o: None,
    ) -> None:
        self.store, self.backend, self.jobs, self.llm = store, backend, max(1, jobs), llm
        self.key = ExtractionKey.current(backend)
        self.on_total, self.on_outcome = on_total, on_outcome
        self.summary = BatchSummary()
        self.claimer = me()

    def run(self, paths: Sequence[str]) -> BatchSummary:
        files = find_files(paths)
        engine = self.store.engine
        release_dead_claims(engine)
        queue = enqueue(engine, self._registered(files), self.key)
        todo = sorted(i for i, status in queue.values() if status != "done")
        self.summary.skipped = len(queue) - len(todo)
        self.on_total(len(todo))
        started = time.perf_counter()
        if self.jobs == 1 and self.llm is None:
            self._in_process(todo)
        elif todo:
            self._in_pool(todo)
        self.summary.seconds = round(time.perf_counter() - started, 3)
        self.summary.elsewhere = len(todo) - self.summary.done - self.summary.failed
        agencies = agencies_of(engine, [i for i, _ in queue.values()])
        if agencies:
            self.summary.crossyear_errors = check_across_years(engine, self.key, agencies)
        return self.summary

    def _registered(self, files: list[Path]) -> Iterator[FileInfo]:
        seen: set[str] = set()
        for f in files:
            self.summary.files += 1
            try:
                if f.stat().st_size > MAX_BYTES:
                    raise InputError(f"file too large ({f.stat().st_size} bytes)", path=str(f))
                info = FileInfo.of_file(f)
            except (OSError, InputError) as e:
                self.summary.unreadable += 1
                self.summary.failures.append(str(e) if isinstance(e, InputError) else f"{f}: cannot read: {e}")
                continue
            if info.sha256 in seen:
                self.summary.duplicates += 1
                continue
            seen.add(info.sha256)
            yield info

    def _claims(self, todo: list[int], n: int) -> Iterator[list[tuple[int, str, str]]]:
        """Claimed documents, a few at a time, walking the run's list window by window."""
        pos = 0
        while pos < len(todo):
            got = claim(self.store.engine, todo[pos : pos + _WINDOW], n, self.claimer)
            if got:
                yield got
            else:
                pos += _WINDOW

    def _in_process(self, todo: list[int]) -> None:
        for got in self._claims(todo, 8):
            for ext_id, path, sha in got:
                self._store(run_one(ext_id, path, sha, self.backend, self.llm))

    def _in_pool(self, todo: list[int]) -> None:
        # spawn, not fork: workers start clean (the PDF reader's helper process cannot be forked).
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        inflight: dict[Future[Outcome], tuple[int, str]] = {}
        claims = self._claims(todo, self.jobs)
        ready: list[tuple[int, str, str]] = []
        try:
            while True:
                while len(inflight) < 2 * self.jobs:
                    if not ready:
                        ready = next(claims, [])
                        if not ready:
                            break
                    ext_id, path, sha = ready.pop(0)
                    inflight[pool.submit(run_one, ext_id, path, sha, self.backend, self.llm)] = (ext_id, path)
                if not inflight:
                    break
                finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for fut in finished:
                    ext_id, path = inflight.pop(fut)
                    try:
                        outcome = fut.result()
                    except BrokenProcessPool:
                        outcome = Outcome(ext_id, path, error=f"{path}: the worker process died reading it")
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
                    self._store(outcome)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _store(self, outcome: Outcome) -> None:
        engine, s = self.store.engine, self.summary
        if outcome.record is None:
            if fail(engine, outcome.extraction_id, outcome.error or "failed", self.claimer):
                s.failed += 1
                s.failures.append(outcome.error or outcome.path)
        elif finish(engine, outcome.extraction_id, outcome.record, self.claimer):
            s.done += 1
            cols = outcome.record.columns
            errors = sum(f["severity"] == "error" for f in outcome.record.findings)
            s.error_findings += errors
            tally = s.by_agency_year.setdefault((cols["agency"] or "?", cols["year"]), [0, 0])
            tally[0] += 1
            tally[1] += errors
            s.prompt_tokens += cols["prompt_tokens"] or 0
            s.completion_tokens += cols["completion_tokens"] or 0
        self.on_outcome(outcome)
