"""Text recognition with RapidOCR (PP-OCR detection and recognition models on
onnxruntime, Apache-2.0), entirely offline.

The models are the ones inside the ``rapidocr`` wheel, named by path, so the
engine never fetches anything at run time. One engine per process (loading
the models takes a fraction of a second). Results can be kept on disk by
image hash (``NIANBAO_OCR_CACHE``, a directory): recognising a page costs
seconds, looking it up microseconds.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

from ..record import record

#: The model files shipped in the rapidocr wheel (rapidocr/models/).
MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}
#: Detection works on the page shrunk to this longest side (pixels); recognition
#: reads each text line from the full image.
DETECT_SIDE = 1280
#: Detection keeps boxes scored at least this (RapidOCR's default 0.5 loses lone small digits).
BOX_THRESHOLD = 0.3
#: Part of every cache key: a change of engine or settings recognises afresh.
VERSION = f"rapidocr-3/PP-OCRv6-small/{DETECT_SIDE}/{BOX_THRESHOLD}"


@record
class Glyph:
    """A character (or a run the recogniser boxed together) and its score, x in pixels."""

    text: str
    score: float
    x0: float
    x1: float


@record
class TextBox:
    """One detected line of text: what it says, its score, its box in pixels, its glyphs."""

    text: str
    score: float
    x0: float
    top: float
    x1: float
    bottom: float
    glyphs: tuple[Glyph, ...]


@functools.cache
def installed() -> bool:
    """Whether the ``ocr`` extra is installed and loads (asked only when a scan is met)."""
    try:
        import cv2  # noqa: F401
        import onnxruntime  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
        import rapidocr  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _engine() -> Any:
    import rapidocr  # type: ignore[import-untyped,unused-ignore]

    models = Path(rapidocr.__file__).parent / "models"
    params: dict[str, Any] = {k: str(models / name) for k, name in MODELS.items()}
    params.update(
        {
            "Global.log_level": "critical",
            "Global.text_score": 0.0,  # keep every reading: low scores are reported, not dropped
            "Global.use_cls": False,  # page orientation is decided for the whole page (see .ocr)
            "Global.max_side_len": 4000,
            "Det.limit_type": "max",
            "Det.limit_side_len": DETECT_SIDE,
            "Det.box_thresh": BOX_THRESHOLD,
        }
    )
    return rapidocr.RapidOCR(params=params)


def recognise(rgb: Any) -> list[TextBox]:
    """The text lines on an RGB page image (cached by image hash when a cache is set)."""
    where = os.environ.get("NIANBAO_OCR_CACHE")
    if not where:
        return _recognise(rgb)
    import diskcache  # type: ignore[import-untyped]

    key = hashlib.sha256(f"{VERSION}|{rgb.shape}".encode() + rgb.tobytes()).hexdigest()
    with diskcache.Cache(where) as cache:
        hit = cache.get(key)
        if hit is not None:
            return list(hit)
        found = _recognise(rgb)
        cache.set(key, tuple(found))
        return found


def _recognise(rgb: Any) -> list[TextBox]:
    out = _engine()(rgb, return_word_box=True)
    if out.boxes is None or out.txts is None:
        return []
    found: list[TextBox] = []
    for quad, text, score, words in zip(out.boxes, out.txts, out.scores, out.word_results, strict=True):
        xs = [float(p[0]) for p in quad]
        ys = [float(p[1]) for p in quad]
        glyphs = tuple(
            Glyph(w_text, float(w_score), min(p[0] for p in w_quad), max(p[0] for p in w_quad))
            for w_text, w_score, w_quad in words
            if w_text.strip()
        )
        found.append(TextBox(text, float(score), min(xs), min(ys), max(xs), max(ys), glyphs))
    return found
