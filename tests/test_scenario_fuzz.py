"""Fuzzing the scenario reader: any mutated bundled file is a Scenario or a located ScenarioError.

A few hundred seeded cases here; ``benchmarks/fuzz.py`` runs thousands and commits the counts.
"""

from __future__ import annotations

import collections

import pytest
from fuzzing import CASE_SECONDS, MUTATIONS, Outcome, cases, check_case

CASES = 300
SEED = 15


@pytest.fixture(scope="module")
def outcomes() -> list[Outcome]:
    return [check_case(case) for case in cases(CASES, SEED)]


def test_mutated_scenarios_give_only_located_scenario_errors_quickly(
    outcomes: list[Outcome],
) -> None:
    failures = [f"{o.case.source} {o.case.mutation}: {o.failure}" for o in outcomes if o.failure]

    assert failures == []
    assert max(o.seconds for o in outcomes) < CASE_SECONDS


def test_the_cases_cover_every_mutation_and_both_outcomes(outcomes: list[Outcome]) -> None:
    used = {name for o in outcomes for name in o.case.mutation.split("+")}
    results = collections.Counter(o.result for o in outcomes)

    assert used == set(MUTATIONS)
    assert results["accepted"] > 0
    assert results["refused"] > 0


def test_the_same_seed_gives_the_same_cases() -> None:
    assert cases(20, SEED) == cases(20, SEED)
    assert cases(20, SEED) != cases(20, SEED + 1)
