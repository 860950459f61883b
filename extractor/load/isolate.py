"""Run untrusted work in a worker process with a deadline and a memory limit.

Every report is untrusted: PDF and Word readers are C code fed with hostile
bytes, and a crafted text can make any stage slow or large. The whole
extraction of a file therefore runs in one long-lived worker process (forked
once, reused for every document, so it costs no start-up per file) whose
address space is capped (``RLIMIT_AS``: what it holds once started plus
``NIANBAO_MEMORY_MB``). When a document overruns its deadline
(``NIANBAO_TIMEOUT`` seconds), goes over the memory limit or kills the worker,
the worker is replaced and the caller gets an :class:`InputError` naming the
file. A command that will extract starts the worker first (:func:`start`), so
that it imports and compiles what extraction needs while the command line
starts. The worker dies with the thread that forked it (``PR_SET_PDEATHSIG``),
so a killed ``nianbao`` or pool worker leaves nothing running. Work started
inside the worker (a loader called by the extraction) runs there directly,
under the same bounds. Where ``fork`` does not exist the work runs in a daemon
thread with the deadline only.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import math
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ..errors import ConfigError, InputError, NianbaoError
from .channel import Channel, pair

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
#: Memory the worker may add to what it had when forked; the build machine has 24 GiB.
DEFAULT_MEMORY_MB = 2048.0
_PR_SET_PDEATHSIG = 1
#: Seconds the caller waits past the deadline, so that work with a deadline of
#: its own (a LibreOffice conversion) can stop and clean up first.
GRACE = 1.0


#: In the worker process: sends a progress message to the parent.
_report: Callable[[str], None] | None = None
#: In the parent: who hears progress messages (the command line).
_listener: Callable[[str], None] | None = None
#: Progress messages heard in thread mode, so the deadline can restart on each.
_beats = 0


def progress(message: str) -> None:
    """Report how a long read goes (``"OCR page 2/6: 3.1 s"``); restarts the deadline,
    which thus bounds each step (an OCR'd page), not the whole document."""
    global _beats, _deadline
    if _report is not None:
        _deadline = time.monotonic() + timeout_seconds()
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


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _positive(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name}={raw!r} must be a positive number")
    return value


def timeout_seconds() -> float:
    """The per-document deadline: ``NIANBAO_TIMEOUT`` seconds, default 30."""
    return max(0.1, _positive("NIANBAO_TIMEOUT", DEFAULT_TIMEOUT))


def memory_limit_mb() -> float:
    """Memory a document may take in the worker: ``NIANBAO_MEMORY_MB``, default 2048."""
    return max(64.0, _positive("NIANBAO_MEMORY_MB", DEFAULT_MEMORY_MB))


_in_worker = False
_deadline = 0.0  # time.monotonic() by which the worker's current job must end


def remaining() -> float:
    """Seconds left for the current job in the worker (the whole deadline elsewhere)."""
    if _in_worker:
        return max(0.1, _deadline - time.monotonic())
    return timeout_seconds()


class OverMemory(InputError):
    """The document needed more memory than the worker may take."""


def _over_memory(source: str) -> InputError:
    return OverMemory(
        f"gave up: reading it needs more than {memory_limit_mb():g} MiB (NIANBAO_MEMORY_MB)", path=source
    )


def _call(fn: Callable[..., Any], args: tuple[Any, ...], source: str) -> tuple[bool, Any]:
    try:
        return True, fn(*args)
    except NianbaoError as e:
        return False, e
    except MemoryError:
        return False, _over_memory(source)
    except Exception as e:  # an engine bug on odd input is still bad input
        return False, InputError(f"cannot read: {type(e).__name__}: {e}", path=source)


def _address_space() -> int:
    """Bytes of address space this process maps now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _become_worker(parent: int, memory_mb: float, warm: Callable[[], object] | None) -> None:
    """Bound this freshly forked process: die with the parent, no terminal I/O (its errors
    reach the caller as values), run ``warm`` (its failures are left for the real job to
    meet), then cap memory above what the process holds."""
    global _in_worker
    _in_worker = True
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # not the parent's stdout (it may be a pipe) nor a C library's crash notes
        os.dup2(devnull, fd)
    os.close(devnull)
    faulthandler.disable()  # it may write to a copy of the parent's stderr
    if warm is not None:
        with contextlib.suppress(Exception):  # only a head start: the job that needs it meets the error
            warm()
    cap = _address_space() + int(memory_mb * 1024 * 1024)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or cap < hard:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _follow(env: dict[str, str], cwd: str) -> None:
    """Take the caller's environment and folder, which may have changed since the fork."""
    if env != os.environ:
        os.environ.clear()
        os.environ.update(env)
    if cwd != os.getcwd():
        os.chdir(cwd)


def _serve(conn: Channel, ahead: Callable[[], object] | None = None) -> None:
    global _deadline, _report
    _report = lambda message: conn.send(("progress", message))  # noqa: E731
    if ahead is not None:  # bounded as a job: the memory cap is set, a deadline runs, progress is heard
        _deadline = time.monotonic() + timeout_seconds()
        with contextlib.suppress(Exception):  # only a guess: the job that asks meets any error itself
            ahead()
    while True:
        try:
            fn, args, source, limit, env, cwd = conn.recv()
            _deadline = time.monotonic() + limit
            _follow(env, cwd)
        except (EOFError, OSError):
            return
        ok, value = _call(fn, args, source)
        try:
            conn.send(("done", ok, value))
        except MemoryError:
            conn.send(("done", False, _over_memory(source)))
            return
        if isinstance(value, OverMemory):
            return  # a heap that hit its limit is not worth reusing


class _Worker:
    def __init__(
        self, memory: float, warm: Callable[[], object] | None = None, ahead: Callable[[], object] | None = None
    ) -> None:
        self.memory = memory
        parent = os.getpid()
        self.conn, child = pair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the worker's side, measured by the tests through the parent
            code = 0
            try:
                self.conn.close()
                _become_worker(parent, memory, warm)
                _serve(child, ahead)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child.close()
        self.pid = pid

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        self.conn.close()


_lock = threading.Lock()
_worker: _Worker | None = None
_owner = 0  # the pid that forked _worker (a forked child must start its own)


def start(warm: Callable[[], object], ahead: Callable[[], object] | None = None) -> None:
    """Fork the worker now, and have it call ``warm`` (imports, compiled catalogues) before
    its first job: on a machine with a core to spare, that work overlaps the caller's own
    start-up instead of following it. ``ahead``, called once the worker is bounded as for a
    job, may do the work the first job is expected to ask for (its errors are ignored).
    A no-op where the worker runs already or cannot fork."""
    global _worker, _owner
    if _in_worker or not hasattr(os, "fork"):
        return
    with _lock:
        if _worker is None or _owner != os.getpid():
            _worker, _owner = _Worker(memory_limit_mb(), warm, ahead), os.getpid()


def run(fn: Callable[..., T], *args: Any, source: str, timeout: float | None = None) -> T:
    """``fn(*args)`` in the worker, or an InputError when it overruns, runs out of memory or crashes."""
    global _worker, _owner
    if _in_worker:
        return fn(*args)  # already bounded: the extraction that called this runs in the worker
    limit = timeout_seconds() if timeout is None else timeout
    if not hasattr(os, "fork"):
        return _in_thread(fn, args, source, limit)
    with _lock:
        memory = memory_limit_mb()
        if _worker is not None and _owner == os.getpid() and _worker.memory != memory:
            _worker.stop()  # the limit is set when forked: a new one needs a new worker
            _worker = None
        if _worker is None or _owner != os.getpid() or not _worker.alive():
            _worker, _owner = _Worker(memory), os.getpid()
        worker = _worker
        try:
            worker.conn.send((fn, args, source, limit, dict(os.environ), os.getcwd()))
            while True:
                if not worker.conn.poll(limit + GRACE):
                    _worker = None
                    worker.stop()
                    raise InputError(f"gave up after {limit:g} s (file too complex or malformed)", path=source)
                kind, *message = worker.conn.recv()
                if kind == "done":
                    break
                if _listener is not None:
                    _listener(message[0])
            ok, value = message
        except (EOFError, OSError) as e:
            _worker = None
            worker.stop()
            raise InputError(
                f"corrupt file (the reader crashed on it, or went over {memory_limit_mb():g} MiB)", path=source
            ) from e
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


@atexit.register
def _stop_worker() -> None:
    """Reap the worker at exit (it would die with us anyway; reaping counts its resources)."""
    if _worker is not None and _owner == os.getpid():
        _worker.stop()


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
