"""Evaluation: score any backend against hand-labelled fixtures, and time the stages.

It sits above the pipeline (it runs it) and below the faces; nothing below
imports it.

    scoring  score.py's rules: leaves, claims, findings, false alarms, mutations
    harness  a backend run over a fixtures folder, with gates
    report   the per-cell HTML/Markdown diff of a run
    bench    reports/s and memory per stage
"""
