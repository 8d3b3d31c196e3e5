"""Tests of flexsupply.errors: every error crosses a process boundary with its fields."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from flexsupply.backends.interrupt import Interrupted
from flexsupply.batch.variants import BatchError
from flexsupply.errors import (
    BackendError,
    FlexsupplyError,
    MethodError,
    Problem,
    ScenarioError,
    SolveError,
)
from flexsupply.files import OutputError
from flexsupply.plan.files import PlanFileError
from flexsupply.report.svg import ReportExtraError
from flexsupply.scenario.starter import StarterError
from flexsupply.solve.profiles import ProfileError

_PROBLEMS = [
    Problem(("suppliers", 2, "moq"), "expected a number", "s.yaml", 4, 9),
    Problem(("horizon",), "expected at least 1 period"),
]

_ERRORS: list[FlexsupplyError] = [
    FlexsupplyError("plain"),
    ScenarioError(_PROBLEMS, "s.yaml"),
    ScenarioError(_PROBLEMS),
    BackendError("no such backend"),
    SolveError("no plan", "infeasible", ["demand above capacity in week 3"]),
    SolveError("no plan", "unknown"),
    MethodError("no dask"),
    Interrupted("stopped by Ctrl-C"),
    PlanFileError(_PROBLEMS[:1], "plan.json"),
    PlanFileError(_PROBLEMS, "plan.json"),
    ProfileError(_PROBLEMS, "fast.yaml"),
    OutputError("cannot write out/"),
    BatchError("repeated name"),
    StarterError("exists"),
    ReportExtraError("install matplotlib"),
]


def _fields(error: BaseException) -> dict[str, Any]:
    return {k: v for k, v in vars(error).items() if not k.startswith("_")}


def _subclasses(cls: type[FlexsupplyError]) -> set[type[FlexsupplyError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_error_class_is_covered() -> None:
    covered = {type(error) for error in _ERRORS}
    assert _subclasses(FlexsupplyError) <= covered


@pytest.mark.parametrize("error", _ERRORS, ids=lambda e: type(e).__name__)
def test_error_pickles_with_fields(error: FlexsupplyError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert _fields(copy) == _fields(error)
    assert copy.exit_code == error.exit_code


def test_solve_error_keeps_status_and_reasons() -> None:
    copy = pickle.loads(pickle.dumps(SolveError("no plan", "infeasible", ["week 3"])))
    assert (copy.status, copy.reasons) == ("infeasible", ["week 3"])


def test_error_from_spawned_worker_reaches_parent() -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(_raise_solve_error, "infeasible")
        with pytest.raises(SolveError) as caught:
            future.result()
    assert caught.value.status == "infeasible"
    assert caught.value.reasons == ["week 3"]


def _raise_solve_error(status: str) -> None:
    raise SolveError("no plan", status, ["week 3"])
