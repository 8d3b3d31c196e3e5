"""Live progress read from the progress tables SCIP and HiGHS print while OR-Tools solves."""

from __future__ import annotations

from pathlib import Path

import pytest
from programs import one_column

from flexsupply.backends.live import log_sink
from flexsupply.backends.result import Progress
from flexsupply.scenario import load
from flexsupply.solve.engine import solve

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"

SCIP_LOG = [
    "presolving:",
    "(round 1, fast)       11 del vars, 7 del conss, 0 add conss, 5 chg bounds",
    " time | node  | left  |LP iter|LP it/n|mem/heur|mdpt |vars |cons |rows |cuts |sepa|confs|strbr|  dualbound   | primalbound  |  gap   | compl. ",
    "  1.7s|     1 |     0 |  9720 |     - |    89M |   0 |4566 |9742 |9729 |   0 |  0 |  11 |   0 | 5.107811e+05 |      --      |    Inf | unknown",
    "o 2.7s|     1 |     0 |  9720 |     - |feaspump|   0 |4566 |9742 |9729 |   0 |  0 |  11 |   0 | 5.107811e+05 | 2.902949e+05 |  75.95%| unknown",
    "SCIP Status        : solving was interrupted [time limit reached]",
    "Gap                : 72.16 %",
]
HIGHS_LOG = [
    "MIP flexsupply has 15 rows; 18 cols; 37 nonzeros; 3 integer variables (2 binary)",
    "        Nodes      |    B&B Tree     |            Objective Bounds              |  Dynamic Constraints |       Work      ",
    "Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |   Cuts   InLp Confl. | LpIters     Time",
    "",
    "         0       0         0   0.00%   510066.601303   -inf                 inf        0      0      6      2638     0.4s",
    " R       0       0         0   0.00%   503543.707742   358801.019262     40.34%     1599    182      6      3210     2.4s",
    "  Gap               37.5% (tolerance: 0.01%)",
]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (SCIP_LOG, [(None, 510781.1 - 100), (290294.9 - 100, 510781.1 - 100)]),
        (HIGHS_LOG, [(None, 510066.601303 - 100), (358801.019262 - 100, 503543.707742 - 100)]),
    ],
    ids=["scip", "highs"],
)
def test_table_rows_become_progress_in_the_plans_sense(
    lines: list[str], expected: list[tuple[float | None, float | None]]
) -> None:
    seen: list[Progress] = []
    log: list[str] = []
    sink = log_sink(log, one_column(offset=-100.0), 0.0, seen.append)

    for line in lines:  # the engines hand over one or a few lines at a time
        sink([line])

    assert log == lines
    assert [(p.incumbent, p.bound) for p in seen] == [
        (None if i is None else pytest.approx(i), pytest.approx(b)) for i, b in expected
    ]
    assert all(p.seconds > 0 for p in seen)


def test_without_a_progress_callback_the_sink_only_collects_lines() -> None:
    log: list[str] = []

    sink = log_sink(log, one_column(), 0.0, None)
    sink(SCIP_LOG)

    assert sink == log.extend
    assert log == SCIP_LOG


def test_rows_before_a_table_header_are_not_read() -> None:
    seen: list[Progress] = []
    sink = log_sink([], one_column(), 0.0, seen.append)

    sink([SCIP_LOG[4], HIGHS_LOG[5]])

    assert seen == []


@pytest.mark.parametrize("engine", ["scip", "highs"])
def test_ortools_reports_progress_ending_at_the_plans_objective(engine: str) -> None:
    seen: list[Progress] = []

    plan = solve(load(SMALL), "ortools", engine=engine, progress=seen.append)

    assert seen
    assert seen[-1].incumbent == pytest.approx(plan.objective)
    assert seen[-1].bound == pytest.approx(plan.objective)
    # Maximising profit: no incumbent is above the best plan, no bound below it.
    assert all(p.incumbent is None or p.incumbent <= plan.objective + 1e-6 for p in seen)
    assert all(p.bound is None or p.bound >= plan.objective - 1e-6 for p in seen)
