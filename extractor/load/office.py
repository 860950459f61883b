"""Read old binary Word (.doc) and WPS (.wps) reports by converting them with LibreOffice.

No Python library reads these formats well; LibreOffice does. When ``soffice``
is on the PATH the file is converted to .docx in a private temporary
directory (with its own LibreOffice profile, so a desktop instance the user
has open does not swallow the call) under the per-document deadline, and
read by the .docx loader. Without LibreOffice the error says which
conversion to do.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..document import Document
from ..errors import InputError, UnsupportedFormat
from . import isolate
from .docx import load_docx


def soffice() -> str | None:
    """The LibreOffice executable, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def load_office(data: bytes, source: str, *, timeout: float | None = None) -> Document:
    """A Document from the bytes of a .doc or .wps file, through LibreOffice."""
    suffix = Path(source).suffix.lower() or ".doc"
    exe = soffice()
    if exe is None:
        raise UnsupportedFormat(
            f"reading {suffix} files needs LibreOffice; convert it first "
            f"(soffice --headless --convert-to docx {Path(source).name}) or save it as .docx from Word/WPS",
            path=source,
        )
    limit = isolate.timeout_seconds() if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="nianbao-") as tmp:
        src = Path(tmp) / f"report{suffix}"
        src.write_bytes(data)
        cmd = [
            exe,
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "docx",
            "--outdir",
            tmp,
            str(src),
        ]
        # A session of its own, so a timeout kills LibreOffice's helper processes too.
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise InputError(f"gave up after {limit:g} s converting it with LibreOffice", path=source) from None
        out = src.with_suffix(".docx")
        if not out.is_file():
            raise InputError(
                f"LibreOffice could not convert it (corrupt, encrypted or not a {suffix} file)", path=source
            )
        doc = load_docx(out.read_bytes(), source, timeout=limit)
    doc.format = suffix.lstrip(".")
    return doc
