"""The export formats, apart from the exporter so the command line can name them
without importing the database layer (an optional extra)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"
    parquet = "parquet"


#: Formats that can go to stdout.
TEXT_FORMATS = frozenset({Format.csv, Format.jsonl})
