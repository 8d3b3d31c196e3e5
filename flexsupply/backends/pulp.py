"""PuLP backend: CBC (from the ``cbcbox`` package PuLP's ``cbc`` extra installs) or HiGHS."""

from __future__ import annotations

import dataclasses
import math
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends.cbc import OutOfTime, bounded_cbc, check_clock
from flexsupply.backends.highs_builds import load_ortools_highs_first
from flexsupply.backends.registry import backend_info
from flexsupply.backends.result import (
    HIGHS_LEAN_HEURISTICS,
    SolverOptions,
    SolverResult,
    Status,
    no_plan,
)
from flexsupply.errors import BackendError
from flexsupply.fds import c_stdout_hidden
from flexsupply.model.program import LinearProgram

_CBC_SEED_BASE = 42
"""CBC's own default seed; seed 0 maps to it (CBC reads 0 as "use the time of day")."""
_CBC_RESULT = re.compile(r"^Result - (.+)$", re.MULTILINE)
_CBC_BOUND = re.compile(r"^(?:Lower|Upper) bound:\s+(\S+)", re.MULTILINE)


def _pulp() -> Any:
    load_ortools_highs_first()
    try:
        import pulp
    except ImportError:  # pragma: no cover - pulp is a core dependency
        raise BackendError("PuLP is not installed; pip install 'pulp[cbc]'") from None
    return pulp


def _cbc_path() -> str:
    try:
        import cbcbox
    except ImportError:
        raise BackendError(
            "CBC for PuLP is not installed; pip install 'pulp[cbc]' (it brings cbcbox)"
        ) from None
    return str(cbcbox.cbc_bin_path())


def _highs(pulp: Any, use_start: bool) -> Any:
    """Returns a subclass of PuLP's HiGHS that is silent unless asked for its log.

    It prints no banner when created and, with ``use_start``, hands HiGHS the variables'
    initial values.
    """

    class QuietHighs(pulp.HiGHS):  # type: ignore[misc]
        def createAndConfigureSolver(self, lp: Any) -> None:
            if self.msg:
                super().createAndConfigureSolver(lp)
                return
            with c_stdout_hidden():
                super().createAndConfigureSolver(lp)

        def callSolver(self, lp: Any) -> None:
            if use_start:
                import highspy

                values = [0.0] * len(lp.variables())
                for variable in lp.variables():
                    values[variable.index] = variable.varValue or 0.0
                solution = highspy.HighsSolution()
                solution.col_value = values
                solution.value_valid = True
                lp.solverModel.setSolution(solution)
            super().callSolver(lp)

        def findSolutionValues(self, lp: Any) -> tuple[int, int]:
            # PuLP's status map lacks kSolutionLimit, HiGHS's answer when mip_max_nodes stops it.
            import highspy

            model = lp.solverModel
            if model.getModelStatus() != highspy.HighsModelStatus.kSolutionLimit:
                return super().findSolutionValues(lp)  # type: ignore[no-any-return]
            self.stopped = "node_limit"
            feasible = highspy.SolutionStatus.kSolutionStatusFeasible
            if model.getInfo().primal_solution_status != feasible:
                return pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound
            values = list(model.getSolution().col_value)
            for variable in lp.variables():
                variable.varValue = values[variable.index]
            return pulp.LpStatusNotSolved, pulp.LpSolutionIntegerFeasible

    return QuietHighs


class PulpBackend:
    """Solves with PuLP (engines ``highs`` through highspy, the default, and ``cbc``).

    HiGHS is the default by measurement: on Trigeiro G51, G60 and G70 it proved the optimum in
    19-23 s where CBC ended at a 2-6 % gap after 60 s (``benchmarks/results/trigeiro-engines.md``).
    """

    name = "pulp"

    def to_pulp(self, program: LinearProgram, end: float | None = None) -> tuple[Any, list[Any]]:
        """Returns the program as a ``pulp.LpProblem`` and its variables in column order.

        The problem is always a minimisation (a maximisation's objective is negated): some CBC
        builds reject the ``-max`` flag PuLP passes for maximisation.

        Raises:
            OutOfTime: ``end`` (a ``time.perf_counter`` instant) passed while building.
        """
        pulp = _pulp()
        problem = pulp.LpProblem("flexsupply", pulp.LpMinimize)
        objective = -program.objective if program.maximize else program.objective
        lower = [None if math.isinf(v) else float(v) for v in program.col_lower]
        upper = [None if math.isinf(v) else float(v) for v in program.col_upper]
        category = [pulp.LpInteger if flag else pulp.LpContinuous for flag in program.integer]
        variables = [
            problem.add_variable(f"x{j}", lower[j], upper[j], category[j])
            for j in range(program.n_columns)
        ]
        column_array = np.empty(program.n_columns, dtype=object)
        column_array[:] = variables
        used = np.flatnonzero(objective)
        problem.setObjective(
            pulp.LpAffineExpression(zip(column_array[used], objective[used].tolist(), strict=True))
        )
        matrix = program.matrix
        for i in range(program.n_rows):
            check_clock(end, i)
            start, stop = matrix.indptr[i], matrix.indptr[i + 1]
            if start == stop:
                continue
            expression = pulp.LpAffineExpression(
                zip(
                    column_array[matrix.indices[start:stop]],
                    matrix.data[start:stop].tolist(),
                    strict=True,
                )
            )
            low, high = float(program.row_lower[i]), float(program.row_upper[i])
            if low == high:
                problem.addConstraint(
                    pulp.LpConstraint(expression, pulp.LpConstraintEQ, f"r{i}", low)
                )
                continue
            if not math.isinf(low):
                problem.addConstraint(
                    pulp.LpConstraint(expression, pulp.LpConstraintGE, f"r{i}", low)
                )
            if not math.isinf(high):
                name = f"r{i}" if math.isinf(low) else f"r{i}u"
                problem.addConstraint(
                    pulp.LpConstraint(expression, pulp.LpConstraintLE, name, high)
                )
        return problem, variables

    def solve(
        self, program: LinearProgram, options: SolverOptions, start: FloatArray | None = None
    ) -> SolverResult:
        """Returns the result of solving ``program`` (objective includes its offset).

        ``start`` becomes CBC's MIP start or HiGHS's starting solution. CBC's time limit covers
        the whole call (building and writing the model included): it is stopped from outside
        when it runs past it (``flexsupply.backends.cbc``).
        """
        pulp = _pulp()
        engine = backend_info(self.name).engine(options.engine).name
        started = time.perf_counter()
        end = None if options.time_limit is None else started + options.time_limit
        try:
            problem, variables = self.to_pulp(program, end if engine == "cbc" else None)
        except OutOfTime:
            seconds = time.perf_counter() - started
            message = (
                f"the time limit came after {seconds:.1f} s, while the model was built for CBC"
            )
            result = no_plan(Status.NO_SOLUTION, seconds, self.name, engine, message)
            return dataclasses.replace(result, stop="time_limit")
        built = time.perf_counter() - started
        if start is not None:
            values = np.where(program.integer, np.round(start), start)
            values = np.clip(values, program.col_lower, program.col_upper)
            for variable, value in zip(variables, values.tolist(), strict=True):
                variable.setInitialValue(value)
        with tempfile.TemporaryDirectory(prefix="flexsupply-") as folder:
            log_path = Path(folder) / "solver.log"
            if engine == "cbc":
                solver = bounded_cbc(pulp)(
                    path=_cbc_path(),
                    msg=False,
                    gapRel=options.gap,
                    threads=options.threads,
                    logPath=str(log_path),
                    warmStart=start is not None,
                    options=[
                        f"randomCbcSeed {_CBC_SEED_BASE + options.seed}",
                        *([] if options.heuristics else ["heuristicsOnOff off"]),
                    ],
                    maxNodes=options.node_limit,
                )
                solver.end = end
                solver.build_seconds = built
                solver.tmpDir = folder
            else:
                solver = _highs(pulp, start is not None)(
                    msg=options.log,
                    timeLimit=options.time_limit,
                    gapRel=options.gap,
                    threads=options.threads,
                    random_seed=options.seed,
                    **({} if options.node_limit is None else {"mip_max_nodes": options.node_limit}),
                    **({} if options.heuristics else _lean_highs()),
                )
                if not solver.available():
                    raise BackendError("HiGHS for PuLP is not installed; pip install highspy")
            problem.solve(solver)
            log = log_path.read_text(errors="replace") if log_path.exists() else ""
        if options.log and log:
            print(log)
        seconds = time.perf_counter() - started
        stopped = getattr(solver, "stopped", None)
        return self._result(program, options, engine, problem, variables, seconds, log, stopped)

    def _result(
        self,
        program: LinearProgram,
        options: SolverOptions,
        engine: str,
        problem: Any,
        variables: list[Any],
        seconds: float,
        log: str,
        stopped: str | None = None,
    ) -> SolverResult:
        """Returns the result PuLP read back.

        ``stopped`` says why CBC was stopped from outside, or ``node_limit`` when HiGHS stopped
        at its node limit.
        """
        pulp = _pulp()
        result_line = _CBC_RESULT.search(log)
        reason = result_line.group(1).strip() if result_line else pulp.LpStatus[problem.status]
        if stopped == "node_limit":
            reason = f"HiGHS reached its node limit of {options.node_limit}"
        elif stopped == "no_time":
            reason = f"the time limit left too little time to run CBC after {seconds:.1f} s"
        elif stopped is not None and result_line is None:
            why = "Ctrl-C" if stopped == "interrupted" else "the time limit"
            reason = f"CBC did not stop by itself and was stopped at {why} after {seconds:.1f} s"
        timed_out = stopped in ("time_limit", "no_time") or (
            options.time_limit is not None
            and ("time" in reason.lower() or seconds >= 0.95 * options.time_limit)
        )
        has_solution = problem.sol_status in (
            pulp.LpSolutionOptimal,
            pulp.LpSolutionIntegerFeasible,
        )
        if engine == "cbc" and result_line is not None:
            has_solution = has_solution and "no integer solution" not in reason.lower()
        if has_solution:
            x = np.array(
                [v.varValue if v.varValue is not None else np.nan for v in variables], dtype=float
            )
            # PuLP leaves out columns that appear nowhere; any value within their bounds is optimal.
            unused = np.isnan(x)
            x[unused] = np.clip(0.0, program.col_lower[unused], program.col_upper[unused])
            objective = float(program.objective @ x) + program.offset
            optimal = problem.sol_status == pulp.LpSolutionOptimal and not timed_out
            bound_match = _CBC_BOUND.search(log)
            bound = math.nan
            internal = math.nan
            if bound_match and engine == "cbc":
                internal = float(bound_match.group(1))
            elif engine == "highs" and program.integer.any():
                internal = float(problem.solverModel.getInfo().mip_dual_bound)
            if math.isfinite(internal):
                bound = (-internal if program.maximize else internal) + program.offset
            if optimal:
                bound = objective if math.isnan(bound) else bound
            status = Status.OPTIMAL if optimal else Status.FEASIBLE
            stop = "time_limit" if timed_out else "gap" if optimal else "node_limit"
            return SolverResult(
                status, objective, bound, x, seconds, self.name, engine, log, reason, stop=stop
            )
        if timed_out or stopped == "node_limit":
            status = Status.NO_SOLUTION
        elif (
            problem.status == pulp.LpStatusInfeasible
            or "infeasible" in reason.lower()
            or "infeasibility proved" in log.lower()
        ):
            status = Status.INFEASIBLE
        elif problem.status == pulp.LpStatusUnbounded or "unbounded" in reason.lower():
            status = Status.UNBOUNDED
        else:
            status = Status.UNKNOWN
        result = no_plan(status, seconds, self.name, engine, reason, log)
        if timed_out:
            return dataclasses.replace(result, stop="time_limit")
        if stopped == "node_limit":
            return dataclasses.replace(result, stop="node_limit")
        return result


def _lean_highs() -> dict[str, float | bool]:
    """Returns highspy options for ``SolverOptions.heuristics=False``."""
    double, boolean = HIGHS_LEAN_HEURISTICS
    return {**double, **boolean}
