"""A .doc converted by LibreOffice makes no request, leaves no file and no process
behind, also when the deadline kills the conversion."""

from __future__ import annotations

import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import hostile_inputs as H
import pytest

from extractor.errors import InputError
from extractor.load import load

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui); .doc conversion untested",
)


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 and the paths requested from it."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()


def _ours(before: set[Path]) -> tuple[set[Path], bool]:
    """Conversion folders made since ``before``, and whether a LibreOffice runs in one."""
    base = Path(tempfile.gettempdir())
    made = {p for d in base.glob("nianbao-office-*") for p in d.iterdir()} - before
    running = False
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        running |= "soffice" in args and "nianbao-office-" in args and not any(str(p) in args for p in before)
    return made, running


def test_doc_with_linked_picture_makes_no_request(
    tmp_path: Path, listener: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = listener
    before, _ = _ours(set())
    doc = H.doc_linked_picture(tmp_path, url)
    seen.clear()  # what converting it to .doc fetched is not ours
    monkeypatch.setenv("NIANBAO_TIMEOUT", "90")
    assert "以下是链接的图片" in load(doc).text
    assert seen == []
    assert _ours(before) == (set(), False)
    monkeypatch.setenv("NIANBAO_TIMEOUT", "0.5")  # killed while LibreOffice starts
    with pytest.raises(InputError, match=r"gave up after 0\.5 s converting it with LibreOffice"):
        load(doc)
    assert _ours(before) == (set(), False)
