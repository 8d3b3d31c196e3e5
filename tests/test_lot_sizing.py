"""Capacitated lot sizing with setup times: Trigeiro instances reach their proven optima."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from oracles import read_trigeiro, trigeiro_scenario

import flexsupply as fs

TRIGEIRO = Path(__file__).parent / "data" / "trigeiro"


def proven_optima() -> dict[str, float]:
    with (TRIGEIRO / "proven_optima.csv").open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: float(row["optimal_objective"]) for row in csv.DictReader(handle)}


OPTIMA = proven_optima()


@pytest.mark.parametrize("instance", sorted(OPTIMA))
def test_capacitated_lot_sizing_reaches_proven_optimum(backend: str, instance: str) -> None:
    scenario = trigeiro_scenario(read_trigeiro(TRIGEIRO / f"{instance}.DAT"))

    plan = fs.solve(scenario, backend)

    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(OPTIMA[instance], abs=1e-6)
    used = plan.capacity_used["PLANT"]
    assert max(used) <= read_trigeiro(TRIGEIRO / f"{instance}.DAT").capacity + 1e-6


def test_reader_takes_the_numbers_of_f22() -> None:
    instance = read_trigeiro(TRIGEIRO / "F22.DAT")

    assert (instance.n_items, instance.n_periods, instance.capacity) == (6, 15, 1064)
    assert instance.capacity_per_unit == [1.0] * 6
    assert instance.holding == [3.0, 2.0, 4.0, 5.0, 1.0, 3.0]
    assert (instance.setup_time[0], instance.setup_cost[0]) == (150.0, 600.0)
    assert [row[0] for row in instance.demand] == [0, 81, 80, 104, 0, 0]
    assert [row[1] for row in instance.demand] == [0, 77, 0, 84, 112, 118]


def write_instance(path: Path, demand: list[list[int]]) -> None:
    """Writes a Trigeiro file with demand in blocks of 15 items, as the originals are laid out."""
    items, periods = len(demand), len(demand[0])
    lines = [f"{items} {periods}", "1", "500"]
    lines += [f"1.00 {i + 1}.00 10. {100 * (i + 1)}." for i in range(items)]
    for first in range(0, items, 15):
        block = range(first, min(first + 15, items))
        lines += [" ".join(str(demand[i][t]) for i in block) for t in range(periods)]
    lines += ["  Bi   hi   su   su", "           time cost"]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def test_reader_joins_demand_blocks_of_fifteen_items(tmp_path: Path) -> None:
    demand = [[100 * i + t for t in range(4)] for i in range(17)]
    write_instance(tmp_path / "wide.DAT", demand)

    instance = read_trigeiro(tmp_path / "wide.DAT")

    assert instance.demand == demand
    assert instance.holding == [float(i + 1) for i in range(17)]
    assert instance.setup_cost[-1] == 1700.0
