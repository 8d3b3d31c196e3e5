"""One time budget for a whole call: every step asks how much is left, none gets the full limit.

The clock is injected (``time.monotonic`` by default) so that tests can run a solve on a clock
they move themselves, without waiting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flexsupply.backends import interrupt

Clock = Callable[[], float]
"""Returns the current time [seconds], only ever compared with itself."""


class TimeLimitReached(Exception):
    """Raised inside the solve stage when a step finds no time left; callers turn it into words."""


class Deadline:
    """The end of a call's time limit, read on one clock.

    ``Deadline(None)`` never expires: ``left()`` is None and steps run without a limit.
    """

    def __init__(
        self, limit: float | None, clock: Clock = time.monotonic, started: float | None = None
    ) -> None:
        """Starts the budget now, or at ``started``.

        Args:
            limit: Wall-clock seconds for the whole call; None for no limit [seconds].
            clock: Returns the time [seconds]; ``time.monotonic`` unless a test injects one.
            started: When the budget began, on ``clock`` (default: now) [seconds].
        """
        self.limit = limit
        self.clock = clock
        self.started = clock() if started is None else started

    def elapsed(self) -> float:
        """Returns the time since the deadline was started [seconds]."""
        return self.clock() - self.started

    def left(self) -> float | None:
        """Returns the time left, at least 0 [seconds]; None without a limit; 0 after Ctrl-C."""
        if interrupt.requested():
            return 0.0
        if self.limit is None:
            return None
        return max(self.limit - self.elapsed(), 0.0)

    def expired(self) -> bool:
        """True when a limit is set and no time is left."""
        left = self.left()
        return left is not None and left <= 0.0

    def share(self, fraction: float, minimum: float = 0.0) -> float | None:
        """Returns ``fraction`` of the time left, at least ``minimum`` [seconds]; None without a limit."""
        left = self.left()
        return None if left is None else max(fraction * left, minimum)

    def check(self, step: str, minimum: float = 0.0) -> float | None:
        """Returns the time left for ``step`` [seconds] (None: no limit).

        Args:
            step: What the time is for, in words (named in the error).
            minimum: Less time left than this is not worth starting the step [seconds].

        Raises:
            TimeLimitReached: no time (or less than ``minimum``) is left; the message names the
                step.
        """
        left = self.left()
        if interrupt.requested():
            raise TimeLimitReached(f"interrupted before {step}")
        if left is not None and (left <= 0.0 or left < minimum):
            raise TimeLimitReached(f"no time left for {step}")
        return left

    def sub(self, limit: float | None) -> Deadline:
        """Returns a deadline on the same clock that ends at ``limit`` seconds or at this one."""
        left = self.left()
        if left is None:
            return Deadline(limit, self.clock)
        return Deadline(left if limit is None else min(limit, left), self.clock)

    def perf_counter_deadline(self, seconds: float | None = None) -> float:
        """Returns a ``time.perf_counter()`` value ``seconds`` from now, or when this one ends.

        For the heuristics, which stop at a ``time.perf_counter()`` value (``math.inf`` when
        there is neither a limit nor ``seconds``).
        """
        left = self.left()
        budget = [value for value in (left, seconds) if value is not None]
        return time.perf_counter() + min(budget) if budget else math.inf
