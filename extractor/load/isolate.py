"""Run a loader in a worker process with a deadline.

PDF engines are C code fed with untrusted bytes: a hostile or broken file can
loop, or crash the process. The work therefore runs in one long-lived worker
process (forked once, reused for every document, so it costs no start-up per
file); when a document takes longer than its deadline or kills the worker, the
worker is replaced and the caller gets an :class:`InputError` naming the file.
Where no worker can be started (inside a daemonic pool worker) the work runs
in a daemon thread with the same deadline instead.

Long reads (OCR, seconds a page) report :func:`progress`; each report reaches
the listener the command line installs (:func:`listening`) and starts the
deadline afresh, so the deadline bounds every step (a page), not the document.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ..errors import InputError, NianbaoError

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0


def timeout_seconds() -> float:
    """The per-document deadline: ``NIANBAO_TIMEOUT`` seconds, default 30."""
    try:
        return max(0.1, float(os.environ.get("NIANBAO_TIMEOUT", DEFAULT_TIMEOUT)))
    except ValueError:
        return DEFAULT_TIMEOUT


#: In the worker process: sends a progress message to the parent.
_report: Callable[[str], None] | None = None
#: In the parent: who hears progress messages (the command line).
_listener: Callable[[str], None] | None = None
#: Progress messages heard in thread mode, so the deadline can restart on each.
_beats = 0


def progress(message: str) -> None:
    """Report how a long read goes (``"OCR page 2/6: 3.1 s"``); restarts the deadline."""
    global _beats
    if _report is not None:
        _report(message)
        return
    _beats += 1
    if _listener is not None:
        _listener(message)


@contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Pass progress messages to ``listener`` while the block runs."""
    global _listener
    before, _listener = _listener, listener
    try:
        yield
    finally:
        _listener = before


def _call(fn: Callable[..., Any], args: tuple[Any, ...], source: str) -> tuple[bool, Any]:
    try:
        return True, fn(*args)
    except NianbaoError as e:
        return False, e
    except Exception as e:  # an engine bug on odd input is still bad input
        return False, InputError(f"cannot read: {type(e).__name__}: {e}", path=source)


def _serve(conn: Connection) -> None:
    global _report
    _report = lambda message: conn.send(("progress", message))  # noqa: E731
    while True:
        try:
            fn, args, source = conn.recv()
        except EOFError:
            return
        conn.send(("done", *_call(fn, args, source)))


class _Worker:
    def __init__(self) -> None:
        # fork costs a few ms; spawn (no fork on this platform) re-imports once per worker.
        ctx: mp.context.DefaultContext | mp.context.ForkContext | mp.context.SpawnContext = (
            mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context("spawn")
        )
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child,), daemon=True, name="nianbao-loader")
        self.proc.start()
        child.close()

    def stop(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


_lock = threading.Lock()
_worker: _Worker | None = None


def run(fn: Callable[..., T], *args: Any, source: str, timeout: float | None = None) -> T:
    """``fn(*args)`` in the worker, or an InputError when it overruns or crashes."""
    global _worker
    limit = timeout_seconds() if timeout is None else timeout
    if mp.current_process().daemon:
        return _in_thread(fn, args, source, limit)
    with _lock:
        if _worker is None or not _worker.proc.is_alive():
            _worker = _Worker()
        worker = _worker
        try:
            worker.conn.send((fn, args, source))
            while True:
                if not worker.conn.poll(limit):
                    _worker = None
                    worker.stop()
                    raise InputError(f"gave up after {limit:g} s (file too complex or malformed)", path=source)
                kind, *message = worker.conn.recv()
                if kind == "done":
                    break
                if _listener is not None:
                    _listener(message[0])
            ok, value = message
        except (EOFError, OSError, BrokenPipeError) as e:
            _worker = None
            worker.stop()
            raise InputError("corrupt file (the reader crashed on it)", path=source) from e
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _in_thread(fn: Callable[..., T], args: tuple[Any, ...], source: str, limit: float) -> T:
    box: list[tuple[bool, Any]] = []
    t = threading.Thread(target=lambda: box.append(_call(fn, args, source)), daemon=True, name="nianbao-loader")
    t.start()
    beats = -1
    while t.is_alive() and beats != _beats:
        beats = _beats
        t.join(limit)
    if not box:
        raise InputError(f"gave up after {limit:g} s (file too complex or malformed)", path=source)
    ok, value = box[0]
    if ok:
        return value  # type: ignore[no-any-return]
    raise value
