"""Materials shared by styles: bought in rolls, used when sewing starts, the plan limited by them.

Expected numbers are worked out by hand next to each case. Money in currency units, fabric in
metres, garments in pieces.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from planning import plan_for

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model import LinearProgram, build_program
from flexsupply.solve.decompose import partition

SHARED_FABRIC = """
    horizon: {{periods: 3}}
    products:
      - id: DRESS
        price: 100
        bom: [{{material: POPLIN, quantity: 2}}]
      - id: SHIRT
        price: 60
        bom: [{{material: POPLIN, quantity: 0.9, cutting_loss: 0.1}}]
    suppliers:
      - id: SEW
        terms:
          - products: [DRESS, SHIRT]
            unit_cost: 20
            lead_time_periods: 1
    materials:
      - id: POPLIN
        salvage_value: 1
        suppliers:
          - supplier: MILL
            unit_cost: 5
            moq: 300
            {multiple}
            lead_time_periods: 1
    demand:
      units:
        DRESS: [0, 0, 80]
        SHIRT: [0, 0, 90]
"""


@pytest.mark.parametrize(
    ("multiple", "metres"),
    [
        # 80·2 + 90·0.9/(1 − 0.1) = 250 m needed, the roll MOQ makes it 300
        pytest.param("", 300, id="roll-moq"),
        # whole rolls of 140 m from 300 m on: 420 m
        pytest.param("order_multiple: 140", 420, id="whole-rolls"),
    ],
)
def test_two_styles_share_one_fabric_bought_by_the_roll(
    backend: str, multiple: str, metres: float
) -> None:
    plan = plan_for(SHARED_FABRIC.format(multiple=multiple), backend)

    # sales 80·100 + 90·60 = 13400, sewing 170·20 = 3400, fabric 5 per m, 1 per m left over
    assert plan.objective == pytest.approx(13400 - 3400 - 5 * metres + (metres - 250))
    assert plan.kpis.costs["material_purchase"] == pytest.approx(5 * metres)
    assert plan.materials is not None
    table = plan.materials[0]
    assert table.material == "POPLIN"
    assert table.ordered[0] == pytest.approx([metres, 0, 0], abs=1e-6)
    assert table.used["DRESS"][0] == pytest.approx([0, 160, 0], abs=1e-6)
    assert table.used["SHIRT"][0] == pytest.approx([0, 90, 0], abs=1e-6)
    assert table.stock[0] == pytest.approx([0, metres - 250, metres - 250], abs=1e-6)


FABRIC_LIMITED = """
    horizon: {{periods: 3}}
    products:
      - id: DRESS
        price: 100
        bom: [{{material: POPLIN, quantity: 2}}]
    suppliers:
      - id: SEW
        capacity: 10000
        terms:
          - product: DRESS
            unit_cost: 20
            lead_time_periods: 1
    materials:
      - id: POPLIN
        name: white cotton poplin
        suppliers:
          - supplier: MILL
            unit_cost: 5
            max_per_order: 200
            lead_time_periods: 1
{demand}
"""


def test_fabric_not_sewing_capacity_limits_the_plan(backend: str) -> None:
    demand = "    demand:\n      units:\n        DRESS: [0, 0, 150]"
    plan = plan_for(FABRIC_LIMITED.format(demand=demand), backend)

    # only the week-1 fabric order (200 m) arrives in time to sew for week 3: 100 dresses
    assert sum(order.quantity for order in plan.orders) == pytest.approx(100)
    assert plan.capacity_used["SEW"][1] == pytest.approx(100)
    assert plan.objective == pytest.approx(100 * 100 - 100 * 20 - 200 * 5)


def test_firm_presale_short_of_fabric_is_explained_by_the_fabric(backend: str) -> None:
    presale = "    presale:\n      - {product: DRESS, period: 1, quantity: 150, promise_periods: 2}"
    scenario = fs.loads(FABRIC_LIMITED.format(demand=presale))

    with pytest.raises(fs.SolveError) as caught:
        fs.solve(scenario, solver=backend)

    assert any(
        "material POPLIN (white cotton poplin) runs short" in reason
        and "need 100 m more" in reason
        and "MILL" in reason
        for reason in caught.value.reasons
    )


def test_bill_of_materials_must_name_a_known_material() -> None:
    text = SHARED_FABRIC.format(multiple="").replace(
        "material: POPLIN, quantity: 2", "material: POPLN, quantity: 2"
    )

    with pytest.raises(
        fs.ScenarioError, match="unknown material 'POPLN' \\(did you mean 'POPLIN'\\?\\)"
    ):
        fs.loads(text)


def test_material_salvage_at_its_price_is_rejected() -> None:
    text = SHARED_FABRIC.format(multiple="").replace("salvage_value: 1", "salvage_value: 5")

    with pytest.raises(
        fs.ScenarioError, match="salvage_value 5 must be below the cheapest price 5"
    ):
        fs.loads(text)


FABRIC_SEASON = Path(__file__).parents[1] / "scenarios" / "fabric-and-credit.yaml"


def _rows(program: LinearProgram, name: str) -> np.ndarray:
    block = program.row_blocks[name]
    return np.arange(block.start, block.stop)


def test_material_and_cash_rows_link_styles_and_lot_rows_stay_inside_one() -> None:
    scenario = fs.load(FABRIC_SEASON)
    program, _ = build_program(scenario, demand_scenarios(scenario))

    linking = set(partition(program).linking_rows.tolist())

    # poplin feeds two styles: its stock balance rows join them; cash carries the credit line
    poplin = 0
    balance = _rows(program, "material_balance").reshape(3, 6, 3)
    assert set(balance[poplin].ravel().tolist()) <= linking
    assert set(_rows(program, "cash_balance").tolist()) <= linking
    assert not set(_rows(program, "material_lots_shared_size").tolist()) & linking
