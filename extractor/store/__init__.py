"""The results store: many reports' extractions, findings and review decisions in one
database (SQLite by default, PostgreSQL for a team), and what works through it.

It sits above the pipeline (it runs it) beside ``evaluate``; only the faces
(``cli``, ``service``) import it.

    schema     the tables (named for people: documents, extractions, findings, reviews, source_files)
    db         where the store is (``--db``, ``NIANBAO_DB``), opening it, Alembic migrations
    api        :class:`Store`: list and read reports and findings, record reviews, add a result, keep an upload
    records    a pipeline result as rows (computed in the worker process)
    work       the store as a work queue: register, claim (``SKIP LOCKED``), finish, fail
    batch      ``nianbao batch``: walk paths, extract in worker processes, summarise
    worker     what a worker process runs: one document → rows (no database code)
    crossyear  the verifier's cross-year checks over the stored reports
    export     reports and findings as csv, xlsx, jsonl or parquet (``formats`` names them)

Import from the modules (``from extractor.store.api import Store``): this package
imports no database driver, so the commands load without the ``store`` extra.
"""
