"""The live progress line of ``flexsupply solve``: elapsed time, incumbent, bound and gap.

On a terminal one line is redrawn in place twice a second; elsewhere (a log file, CI) a plain
line is printed every few seconds. The solver reports through ``SolverOptions.progress``, which
can be called from the engine's threads; a ticker thread keeps the elapsed time moving between
reports and for engines that report nothing while they run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from flexsupply.backends import Progress, backend_info
from flexsupply.plan.summary import gap_text

TERMINAL_EVERY = 0.5
"""Seconds between redraws of the line on a terminal."""
PLAIN_EVERY = 5.0
"""Seconds between plain lines when the output is not a terminal."""


def live_note(backend: str, engine: str | None) -> str | None:
    """Returns what to show instead of bounds for engines that report none while running.

    Read from the engine's ``live_bound`` capability in the backend registry.
    """
    info = backend_info(backend).engine(engine)
    return None if info.live_bound else f"{info.label} reports no live bound"


def format_progress(elapsed: float, progress: Progress | None, note: str | None = None) -> str:
    """Returns one progress line, e.g. ``elapsed 12.3 s  incumbent 123,456  bound 130,000  gap 5.3 %``.

    Args:
        elapsed: Seconds since the solve began [seconds].
        progress: The engine's last report (None: nothing reported yet).
        note: Shown when there is no report, e.g. that the engine reports no live bound.
    """
    parts = [f"elapsed {elapsed:.1f} s"]
    if progress is None:
        if note:
            parts.append(note)
        return "  ".join(parts)
    incumbent, bound = progress.incumbent, progress.bound
    parts.append("no plan yet" if incumbent is None else f"incumbent {incumbent:,.0f}")
    if bound is not None:
        parts.append(f"bound {bound:,.0f}")
    if incumbent is not None and bound is not None:
        gap = abs(bound - incumbent) / max(abs(incumbent), 1e-9)
        parts.append(gap_text(gap, "gap {:.1f} %"))
    return "  ".join(parts)


class ProgressLine:
    """Shows a solve's progress on ``stream`` while used as a context manager.

    Pass ``update`` as the solver's progress callback.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        terminal: bool | None = None,
        note: str | None = None,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._terminal = stream.isatty() if terminal is None else terminal
        self._note = note
        self._every = (
            every if every is not None else (TERMINAL_EVERY if self._terminal else PLAIN_EVERY)
        )
        self._clock = clock
        self._started = clock()
        self._last: Progress | None = None
        self._width = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def update(self, progress: Progress) -> None:
        """Keeps the engine's latest report; on a terminal the line shows it at once."""
        with self._lock:
            self._last = progress
        if self._terminal:
            self.show()

    def show(self) -> None:
        """Draws the line now (in place on a terminal, as a new line elsewhere)."""
        with self._lock:
            text = format_progress(self._clock() - self._started, self._last, self._note)
            if self._terminal:
                self._stream.write("\r" + text.ljust(self._width))
                self._width = len(text)
            else:
                self._stream.write(text + "\n")
            self._stream.flush()

    def __enter__(self) -> ProgressLine:
        self._started = self._clock()
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick, name="flexsupply-progress", daemon=True)
        self._ticker.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            if self._terminal and self._width:
                self._stream.write("\r" + " " * self._width + "\r")
                self._stream.flush()
                self._width = 0

    def _tick(self) -> None:
        while not self._stop.wait(self._every):
            self.show()
