"""The decompositions' result: a plan and bound found in the sense of max, in the program's sense.

Both decompositions (by style, ``method.py``; by scenario, ``by_scenario.py``) search a
maximisation (the program negated when it minimises) and end the same way: the status from
the gap, the bound never below the plan's value, no plan said as such.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flexsupply.arrays import FloatArray
from flexsupply.backends import Status
from flexsupply.backends.result import SolverResult, no_plan
from flexsupply.model.program import LinearProgram


@dataclass(frozen=True)
class Found:
    """What a decomposition found, in the sense of max.

    Attributes:
        x: the best plan of the whole program, or None.
        value: its objective, offset included [currency].
        bound: the best proven bound [currency].
        gap: the relative gap between them (inf without a plan).
    """

    x: FloatArray | None
    value: float
    bound: float
    gap: float


def decomposition_result(
    program: LinearProgram,
    found: Found,
    wanted_gap: float,
    *,
    seconds: float,
    backend: str,
    engine: str,
    message: str,
    extra: dict[str, float],
    stop: str,
) -> SolverResult:
    """Returns the ``SolverResult`` of ``found`` in ``program``'s sense.

    Args:
        program: the program as the caller gave it (maximised or minimised).
        found: the plan and bound, in the sense of max.
        wanted_gap: the relative gap asked for: within it the status is ``OPTIMAL``.
        seconds: wall time of the whole method [seconds].
        backend: the backend's name.
        engine: the engine's name.
        message: what happened, in words.
        extra: the method's figures.
        stop: what ended the method (``gap``, ``time_limit``, ...).

    Returns:
        The result: objective and bound [currency, the program's sense]; its bound is never
        worse than its objective; ``NO_SOLUTION`` with the bound alone when there is no plan.
    """
    sense = 1.0 if program.maximize else -1.0
    if found.x is None:
        result = no_plan(Status.NO_SOLUTION, seconds, backend, engine, message)
        return replace(result, bound=sense * found.bound, extra=extra, stop=stop)
    return SolverResult(
        status=Status.OPTIMAL if found.gap <= wanted_gap else Status.FEASIBLE,
        objective=program.value(found.x),
        bound=sense * max(found.bound, found.value),
        x=found.x,
        seconds=seconds,
        backend=backend,
        engine=engine,
        message=message,
        extra=extra,
        stop=stop,
    )
