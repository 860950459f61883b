"""The worker's channel: whole messages both ways, however large; a closed end reads as EOF."""

from __future__ import annotations

import os
import threading

import pytest

from extractor.load.channel import pair


def test_messages_larger_than_a_pipe_buffer_cross_whole_and_in_order() -> None:
    here, there = pair()
    big = {"text": "年报" * 2_000_000, "n": list(range(50_000))}  # megabytes: many pipe buffers
    sender = threading.Thread(target=lambda: [there.send(big), there.send(("done", 1))])
    sender.start()
    assert here.poll(10)
    assert here.recv() == big
    assert here.recv() == ("done", 1)
    sender.join()
    here.send("back")
    assert there.recv() == "back"


def test_poll_waits_for_a_message() -> None:
    here, there = pair()
    assert not here.poll(0.05)
    there.send(None)
    assert here.poll(0.05)


def test_a_closed_end_reads_as_eof_and_refuses_writes() -> None:
    here, there = pair()
    there.close()
    assert here.poll(1)  # the closing is readable
    with pytest.raises(EOFError):
        here.recv()
    with pytest.raises(OSError):
        here.send("nobody listens")


def test_a_message_cut_short_reads_as_eof() -> None:
    here, there = pair()
    os.write(there._write_fd, (100).to_bytes(8, "big") + b"short")
    there.close()
    with pytest.raises(EOFError):
        here.recv()
