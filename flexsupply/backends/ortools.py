"""OR-Tools backend: hands the arrays to OR-Tools' model builder in one call, solves with SCIP or HiGHS."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from flexsupply.backends.result import SolverOptions, SolverResult, Status, no_plan
from flexsupply.errors import BackendError
from flexsupply.model.program import LinearProgram

_PARAMETERS = {
    "scip": "limits/gap = {gap}\nrandomization/randomseedshift = {seed}\n{threads}",
    "highs": "mip_rel_gap = {gap}\nrandom_seed = {seed}\noutput_flag = {log}\n{threads}",
}
_THREADS = {"scip": "parallel/maxnthreads = {n}\n", "highs": "threads = {n}\n"}


class OrtoolsBackend:
    """Solves with OR-Tools (engines ``scip``, the default, and ``highs``)."""

    name = "ortools"
    engines: tuple[str, ...] = ("scip", "highs")
    supports_mip = True
    supports_time_limit = True

    def solve(self, program: LinearProgram, options: SolverOptions) -> SolverResult:
        """Returns the result of solving ``program`` (objective includes its offset)."""
        try:
            from ortools.linear_solver.python import model_builder_helper as mbh
        except ImportError as error:  # pragma: no cover - ortools is a core dependency
            raise BackendError(
                f"OR-Tools is not installed ({error}); pip install ortools"
            ) from None
        engine = options.engine or "scip"
        if engine not in self.engines:
            raise BackendError(
                f"unknown ortools engine {engine!r}; choose one of {', '.join(self.engines)}"
            )
        started = time.perf_counter()
        model = mbh.ModelBuilderHelper()
        sparse_data: list[Any] = [
            program.col_lower,
            program.col_upper,
            program.objective,
            program.row_lower,
            program.row_upper,
            program.matrix,
        ]
        model.fill_model_from_sparse_data(*sparse_data)
        for column in np.flatnonzero(program.integer):
            model.set_var_integrality(int(column), True)
        model.set_maximize(program.maximize)
        solver = mbh.ModelSolverHelper(engine)
        if options.time_limit is not None:
            solver.set_time_limit_in_seconds(float(options.time_limit))
        threads = _THREADS[engine].format(n=options.threads) if options.threads else ""
        solver.set_solver_specific_parameters(
            _PARAMETERS[engine].format(
                gap=options.gap, seed=options.seed, threads=threads, log=str(options.log).lower()
            )
        )
        solver.enable_output(options.log)
        solver.solve(model)
        seconds = time.perf_counter() - started
        raw = solver.status()
        message = f"{raw.name} {solver.status_string()}".strip()
        statuses = mbh.SolveStatus
        if raw in (statuses.OPTIMAL, statuses.FEASIBLE) and solver.has_solution():
            status = Status.OPTIMAL if raw == statuses.OPTIMAL else Status.FEASIBLE
            bound = solver.best_objective_bound()
            return SolverResult(
                status=status,
                objective=float(solver.objective_value()) + program.offset,
                bound=float(bound) + program.offset if math.isfinite(bound) else math.nan,
                x=np.asarray(solver.variable_values(), dtype=float),
                seconds=seconds,
                backend=self.name,
                engine=engine,
                message=message,
            )
        if raw == statuses.INFEASIBLE:
            status = Status.INFEASIBLE
        elif raw == statuses.UNBOUNDED:
            status = Status.UNBOUNDED
        elif raw in (statuses.INVALID_SOLVER_PARAMETERS, statuses.MODEL_INVALID):
            raise BackendError(f"OR-Tools {engine} refused the model or its parameters: {message}")
        elif options.time_limit is not None and seconds >= 0.95 * options.time_limit:
            status = Status.NO_SOLUTION
        else:
            status = Status.UNKNOWN
        return no_plan(status, seconds, self.name, engine, message)
