"""Scan-like copies of rendered reports: PDF pages rasterised at a resolution,
optionally turned a little (a sheet fed askew) and JPEG-compressed with grain
(a cheap scanner), saved as an image-only PDF or as pictures.

``write_scans`` writes a labelled folder (reports/ + gold/) of them for
``nianbao eval`` and ``score.py``::

    python tests/make_scans.py OUT_DIR [GOLD.json ...]
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Scan:
    """How a page is scanned: resolution, degrees turned, JPEG quality (None: lossless, no grain)."""

    dpi: int
    angle: float = 0.0
    jpeg: int | None = None


VARIANTS = {
    "150": Scan(150),
    "200": Scan(200),
    "150-tilt": Scan(150, 0.8),
    "150-jpeg": Scan(150, 0.0, 60),
    "200-tilt-jpeg": Scan(200, -0.6, 70),
}


def scan_pages(pdf: Path, scan: Scan) -> list[Any]:
    """The pages of ``pdf`` as scanned images (PIL, RGB)."""
    import pypdfium2 as pdfium
    from PIL import Image

    doc = pdfium.PdfDocument(str(pdf))
    rng = random.Random(pdf.name)
    pages = []
    for i in range(len(doc)):
        img = doc[i].render(scale=scan.dpi / 72).to_pil().convert("RGB")
        if scan.angle:
            img = img.rotate(scan.angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
        if scan.jpeg is not None:
            img = _grain(img, rng)
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=scan.jpeg)
            img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        pages.append(img)
    doc.close()
    return pages


def _grain(img: Any, rng: random.Random) -> Any:
    """Paper grain: a little Gaussian noise on every pixel."""
    import numpy as np
    from PIL import Image

    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, 8, (img.height, img.width, 1))
    return Image.fromarray(np.clip(np.asarray(img, dtype=np.float32) + noise, 0, 255).astype(np.uint8))


def save(pages: list[Any], path: Path, dpi: int) -> Path:
    """Pages as an image-only PDF (``.pdf``), a multi-page TIFF (``.tif``), or one picture
    of the first page (``.png``/``.jpg``)."""
    if path.suffix == ".pdf" or path.suffix == ".tif":
        pages[0].save(path, save_all=True, append_images=pages[1:], resolution=dpi, dpi=(dpi, dpi))
    else:
        pages[0].save(path, dpi=(dpi, dpi))
    return path


def turn(pdf: Path, out: Path, quarter_turns: int, dpi: int = 150) -> Path:
    """An image-only PDF of ``pdf`` with every page turned by quarter turns (counter-clockwise)."""
    from PIL import Image

    turns = {1: Image.Transpose.ROTATE_90, 2: Image.Transpose.ROTATE_180, 3: Image.Transpose.ROTATE_270}
    pages = [p.transpose(turns[quarter_turns]) for p in scan_pages(pdf, Scan(dpi))]
    return save(pages, out, dpi)


def write_scans(out: Path, golds: list[Path], variants: list[str] | None = None) -> int:
    """Every gold rendered in every PDF layout, scanned in every variant, as image-only
    PDFs in ``out/reports`` with their golds (claims dropped: no narrative) in ``out/gold``."""
    from make_documents import PDF_LAYOUTS, render_pdf

    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "gold").mkdir(parents=True, exist_ok=True)
    work = out / "rendered"
    work.mkdir(exist_ok=True)
    count = 0
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        label = json.dumps({**gold, "claims": []}, ensure_ascii=False, indent=2)
        for layout in PDF_LAYOUTS:
            pdf = render_pdf(gold, work / f"{path.stem}-{layout}.pdf", layout)
            for name in variants or list(VARIANTS):
                scan = VARIANTS[name]
                stem = f"{path.stem}-{layout}-scan{name}"
                save(scan_pages(pdf, scan), out / "reports" / f"{stem}.pdf", scan.dpi)
                (out / "gold" / f"{stem}.json").write_text(label, encoding="utf-8")
                count += 1
    return count


if __name__ == "__main__":
    import sys

    if len(sys.argv) < 2:
        sys.exit("usage: python tests/make_scans.py OUT_DIR [GOLD.json ...]")
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here))
    chosen = [Path(p) for p in sys.argv[2:]] or sorted((here.parent / "eval" / "fixtures" / "gold").glob("*.json"))
    print(f"wrote {write_scans(Path(sys.argv[1]), chosen)} scanned reports to {sys.argv[1]}")
