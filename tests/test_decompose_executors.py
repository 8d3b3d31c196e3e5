"""A subproblem process that hangs or dies costs its round, never the run.

The fake tasks run in the spawned worker processes: ``executors._solve_loaded`` is replaced in
this process by a module-level function of this file (pickled by reference), which hangs or
exits on block 0 and solves every other block with the real worker function.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest
from strategies import small_scenarios_with_limits

import flexsupply as fs
from flexsupply.backends import SolverOptions, get_backend
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.solve.decompose import executors, hybrid, method
from flexsupply.solve.decompose.executors import LOST, Executor
from flexsupply.solve.decompose.linking import partition
from flexsupply.solve.decompose.subproblems import BlockSolution, Task, blocks_of, priced_objective

HANG_SECONDS = 600.0
"""How long a hanging task sleeps: far past every limit of the tests [seconds]."""


def hang_on_block_0(task: Task) -> BlockSolution:
    """Hangs on block 0 (an engine ignoring its time limit); solves the others."""
    if task.block == 0:
        time.sleep(HANG_SECONDS)
    return executors._solve_loaded(task)


def die_on_block_0(task: Task) -> BlockSolution:
    """Ends its process on block 0 (out of memory, killed); solves the others."""
    if task.block == 0:
        os._exit(3)
    return executors._solve_loaded(task)


FAULTS = {"hang": hang_on_block_0, "die": die_on_block_0}
WORDS = {"hang": "were given up", "die": "process died"}


def scenario() -> fs.Scenario:
    return fs.Scenario.model_validate(small_scenarios_with_limits(cash=True, warehouse=True))


def round_of_tasks() -> tuple[list[Any], list[Task]]:
    """Every block's program and its task priced at zero multipliers."""
    program = build_program(scenario(), demand_scenarios(scenario()))[0]
    parts = partition(program)
    blocks = blocks_of(parts)
    options = SolverOptions(engine="highs", gap=1e-9)
    zero = np.zeros(len(parts.linking_rows))
    tasks = [
        Task(k, priced_objective(block, zero), "ortools", options) for k, block in enumerate(blocks)
    ]
    return [block.program for block in blocks], tasks


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_hung_or_dead_process_loses_its_round_and_the_next_round_runs(
    fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs, tasks = round_of_tasks()
    executor = Executor("local", workers=2)
    try:
        executor.load(programs)
        expected = executor.map(tasks)  # also starts the processes before the clock matters
        assert all(s.status != LOST for s in expected)
        with monkeypatch.context() as patch:
            patch.setattr(executors, "_solve_loaded", FAULTS[fault])
            started = time.perf_counter()
            faulty = executor.map(tasks, seconds=10.0)
            seconds = time.perf_counter() - started
        assert seconds < 10.0 + executors.STOP_SECONDS + 5.0
        assert faulty[0].status == LOST
        assert len(faulty[0].x) == 0
        # The lost block counts its LP bound: finite, and no tighter than its MILP's.
        assert math.isfinite(faulty[0].bound)
        assert faulty[0].bound >= expected[0].bound - 1e-6 * max(1.0, abs(expected[0].bound))
        if fault == "hang":
            # Only the hung task is lost; the others finished on the other process.
            for got, want in zip(faulty[1:], expected[1:], strict=True):
                assert got.status == want.status
                np.testing.assert_allclose(got.bound, want.bound, rtol=1e-9)
        assert executor.notes
        # A new pool runs the next round.
        again = executor.map(tasks)
        for got, want in zip(again, expected, strict=True):
            np.testing.assert_allclose(got.bound, want.bound, rtol=1e-9)
    finally:
        executor.close()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_run_with_a_hung_or_dead_process_still_returns_a_plan_and_a_valid_bound(
    fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = scenario()
    program = build_program(chosen, demand_scenarios(chosen))[0]
    optimum = get_backend("ortools").solve(program, SolverOptions(gap=1e-9))
    assert optimum.status == "optimal"
    monkeypatch.setattr(executors, "_solve_loaded", FAULTS[fault])
    monkeypatch.setattr(method, "ROUND_GRACE", 1.0)
    # Without the engine's tail (``hybrid.py``), which would prove this small season optimal.
    monkeypatch.setattr(hybrid, "engine_tail", lambda settings: settings)
    started = time.perf_counter()

    plan = fs.solve(chosen, "ortools", time_limit=20.0, method="decompose", workers=2)

    assert time.perf_counter() - started < 20.0 + executors.STOP_SECONDS + 10.0
    assert plan.status == "feasible"
    assert plan.bound >= optimum.objective - 1e-6 * abs(optimum.objective)
    assert plan.objective <= optimum.objective + 1e-6 * abs(optimum.objective)
    assert plan.stop == "time_limit"
    assert WORDS[fault] in plan.solver_message


CLUSTER = (
    "from distributed import LocalCluster\n"
    "import time\n"
    "cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol='tcp',"
    " dashboard_address=':0')\n"
    "print(cluster.scheduler_address, flush=True)\n"
    "time.sleep(600)\n"
)
"""A Dask cluster in a process of its own, so the test can kill it mid-run."""


def test_a_dask_cluster_that_goes_away_mid_run_falls_back_to_local_processes() -> None:
    pytest.importorskip("distributed")
    programs, tasks = round_of_tasks()
    reference = Executor("serial")
    reference.load(programs)
    expected = reference.map(tasks)
    with subprocess.Popen(
        [sys.executable, "-c", CLUSTER], stdout=subprocess.PIPE, text=True
    ) as cluster:
        assert cluster.stdout is not None
        executor = Executor("dask", workers=2, scheduler=cluster.stdout.readline().strip())
        try:
            executor.load(programs)
            rounds = [executor.map(tasks)]
            assert executor.kind == "dask"
            cluster.kill()
            cluster.wait()
            rounds.append(executor.map(tasks, seconds=60.0))
        finally:
            cluster.kill()
            executor.close()
    assert executor.kind == "local"
    assert "went away" in " ".join(executor.notes)
    for solutions in rounds:
        for got, want in zip(solutions, expected, strict=True):
            np.testing.assert_allclose(got.bound, want.bound, rtol=1e-9)
            np.testing.assert_allclose(got.x, want.x, atol=1e-9)


@pytest.mark.parametrize("workers", [2, 3])
def test_large_blocks_are_shared_out_each_process_holding_only_its_own(
    workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs, tasks = round_of_tasks()
    reference = Executor("serial")
    reference.load(programs)
    expected = reference.map(tasks)
    reference.close()
    monkeypatch.setattr(executors, "SHARD_BYTES", 0)  # share out even these small blocks
    executor = Executor("local", workers=workers)
    try:
        executor.load(programs)
        got = executor.map(tasks)
        sizes = [executors.program_bytes(program) for program in programs]
        home = executors.shares_of(programs, workers)
        held_by = [pool.submit(executors.loaded_blocks).result() for pool in executor._pools]
    finally:
        executor.close()
    assert len(held_by) == workers
    # Every block is held by exactly one process, the one its tasks go to.
    assert sorted(k for held in held_by for k in held) == list(range(len(programs)))
    for worker, held in enumerate(held_by):
        assert held == [k for k in range(len(programs)) if home[k] == worker]
        # A process's payload is its share of the blocks' bytes, not the whole program.
        assert sum(sizes[k] for k in held) <= sum(sizes) / workers + max(sizes)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.status == theirs.status
        np.testing.assert_allclose(mine.bound, theirs.bound, rtol=1e-9)
        np.testing.assert_allclose(mine.x, theirs.x, atol=1e-9)


def test_the_share_of_blocks_is_balanced_by_size() -> None:
    programs, _ = round_of_tasks()
    sizes = [executors.program_bytes(program) for program in programs]
    for workers in (1, 2, 4):
        home = executors.shares_of(programs, workers)
        held = [sum(s for s, h in zip(sizes, home, strict=True) if h == w) for w in range(workers)]
        assert sum(held) == sum(sizes)
        assert max(held) - min(held) <= max(sizes)


def interrupted_then_solved(task: Task) -> BlockSolution:
    """Sends Ctrl-C to its own process (as a terminal sends it to the group), then solves."""
    os.kill(os.getpid(), signal.SIGINT)
    return executors._solve_loaded(task)


def test_worker_processes_leave_ctrl_c_to_the_main_process(monkeypatch: pytest.MonkeyPatch) -> None:
    programs, tasks = round_of_tasks()
    executor = Executor("local", workers=2)
    try:
        executor.load(programs)
        expected = executor.map(tasks)
        with monkeypatch.context() as patch:
            patch.setattr(executors, "_solve_loaded", interrupted_then_solved)
            try:
                got = executor.map(tasks, seconds=60.0)
            except KeyboardInterrupt:
                pytest.fail("a worker process took Ctrl-C and passed it back")
        # Every task finished in its process; none raised KeyboardInterrupt here or was lost.
        for answer, want in zip(got, expected, strict=True):
            assert answer.status == want.status != LOST
            np.testing.assert_allclose(answer.bound, want.bound, rtol=1e-9)
        assert not executor.notes
    finally:
        executor.close()


@pytest.mark.parametrize("kind", ["serial", "local"])
def test_work_meanwhile_runs_once_and_leaves_the_round_unchanged(kind: str) -> None:
    programs, tasks = round_of_tasks()
    executor = Executor(kind, workers=2)
    calls: list[float] = []
    try:
        executor.load(programs)
        plain = executor.map(tasks)
        beside = executor.map(tasks, 60.0, lambda: calls.append(time.perf_counter()))
    finally:
        executor.close()

    assert len(calls) == 1
    for got, want in zip(beside, plain, strict=True):
        assert got.status == want.status != LOST
        np.testing.assert_allclose(got.bound, want.bound, rtol=1e-9)
