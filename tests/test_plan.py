"""Plan outputs: dict, JSON (stable, atomic), data frames, and KPIs that add up."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import flexsupply as fs
from flexsupply.plan.files import PlanFileError

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


@pytest.fixture(scope="module")
def plan() -> fs.Plan:
    return fs.solve(fs.load(SMALL))


def test_json_is_stable_and_written_atomically(plan: fs.Plan, tmp_path: Path) -> None:
    target = tmp_path / "plan.json"

    text = plan.to_json(target)

    assert target.read_text(encoding="utf-8") == text
    assert not list(tmp_path.glob("*.tmp"))
    assert list(json.loads(text))[:4] == ["scenario", "currency", "status", "objective"]
    assert plan.to_json() == text


def test_kpis_add_up_to_the_objective(plan: fs.Plan) -> None:
    kpis = plan.kpis

    assert kpis.expected_profit == pytest.approx(plan.objective)
    assert kpis.revenue - sum(kpis.costs.values()) == pytest.approx(kpis.expected_profit)
    assert sum(kpis.revenue_by_kind.values()) == pytest.approx(kpis.revenue)


def test_orders_frame_matches_the_order_list(plan: fs.Plan) -> None:
    frame = plan.to_frame("orders")

    assert list(frame["quantity"]) == [order.quantity for order in plan.orders]
    assert set(frame.columns) >= {"supplier", "product", "period", "arrival_period", "quantity"}


@pytest.mark.parametrize("name", ["inventory", "presale", "kpis"])
def test_every_table_is_available_as_a_frame(plan: fs.Plan, name: str) -> None:
    assert len(plan.to_frame(name)) > 0


def test_unknown_table_is_a_clear_error(plan: fs.Plan) -> None:
    with pytest.raises(ValueError, match="choose orders, inventory, presale or kpis"):
        plan.to_frame("nope")


def test_materials_and_financing_round_trip_through_the_plan_file(tmp_path: Path) -> None:
    scenario = fs.load(Path(__file__).parents[1] / "scenarios" / "fabric-and-credit.yaml")
    plan = fs.solve(scenario)
    plan.to_json(tmp_path / "plan.json")

    read = fs.Plan.from_json(tmp_path / "plan.json")

    assert read.financing is not None
    assert plan.financing is not None
    assert read.financing.balance == pytest.approx(plan.financing.balance, abs=1e-4)
    assert read.financing.loans[0].name == "season-loan"
    assert read.material_orders == plan.material_orders
    assert read.materials is not None
    assert [use.material for use in read.materials] == ["POPLIN", "LINEN", "BUTTON"]
    written, again = plan.to_dict(), read.to_dict()
    # The file keeps each scenario's numbers; expected values are recomputed from them.
    assert [m["by_scenario"] for m in again["materials"]["by_material"]] == [
        m["by_scenario"] for m in written["materials"]["by_material"]
    ]
    assert again["financing"]["by_scenario"] == written["financing"]["by_scenario"]
    assert again["financing"]["loans"] == written["financing"]["loans"]


def test_from_json_reads_back_the_plan_to_json_wrote(plan: fs.Plan, tmp_path: Path) -> None:
    plan.to_json(tmp_path / "plan.json")

    again = fs.Plan.from_json(tmp_path)  # a folder means its plan.json

    assert again.to_dict() == plan.to_dict()
    assert again.orders == plan.orders
    assert again.kpis == plan.kpis
    assert np.array_equal(again.inventory.round(4), plan.inventory.round(4))


def test_a_plan_file_of_an_older_version_reads_with_unknown_tables_as_nan() -> None:
    older = fs.Plan.from_json(Path(__file__).parent / "data" / "report" / "spring-drop-plan.json")

    assert older.sales.shape == older.inventory.shape
    assert np.isnan(older.sales).all()
    assert older.to_dict()["sales_expected"][older.products[0]][0] is None
    assert older.kpis.expected_profit > 0


def test_data_that_is_not_a_plan_names_each_bad_field(plan: fs.Plan) -> None:
    data = plan.to_dict()
    del data["orders"][0]["quantity"]
    data["kpis"]["fill_rate"] = "high"

    with pytest.raises(PlanFileError) as caught:
        fs.Plan.from_dict(data, "edited.json")

    paths = sorted(problem.path for problem in caught.value.problems)
    assert paths == ["kpis.fill_rate", "orders[0].quantity"]
    assert str(caught.value).startswith("2 problems in plan edited.json")
