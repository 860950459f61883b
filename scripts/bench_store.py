"""Measure ``nianbao batch`` into a fresh SQLite store (not a test: figures for the README).

    .venv/bin/python scripts/bench_store.py [--text 1000] [--pdf 200] [--memory 10000] [--jobs 1,2]

Makes distinct copies of the labelled fixtures (a copy number appended, so every
file has its own content hash): text reports (.txt/.md/.html, UTF-8) and PDF reports
(bytes appended after ``%%EOF``). For each corpus and each ``--jobs`` it runs the real
command in a subprocess on a new store and reports reports/s (wall clock of the whole
command, start-up included, and the rate the batch reports itself, from its first claim
to its last document stored), then store bytes per report. It also runs ``nianbao bench``
(the pipeline alone, no store) on the same machine for comparison. The memory run
samples the resident memory of the batch process and its workers from /proc while it
works through ``--memory`` text reports, and prints the peak of each tenth of the run,
so growth with the count shows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "eval" / "fixtures" / "reports"
NIANBAO = [sys.executable, "-m", "extractor"]


def _utf8(p: Path) -> bool:
    try:
        p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def text_sources() -> list[Path]:
    return sorted(p for p in REPORTS.iterdir() if p.suffix in {".txt", ".md", ".html"} and _utf8(p))


def make_copies(out: Path, n: int, kind: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(REPORTS.glob("*.pdf")) if kind == "pdf" else text_sources()
    for i in range(n):
        src = sources[i % len(sources)]
        tail = f"\n% copy {i}\n" if kind == "pdf" else f"\n\n(copy {i})\n"
        (out / f"{src.stem}-{i:05d}{src.suffix}").write_bytes(src.read_bytes() + tail.encode())


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants (KiB), from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def run_batch(folder: Path, db: Path, jobs: int, sample: bool = False) -> dict[str, object]:
    cmd = [*NIANBAO, "batch", str(folder), "--db", str(db), "--jobs", str(jobs), "--json", "-q"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    while sample and proc.poll() is None:
        samples.append((time.perf_counter() - t0, _tree_rss_kib(proc.pid)))
        time.sleep(0.25)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"batch failed: {err}")
    summary = json.loads(out)
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    result: dict[str, object] = {"jobs": jobs, "done": summary["done"], "failed": summary["failed"],
                                 "seconds": round(wall, 2), "reports_per_s": round(summary["done"] / wall, 1),
                                 "steady_reports_per_s": summary["reports_per_second"],
                                 "store_bytes_per_report": round(size / max(1, summary["done"]))}
    if samples:
        tenth = wall / 10
        result["peak_rss_mib_per_tenth"] = [
            round(max((kib for t, kib in samples if i * tenth <= t < (i + 1) * tenth), default=0) / 1024)
            for i in range(10)
        ]
    return result


def pipeline_rate(folder: Path, jobs: int) -> float:
    """``nianbao bench``'s end-to-end rate (no store) over the text reports the copies are made of."""
    folder.mkdir(exist_ok=True)
    for src in text_sources():
        (folder / src.name).write_bytes(src.read_bytes())
    run = subprocess.run([*NIANBAO, "bench", str(folder), "--seconds", "5", "--jobs", str(jobs), "--json"],
                         capture_output=True, text=True, check=True)
    modes = json.loads(run.stdout)["modes"]
    return float(modes[-1]["reports_per_second"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text", type=int, default=1000)
    ap.add_argument("--pdf", type=int, default=200)
    ap.add_argument("--memory", type=int, default=10000)
    ap.add_argument("--jobs", default="1,2")
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        root = Path(tmp)
        for kind, n in (("text", args.text), ("pdf", args.pdf)):
            if not n:
                continue
            make_copies(root / kind, n, kind)
            for j in jobs:
                db = root / f"{kind}-{j}.db"
                print(json.dumps({"corpus": f"{n} {kind} reports", **run_batch(root / kind, db, j)}), flush=True)
        if args.text:
            for j in jobs:
                print(json.dumps({"nianbao bench (no store), the text fixtures, jobs": j,
                                  "reports_per_s": round(pipeline_rate(root / "bench", j), 1)}), flush=True)
        if args.memory:
            make_copies(root / "memory", args.memory, "text")
            result = run_batch(root / "memory", root / "memory.db", max(jobs), sample=True)
            print(json.dumps({"corpus": f"{args.memory} text reports (memory)", **result}), flush=True)
    os.sync()


if __name__ == "__main__":
    main()
