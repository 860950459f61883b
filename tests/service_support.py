"""A live review service for browser tests and the docs screenshot: the real app under
uvicorn in a thread, on a free loopback port, over a store in a temporary file."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn

from extractor.service.app import create_app
from extractor.service.settings import ServiceSettings

#: Debian's chromium (scripts/setup installs it); Playwright is only the driver.
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def live_service(db: Path) -> Iterator[str]:
    """The service's base URL while the block runs."""
    app = create_app(ServiceSettings(db=str(db)))
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=free_port(), log_level="warning", timeout_graceful_shutdown=1
    ))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        app.state.store.close()


def upload(base: str, report: Path) -> int:
    """Extract ``report`` through ``POST /v1/extract``; the stored report's id."""
    r = httpx.post(f"{base}/v1/extract", files={"file": (report.name, report.read_bytes())}, timeout=60)
    r.raise_for_status()
    report_id: int = r.json()["id"]
    return report_id
