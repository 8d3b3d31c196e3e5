"""The warm start's LP dive on a process of its own (``decompose/early.py``)."""

from __future__ import annotations

import math

import numpy as np
from test_decompose import generated_season

from flexsupply.demand import demand_scenarios
from flexsupply.heuristics.lp_dive import dive
from flexsupply.model import build_program
from flexsupply.solve.decompose.early import EarlyDive


def test_the_dive_on_its_own_process_is_the_dive_here() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))
    early = EarlyDive(program, None)

    here = dive(program, math.inf)
    there = early.result()

    assert here is not None
    assert there is not None
    np.testing.assert_array_equal(there, here)
    assert early.result() is None  # collected once; its process is gone


def test_a_dive_with_no_time_gives_no_plan() -> None:
    scenario = generated_season()
    program, _ = build_program(scenario, demand_scenarios(scenario))

    assert EarlyDive(program, 0.0).result() is None
