"""Read old binary Word (.doc) and WPS (.wps) reports by converting them with LibreOffice.

No Python library reads these formats well; LibreOffice does. When ``soffice``
is on the PATH the file is converted to .docx and read by the .docx loader.

A report is untrusted, and LibreOffice follows what a document names: linked
pictures (``INCLUDEPICTURE``), linked text, OLE links. So the conversion:

- runs in a folder of its own that is its profile (``-env:UserInstallation``),
  ``HOME`` and ``TMPDIR``, removed afterwards; a folder left by a killed run is
  removed by the next conversion;
- has no network: in a network namespace of its own where ``unshare -rn`` works,
  and in any case with every proxy pointing at a closed local port and a profile
  that never updates links or fields;
- runs ``soffice.bin`` itself (not its launcher) under ``PR_SET_PDEATHSIG``, so
  it dies with the worker that started it, and is killed, with its process group,
  at the deadline left to the document.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ..document import Document
from ..errors import InputError, UnsupportedFormat
from . import isolate
from .docx import load_docx
from .isolate import process_alive

#: No proxy listens here: any request LibreOffice still makes fails at once.
_NOWHERE = "127.0.0.1:9"
_SETTINGS = {
    # (registry path, property, value)
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "2"),  # never update links
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "2"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableActiveContent", "true"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "false"),
    ("/org.openoffice.Office.Common/Misc", "FirstRun", "false"),
    ("/org.openoffice.Office.Java/VirtualMachine", "Enable", "false"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "1"),  # manual proxies, below
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "127.0.0.1"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "127.0.0.1"),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyName", "127.0.0.1"),
    ("/org.openoffice.Inet/Settings", "ooInetFTPProxyPort", "9"),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", ""),
}
#: Address space LibreOffice may map (it maps far more than it touches).
_SOFFICE_MEMORY = 8 << 30


def soffice() -> str | None:
    """The LibreOffice executable, if installed: ``soffice.bin`` beside the launcher when present."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    real = Path(exe).resolve().with_name("soffice.bin")
    return str(real) if real.is_file() and os.access(real, os.X_OK) else exe


@functools.cache
def _netns() -> list[str]:
    """``unshare -rn`` (a network namespace with no interface up) where it works here."""
    tool = shutil.which("unshare")
    if tool is None or not sys.platform.startswith("linux"):
        return []
    try:
        ok = subprocess.run([tool, "-rn", "true"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return [tool, "-rn"] if ok else []


def _profile(root: Path) -> str:
    """A fresh LibreOffice user installation under ``root`` with the settings above."""
    user = root / "profile" / "user"
    user.mkdir(parents=True)
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
        for path, name, value in sorted(_SETTINGS)
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + items
        + "</oor:items>\n",
        encoding="utf-8",
    )
    return (root / "profile").as_uri()


def _base() -> Path | None:
    """This user's folder of conversion folders, or None when it is not safely ours."""
    base = Path(tempfile.gettempdir()) / f"nianbao-office-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        base.mkdir(mode=0o700)
    st = base.lstat()
    return base if base.is_dir() and not base.is_symlink() and st.st_uid == os.getuid() else None


@contextlib.contextmanager
def _workdir() -> Iterator[Path]:
    """A folder for one conversion, removed afterwards; folders of dead processes go too."""
    base = _base()
    if base is not None:
        for old in base.iterdir():
            pid = old.name.split("-", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _confine() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Die with the process that started the conversion; a memory cap of LibreOffice's own."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _SOFFICE_MEMORY if hard == resource.RLIM_INFINITY else min(_SOFFICE_MEMORY, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


#: The exit code with which soffice.bin asks its launcher to start it again.
_RESTART = 81


def _convert(cmd: list[str], tmp: Path, env: dict[str, str], end: float, source: str) -> int:
    """One run of LibreOffice; its exit code. Killed, with its process group, at ``end``."""
    # A session of its own, so a timeout kills LibreOffice's helper processes too.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp,
        env=env,
        start_new_session=True,
        preexec_fn=_confine,
    )
    try:
        return proc.wait(max(0.0, end - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise InputError(
            f"gave up after {isolate.timeout_seconds():g} s converting it with LibreOffice", path=source
        ) from None
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # anything it left running
        proc.wait()


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
    limit = isolate.remaining() if timeout is None else timeout
    with _workdir() as tmp:
        src = tmp / f"report{suffix}"
        src.write_bytes(data)
        cmd = [
            *_netns(),
            exe,
            f"-env:UserInstallation={_profile(tmp)}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "docx",
            "--outdir",
            str(tmp),
            str(src),
        ]
        env = {
            **os.environ,
            "HOME": str(tmp),
            "TMPDIR": str(tmp),
            **{k: f"http://{_NOWHERE}" for k in ("http_proxy", "https_proxy", "ftp_proxy", "HTTPS_PROXY")},
            "no_proxy": "",
            "NO_PROXY": "",
        }
        end = time.monotonic() + limit
        # soffice.bin exits with 81 after creating a fresh profile, asking to be started again.
        while _convert(cmd, tmp, env, end, source) == _RESTART:
            pass
        out = src.with_suffix(".docx")
        if not out.is_file():
            raise InputError(
                f"LibreOffice could not convert it (corrupt, encrypted or not a {suffix} file)", path=source
            )
        doc = load_docx(out.read_bytes(), source, timeout=limit)
    doc.format = suffix.lstrip(".")
    return doc
