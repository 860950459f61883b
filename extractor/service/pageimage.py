"""Pages of a PDF source rendered on the server (pypdfium2), so a reviewer sees the
printed cell, not only the text layer read from it. Rendering runs in the loaders'
worker process with their deadline: a hostile PDF cannot hang the service."""

from __future__ import annotations

import io
from functools import lru_cache

from ..load import isolate

#: Pixels per PDF point of a rendered page (1.5 ≈ 108 dpi: cells legible, ~150 KiB a page).
SCALE = 1.5


def _sizes(data: bytes) -> list[tuple[float, float]]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = pdfium.PdfDocument(data)
    try:
        return [tuple(pdf[i].get_size()) for i in range(len(pdf))]
    finally:
        pdf.close()


def _png(data: bytes, number: int, scale: float) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[number - 1].render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        pdf.close()


@lru_cache(maxsize=16)
def page_sizes(data: bytes, source: str) -> list[tuple[float, float]]:
    """Width and height (points) of every page; an InputError naming ``source`` if unreadable."""
    return isolate.run(_sizes, data, source=source)


@lru_cache(maxsize=32)
def page_png(data: bytes, source: str, number: int) -> bytes:
    """Page ``number`` (1-based) as PNG bytes."""
    return isolate.run(_png, data, number, SCALE, source=source)
