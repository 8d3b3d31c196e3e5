"""Ctrl-C during a solve: stop like at a time limit and keep the best plan found so far.

``interruptible()`` catches the first Ctrl-C (SIGINT) of the block: it marks the solve as
interrupted, which the solve stage's ``Deadline`` reads as no time left (so no further step
starts), and asks
the running engine to stop through the callbacks engines register with ``on_interrupt`` (OR-Tools
hands SCIP and HiGHS an interrupter that returns their best solution). The plan comes back with
status ``interrupted`` and its gap; a second Ctrl-C stops at once (``KeyboardInterrupt``).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType

from flexsupply.errors import SolveError

INTERRUPTED = "interrupted"
"""The status of a plan whose solve was stopped by Ctrl-C."""
EXIT_CODE = 130
"""The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it)."""

_requested = threading.Event()
_stops: list[Callable[[], None]] = []
_lock = threading.Lock()


class Interrupted(SolveError):
    """A solve or a batch stopped by Ctrl-C before it had a plan to show; exit code 130."""

    exit_code = EXIT_CODE

    def __init__(self, message: str) -> None:
        """Keeps the message; the status is ``interrupted``."""
        super().__init__(message, INTERRUPTED)


def requested() -> bool:
    """Returns whether Ctrl-C was pressed in the current ``interruptible`` block."""
    return _requested.is_set()


def time_left(perf_deadline: float) -> bool:
    """Returns whether a heuristic may start its next step: no Ctrl-C and time left.

    ``perf_deadline`` is a ``time.perf_counter()`` value.
    """
    return time.perf_counter() < perf_deadline and not _requested.is_set()


@contextlib.contextmanager
def on_interrupt(stop: Callable[[], None]) -> Iterator[None]:
    """Calls ``stop`` if Ctrl-C is pressed while the block runs (at once if it already was)."""
    with _lock:
        _stops.append(stop)
    try:
        if _requested.is_set():
            stop()
        yield
    finally:
        with _lock:
            _stops.remove(stop)


def _request() -> None:
    """Marks the solve as interrupted and asks every registered engine to stop."""
    _requested.set()
    with _lock:
        stops = list(_stops)
    for stop in stops:
        stop()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Makes the first Ctrl-C of the block stop the solve gently, keeping the best plan.

    Python runs a signal handler only between its own instructions, not while an engine runs
    in C, so the signal also wakes a watcher thread (``signal.set_wakeup_fd``) that asks the
    engine to stop at once. Outside the main thread (where Python cannot take signals) the
    block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen = 0

    def handle(signum: int, frame: FrameType | None) -> None:
        nonlocal seen
        del signum, frame
        seen += 1
        if seen > 1:
            raise KeyboardInterrupt
        _request()

    reader, writer = socket.socketpair()
    writer.setblocking(False)

    def watch() -> None:
        while reader.recv(1):  # one byte per signal; empty when the block ends
            _request()

    watcher = threading.Thread(target=watch, name="flexsupply-interrupt", daemon=True)
    previous = signal.signal(signal.SIGINT, handle)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous)
        writer.close()
        reader.shutdown(socket.SHUT_RDWR)
        watcher.join(timeout=1.0)
        reader.close()
        _requested.clear()


__all__ = [
    "EXIT_CODE",
    "INTERRUPTED",
    "Interrupted",
    "interruptible",
    "on_interrupt",
    "requested",
    "time_left",
]
