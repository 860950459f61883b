"""Page images before and around recognition: straighten a slightly skewed scan,
turn a page by quarter turns, and find the ruling lines of its tables.

Pure image geometry with numpy and OpenCV (both come with the ``ocr`` extra);
no recognition here. Ruling lines come out as the same :class:`Seg` the PDF
reader gets from drawn paths, so a scanned table is cut into cells by the same
code (:mod:`.pdf_grid`).
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from .pdf_model import Seg

#: A page image: height × width × 3 (RGB), uint8.
Image = Any
#: Skew (degrees, either way) looked for when straightening a scan.
MAX_SKEW = 3.0
#: Side (pixels) the page is shrunk to for measuring its skew.
PROBE = 800


def gray(rgb: Image) -> Any:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def _ink(g: Any) -> Any:
    """Dark marks as 255 on 0, robust to uneven paper (a local threshold)."""
    return cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)


def skew(rgb: Image) -> float:
    """The rotation (degrees, counter-clockwise) that levels the page's lines: the one
    whose profile of ink per row is sharpest, as text lines and rules then fall on rows."""
    g = gray(rgb)
    h, w = g.shape
    f = min(1.0, PROBE / max(h, w))
    small = cv2.resize(g, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    ink = _ink(small)
    sh, sw = ink.shape
    if not ink.any():
        return 0.0

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D((sw / 2, sh / 2), angle, 1.0)
        turned = cv2.warpAffine(ink, m, (sw, sh), flags=cv2.INTER_NEAREST, borderValue=0)
        rows = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    return float(max(np.arange(coarse - 0.2, coarse + 0.2 + 1e-9, 0.05), key=sharpness))


def rotate(rgb: Image, angle: float) -> Image:
    """The page turned by ``angle`` degrees counter-clockwise about its centre, paper-white behind."""
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


def quarter_turns(rgb: Image, k: int) -> Image:
    """The page turned ``k`` quarter turns counter-clockwise."""
    return np.ascontiguousarray(np.rot90(rgb, k))


def rules(rgb: Image, text_height: float, scale: float) -> list[Seg]:
    """The ruling lines of the page, in points (pixels / ``scale``).

    A rule is a straight run of ink longer than any stroke of a character:
    horizontal runs of twice the text height, vertical runs of one text height
    (a table row is at least as tall as the text in it). Thick blocks are not rules.
    """
    ink = _ink(gray(rgb))
    out: list[Seg] = []
    thick = max(3.0, text_height / 3)
    for horizontal in (True, False):
        length = max(8, int(text_height * (2.0 if horizontal else 1.0)))
        bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 1) if horizontal else (1, 5))
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        lines = cv2.morphologyEx(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, bridge), cv2.MORPH_OPEN, kernel)
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for x, y, w, h, _area in stats[1:count]:
            along, across = (w, h) if horizontal else (h, w)
            if along < length or across > thick:
                continue
            if horizontal:
                out.append(Seg(True, (y + h / 2) / scale, x / scale, (x + w) / scale))
            else:
                out.append(Seg(False, (x + w / 2) / scale, y / scale, (y + h) / scale))
    return out
