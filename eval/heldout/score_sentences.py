"""Score a held-out narrative sentence set with the harness of tests/claims_sentences.py.

    .venv/bin/python eval/heldout/score_sentences.py eval/heldout/claims-2026-11-29.yaml

Each sentence is put, by the harness, into a report of its template whose tables bear
its gold claims out (zeros where it claims nothing) and read end to end. Per case:
gold claims found / expected, the quotes missed, and the error-level CLAIM findings
(a claim gold does not make, contradicted by the tables). The extractor's own code is
not imported here beyond what the harness imports.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import claims_sentences as cs  # noqa: E402


def main(path: str) -> int:
    # point the harness at this set instead of tests/data/claims_sentences.yaml
    cs.SENTENCES = Path(path).resolve()
    cs.cases.cache_clear()
    cs._read.cache_clear()
    found_total = expected_total = right = with_error = 0
    for case in cs.cases():
        gold, result = cs.read_case(case)
        n, missed = cs.found(gold, result)
        errors = cs.claim_errors(result)
        expected = len(case["claims"])
        found_total += n
        expected_total += expected
        ok = n == expected and not errors
        right += ok
        with_error += bool(errors)
        print(f"{case['id']:8} {case['template']} {case['class']:10} {n}/{expected} {'ok' if ok else 'FAIL'}")
        for q in missed:
            print(f"    missed: {q}")
        for e in errors:
            print(f"    error:  {e}")
    n_cases = len(cs.cases())
    pct = 100 * found_total / expected_total if expected_total else 100.0
    print()
    print(f"claims recall {found_total}/{expected_total} = {pct:.1f}%")
    print(f"sentences fully right {right}/{n_cases}")
    print(f"sentences with a false error {with_error}/{n_cases}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
