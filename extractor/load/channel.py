"""Pickled messages both ways over a pair of OS pipes: how the bounded worker and its
caller talk (:mod:`.isolate`).

It does what ``multiprocessing.connection.Pipe()`` does for one worker, without
importing the multiprocessing package (sockets, temporary files, subprocess, ~20 ms),
which ``nianbao extract`` paid in both processes before the worker could start.
A message is its pickle's length (8 bytes, big-endian) and the pickle. A closed
other end reads as :class:`EOFError`; writing to it raises :class:`OSError`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
from typing import Any

_LENGTH = 8


class Channel:
    """One end: reads from ``read_fd``, writes to ``write_fd`` (it owns both)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd

    def send(self, message: object) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._write(len(data).to_bytes(_LENGTH, "big"))
        self._write(data)

    def recv(self) -> Any:
        size = int.from_bytes(self._read(_LENGTH), "big")
        return pickle.loads(self._read(size))

    def poll(self, timeout: float) -> bool:
        """Whether a message (or the other end's closing) can be read within ``timeout`` seconds."""
        waiting = select.poll()
        waiting.register(self._read_fd, select.POLLIN)
        return bool(waiting.poll(max(0, int(timeout * 1000))))

    def close(self) -> None:
        for fd in (self._read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._write_fd, view) :]

    def _read(self, size: int) -> bytes:
        parts: list[bytes] = []
        while size:
            part = os.read(self._read_fd, min(size, 1 << 20))
            if not part:
                raise EOFError("the other end closed the channel")
            parts.append(part)
            size -= len(part)
        return b"".join(parts)


def pair() -> tuple[Channel, Channel]:
    """Two connected ends (made before a fork: each process keeps one and closes the other)."""
    a_read, b_write = os.pipe()
    b_read, a_write = os.pipe()
    return Channel(a_read, a_write), Channel(b_read, b_write)
