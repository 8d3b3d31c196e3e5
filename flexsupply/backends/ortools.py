"""OR-Tools backend: fills a MathOpt model proto from the arrays and solves with SCIP or HiGHS.

MathOpt reports why a solve stopped (termination reason and limit) and keeps the best plan when
a time limit ends the search, which OR-Tools' older linear-solver wrappers lose for HiGHS.
"""

from __future__ import annotations

import datetime
import math
import re
import time
from typing import Any

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.backends import interrupt
from flexsupply.backends.live import log_sink
from flexsupply.backends.proto_wire import fill
from flexsupply.backends.registry import backend_info
from flexsupply.backends.result import (
    HIGHS_LEAN_HEURISTICS,
    SolverOptions,
    SolverResult,
    Status,
    no_plan,
)
from flexsupply.errors import BackendError
from flexsupply.fds import fd_filtered
from flexsupply.model.program import LinearProgram

SCIP_NOISE = re.compile(
    rb"\[scip_event\.c:\d+\] ERROR: SCIPcatchEvent does not support variable or row change"
    rb"|\[gscip_event_handler\.cc:\d+\] ERROR: Error <-9> in function call"
)
"""What SCIP prints on stderr at every solve with an interrupter: OR-Tools' interrupt event
handler asks for an event type SCIP refuses; the interrupter works all the same (Ctrl-C
stops SCIP with status USER_INTERRUPT), so these lines are left out."""
NOTHING = re.compile(rb"(?!)")
"""A pattern no line matches."""


def _mathopt() -> Any:
    try:
        from ortools.math_opt import model_pb2
        from ortools.math_opt.core.python import solver as core
        from ortools.math_opt.python import (
            callback,
            init_arguments,
            model_parameters,
            parameters,
            result,
        )
    except ImportError as error:  # pragma: no cover - ortools is a core dependency
        raise BackendError(f"OR-Tools is not installed ({error}); pip install ortools") from None
    return model_pb2, core, callback, init_arguments, model_parameters, parameters, result


SCIP_ONE_THREAD = (
    "SCIP ran on one thread: with more, OR-Tools starts SCIP's concurrent mode, whose solvers "
    "stop at once with status unknown (OR-Tools' event handler cannot be copied to them)"
)
"""The note a plan's solver message carries when ``threads`` > 1 was asked of SCIP."""


def _interrupter() -> Any:
    """Returns an OR-Tools solve interrupter: interrupted, the engine returns its best solution."""
    from ortools.util.python import pybind_solve_interrupter

    return pybind_solve_interrupter.PySolveInterrupter()


def model_proto(program: LinearProgram) -> Any:
    """Returns the program as a MathOpt ``ModelProto``, its arrays written as packed wire bytes."""
    model_pb2 = _mathopt()[0]
    proto = model_pb2.ModelProto(name="flexsupply")
    fill(
        proto.variables,
        [
            ("ids", "ints", np.arange(program.n_columns)),
            ("lower_bounds", "doubles", program.col_lower),
            ("upper_bounds", "doubles", program.col_upper),
            ("integers", "ints", program.integer.astype(np.int64)),
        ],
    )
    proto.objective.maximize = program.maximize
    used = np.flatnonzero(program.objective)
    fill(
        proto.objective.linear_coefficients,
        [("ids", "ints", used), ("values", "doubles", program.objective[used])],
    )
    fill(
        proto.linear_constraints,
        [
            ("ids", "ints", np.arange(program.n_rows)),
            ("lower_bounds", "doubles", program.row_lower),
            ("upper_bounds", "doubles", program.row_upper),
        ],
    )
    matrix = program.matrix.copy()
    matrix.sort_indices()
    row_ids = np.repeat(np.arange(program.n_rows), np.diff(matrix.indptr))
    fill(
        proto.linear_constraint_matrix,
        [
            ("row_ids", "ints", row_ids),
            ("column_ids", "ints", matrix.indices),
            ("coefficients", "doubles", matrix.data),
        ],
    )
    return proto


def _model_parameters(model_parameters: Any, start: FloatArray | None) -> Any:
    """Returns MathOpt model parameters carrying ``start`` as a solution hint."""
    proto = model_parameters.ModelSolveParameters().to_proto()
    if start is not None:
        hint = proto.solution_hints.add()
        hint.variable_values.ids.extend(range(len(start)))
        hint.variable_values.values.extend(start.tolist())
    return proto


def _highs_without_heuristics() -> Any:
    """Returns MathOpt's HiGHS options for ``SolverOptions.heuristics=False``."""
    from ortools.math_opt.solvers import highs_pb2

    double, boolean = HIGHS_LEAN_HEURISTICS
    return highs_pb2.HighsOptionsProto(double_options=double, bool_options=boolean)


def _stop(limit: int, limits: Any) -> str:
    """Returns the ``SolverResult.stop`` word for MathOpt's termination limit."""
    if limit == limits.TIME.value:
        return "time_limit"
    if limit == limits.NODE.value:
        return "node_limit"
    return "gap"


class OrtoolsBackend:
    """Solves with OR-Tools MathOpt (engines ``scip``, the default, and ``highs``)."""

    name = "ortools"

    def solve(
        self, program: LinearProgram, options: SolverOptions, start: FloatArray | None = None
    ) -> SolverResult:
        """Returns the result of solving ``program`` (objective includes its offset).

        ``start`` becomes a SCIP solution hint; MathOpt's HiGHS takes none.
        """
        model_pb2, core, callback, init_arguments, model_parameters, parameters, result = _mathopt()
        del model_pb2
        engine = backend_info(self.name).engine(options.engine).name
        solver_types = {"scip": parameters.SolverType.GSCIP, "highs": parameters.SolverType.HIGHS}
        started = time.perf_counter()
        threads, note = options.threads, ""
        if engine == "scip" and threads is not None and threads > 1:
            threads, note = None, SCIP_ONE_THREAD
        settings = parameters.SolveParameters(
            relative_gap_tolerance=options.gap,
            absolute_gap_tolerance=0.0,
            random_seed=options.seed,
            enable_output=options.log,
            threads=threads,
        )
        if options.node_limit is not None:
            settings.node_limit = options.node_limit
        if not options.heuristics:
            settings.heuristics = parameters.Emphasis.OFF
            if engine == "highs":
                settings.highs = _highs_without_heuristics()
        if options.time_limit is not None:
            settings.time_limit = datetime.timedelta(seconds=options.time_limit)
        log: list[str] = []
        interrupter = _interrupter()
        noise = SCIP_NOISE if engine == "scip" else NOTHING
        try:
            with interrupt.on_interrupt(interrupter.interrupt), fd_filtered(2, noise):
                answer = core.solve(
                    model_proto(program),
                    solver_types[engine].value,
                    init_arguments.StreamableSolverInitArguments().to_proto(),
                    settings.to_proto(),
                    _model_parameters(model_parameters, start if engine == "scip" else None),
                    log_sink(log, program, started, options.progress),
                    callback.CallbackRegistration().to_proto(),
                    None,
                    interrupter,
                )
        except Exception as error:  # pybind11's StatusNotOk carries the engine's refusal
            raise BackendError(
                f"OR-Tools {engine} refused the model or its settings: {error}"
            ) from None
        seconds = time.perf_counter() - started
        reasons = result.TerminationReason
        reason = answer.termination.reason
        message = f"{result.TerminationReason(reason).name} {answer.termination.detail}".strip()
        message = f"{message}; {note}" if note else message
        text = "\n".join(log)
        if options.log and text:
            print(text)
        feasible = [
            solution.primal_solution
            for solution in answer.solutions
            if solution.HasField("primal_solution")
            and solution.primal_solution.feasibility_status == 2  # SOLUTION_STATUS_FEASIBLE
        ]
        if feasible and reason in (reasons.OPTIMAL.value, reasons.FEASIBLE.value):
            best = feasible[0]
            x = np.zeros(program.n_columns)
            x[np.asarray(best.variable_values.ids, dtype=np.int64)] = best.variable_values.values
            bound = answer.termination.objective_bounds.dual_bound
            status = Status.OPTIMAL if reason == reasons.OPTIMAL.value else Status.FEASIBLE
            return SolverResult(
                status=status,
                objective=float(best.objective_value) + program.offset,
                bound=float(bound) + program.offset if math.isfinite(bound) else math.nan,
                x=x,
                seconds=seconds,
                backend=self.name,
                engine=engine,
                log=text,
                message=message,
                stop=_stop(answer.termination.limit, result.Limit),
            )
        if reason == reasons.INFEASIBLE.value:
            status = Status.INFEASIBLE
        elif reason == reasons.UNBOUNDED.value:
            status = Status.UNBOUNDED
        elif reason == reasons.NO_SOLUTION_FOUND.value:
            status = Status.NO_SOLUTION
        else:
            status = Status.UNKNOWN
        return no_plan(status, seconds, self.name, engine, message, text)
