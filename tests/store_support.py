"""A throwaway PostgreSQL server for the store tests, and report folders for batches.

The server is Debian's ``postgresql`` (``scripts/setup-system`` installs it): a
cluster made with ``initdb`` in a temporary folder, listening on 127.0.0.1 only,
run as the ``postgres`` user when the tests run as root (PostgreSQL refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import FIXTURES


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise RuntimeError("PostgreSQL is not installed: run scripts/setup-system (as root)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running cluster; yields the URL of its ``postgres`` database."""
    bin_dir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres", "postgres")
    port = _free_port()
    data, log = root / "data", root / "log"

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    try:
        pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
           "--locale=C", "--no-sync")
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
           f"-h 127.0.0.1 -p {port} -k {root} -F -c fsync=off -c max_connections=50", "start")
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(server: str) -> str:
    """A new empty database on ``server``; returns its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def text_reports() -> list[Path]:
    """The labelled fixtures in text formats (fast to extract)."""
    return sorted(p for p in (FIXTURES / "reports").iterdir() if p.suffix in {".txt", ".md", ".html"})


def _utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def copies(out: Path, n: int) -> list[Path]:
    """``n`` distinct files (a copy number appended as a last line) cycling over the text fixtures."""
    out.mkdir(parents=True, exist_ok=True)
    sources = [p for p in text_reports() if _utf8(p)]
    made = []
    for i in range(n):
        src = sources[i % len(sources)]
        dst = out / f"{src.stem}-copy{i:05d}{src.suffix}"
        dst.write_bytes(src.read_bytes() + f"\n\n（副本 {i}）\n".encode())
        made.append(dst)
    return made
