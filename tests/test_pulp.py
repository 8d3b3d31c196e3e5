"""The PuLP backend with HiGHS stopped by its node limit: a plan when it has one, never a crash."""

from __future__ import annotations

from programs import knapsack, subset_sum

from flexsupply.backends import SolverOptions, Status, get_backend

NODE_LIMIT = SolverOptions(engine="highs", node_limit=1)


def test_highs_stopped_by_the_node_limit_returns_its_feasible_plan() -> None:
    program = knapsack()
    optimum = get_backend("ortools").solve(program, SolverOptions(engine="highs"))

    result = get_backend("pulp").solve(program, NODE_LIMIT)

    assert optimum.status == Status.OPTIMAL
    assert (result.status, result.stop) == (Status.FEASIBLE, "node_limit")
    assert "node limit of 1" in result.message
    assert program.violation(result.x) <= 1e-6
    assert result.objective == program.value(result.x)
    assert result.objective <= optimum.objective + 1e-6 <= result.bound + 2e-6


def test_highs_stopped_by_the_node_limit_without_a_solution_says_so() -> None:
    program = subset_sum()
    solved = get_backend("ortools").solve(program, SolverOptions(engine="highs"))

    result = get_backend("pulp").solve(program, NODE_LIMIT)

    assert solved.status == Status.OPTIMAL  # feasible: no solution is the node limit's doing
    assert (result.status, result.stop) == (Status.NO_SOLUTION, "node_limit")
    assert "node limit of 1" in result.message
