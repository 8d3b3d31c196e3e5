"""Cancelling committed orders: closed forms on one style, notice and terms, cash, replan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.plan.order_changes import order_changes
from flexsupply.plan.outputs import write_outputs
from flexsupply.scenario.actuals_io import load_actuals
from flexsupply.solve.replan import replan

DATA = Path(__file__).parent / "data" / "cancel"
PRICE, COST, COMMITTED, DEMAND = 20.0, 10.0, 100.0, 50.0


def one_style(
    cost_share: float = 0.3,
    fee: float = 0.0,
    salvage: float = 2.0,
    notice: int = 1,
    partial: bool = True,
    **inbound: Any,
) -> fs.Scenario:
    """Returns the one-style case: 100 committed pieces arriving in period 2, demand 50."""
    data = fs.load(DATA / "one-style.yaml").model_dump()
    data["products"][0]["salvage_value"] = salvage
    data["suppliers"][0]["cancellation"] = {
        "cost_share": cost_share,
        "fee": fee,
        "notice_periods": notice,
        "partial": partial,
    }
    data["inbound"][0].update(inbound)
    return fs.loads(data)


def closed_form(cost_share: float, fee: float, salvage: float) -> tuple[float, float]:
    """Returns (units cancelled, profit): cancel the unsold units when that beats salvaging them.

    A unit kept and unsold brings its salvage value; a unit cancelled saves its price less the
    supplier's share. The 50 unsold are cancelled together when (1 − θ)·c − s, times 50, beats
    the fee. Profit counts the sales and the cancellation net of the sunk commitment.
    """
    unsold = COMMITTED - DEMAND
    gain = unsold * ((1 - cost_share) * COST - salvage) - fee
    sales = PRICE * DEMAND
    if gain > 0:
        return unsold, sales + unsold * (1 - cost_share) * COST - fee
    return 0.0, sales + unsold * salvage


@pytest.mark.parametrize(
    ("cost_share", "fee", "salvage"),
    [(0.3, 0.0, 2.0), (0.9, 0.0, 2.0), (0.3, 300.0, 2.0), (0.3, 200.0, 2.0), (0.0, 0.0, 9.0)],
)
def test_unneeded_order_cancelled_when_cheaper_than_its_leftover(
    backend: str, cost_share: float, fee: float, salvage: float
) -> None:
    cancelled, profit = closed_form(cost_share, fee, salvage)
    plan = fs.solve(one_style(cost_share, fee, salvage), solver=backend)
    assert [c.cancelled for c in plan.cancellations] == [pytest.approx(cancelled)]
    assert plan.kpis.expected_profit == pytest.approx(profit)
    assert plan.kpis.leftover_units == pytest.approx(COMMITTED - DEMAND - cancelled)
    charge = cost_share * COST * cancelled + (fee if cancelled else 0.0)
    assert plan.kpis.costs["cancellation"] == pytest.approx(charge)
    assert plan.cancellations[0].charge == pytest.approx(charge)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"notice": 3}, "arrives in period 2, notice 3 periods"),
        ({"cancellable": False}, "production started"),
    ],
)
def test_order_that_cannot_be_cancelled_stays(
    backend: str, change: dict[str, Any], reason: str
) -> None:
    plan = fs.solve(one_style(**change), solver=backend)
    assert plan.cancellations == [], reason
    assert plan.kpis.leftover_units == pytest.approx(COMMITTED - DEMAND)
    assert plan.kpis.expected_profit == pytest.approx(closed_form(1.0, 0.0, 2.0)[1])


def test_supplier_without_terms_keeps_its_orders() -> None:
    data = fs.load(DATA / "one-style.yaml").model_dump()
    data["suppliers"][0]["cancellation"] = None
    plan = fs.solve(fs.loads(data), solver="pulp")
    assert plan.cancellations == []
    assert plan.kpis.leftover_units == pytest.approx(COMMITTED - DEMAND)


@pytest.mark.parametrize(("demand", "cancelled"), [(50.0, 0.0), (0.0, 100.0)])
def test_whole_orders_only_cancel_all_or_nothing(
    backend: str, demand: float, cancelled: float
) -> None:
    data = one_style(partial=False).model_dump()
    data["demand"]["units"]["TEE"] = [0.0, demand, 0.0]
    plan = fs.solve(fs.loads(data), solver=backend)
    assert plan.cancellations[0].cancelled == pytest.approx(cancelled)
    # Kept: 20 per piece sold, 2 per piece left; cancelled: 7 per piece back.
    kept = PRICE * demand + 2.0 * (COMMITTED - demand)
    assert plan.kpis.expected_profit == pytest.approx(max(kept, 0.7 * COST * COMMITTED))


@pytest.mark.parametrize(
    ("cost_share", "cash"), [(0.3, [1000, 1600, 1650]), (0.1, [1100, 1700, 1750])]
)
def test_cash_refund_now_and_smaller_balance_later(
    backend: str, cost_share: float, cash: list[float]
) -> None:
    """300 of the 1,000 order was paid up front, 700 is due in period 3; 50 of 100 are cancelled.

    The balance shrinks by half of 700; in period 1 the supplier refunds what was paid for the
    cancelled half beyond its charge: (300 − θ·1,000)·½.
    """
    scenario = one_style(cost_share, order_value=1000.0, payment_due=700.0, payment_period=3)
    data = scenario.model_dump()
    data["cash"] = {"initial": 1000.0}
    plan = fs.solve(fs.loads(data), solver=backend)
    assert plan.cash is not None
    assert plan.cash[0].tolist() == pytest.approx(cash)


def test_order_value_below_what_is_owed_is_a_located_error() -> None:
    data = one_style().model_dump()
    data["inbound"][0]["order_value"] = 10.0
    with pytest.raises(fs.ScenarioError, match=r"inbound\[0\]\.order_value: must be at least"):
        fs.loads(data)


def test_replan_cancels_the_committed_order_a_flop_no_longer_needs(
    backend: str, tmp_path: Path
) -> None:
    """After a flop week, 35 tees in stock cover the 20 still to sell: the 100 on order go.

    Profit of the weeks left: 20 sold at 20, 15 salvaged at 2, the 1,000 order not paid, less
    the supplier's 20 % of it.
    """
    season = fs.load(DATA / "season.yaml")
    old = fs.solve(season, solver=backend)
    done = replan(season, load_actuals(DATA / "actuals.yaml", season), old, backend)
    assert [(c.units, c.cancelled) for c in done.plan.cancellations] == [(100.0, 100.0)]
    assert done.plan.kpis.expected_profit == pytest.approx(20 * 20 + 15 * 2 + 1000 - 200)
    cancelled = [c for c in done.changes if c.kind == "cancelled" and c.period == 1]
    assert [(c.old_units, c.new_units) for c in cancelled] == [(100.0, 0.0)]
    assert "cancelled or reduced: 1" in done.summary()
    written = {path.name for path in write_outputs(done.plan, tmp_path)}
    assert "cancellations.csv" in written
    again = fs.Plan.from_json(tmp_path / "plan.json")
    assert again.cancellations == done.plan.cancellations
    assert order_changes(old, again) == done.changes


def test_compare_and_report_show_the_cancellation(tmp_path: Path) -> None:
    season = fs.load(DATA / "season.yaml")
    old = fs.solve(season, solver="pulp")
    done = replan(season, load_actuals(DATA / "actuals.yaml", season), old, "pulp")
    old.to_json(tmp_path / "old.json")
    done.plan.to_json(tmp_path / "new.json")
    runner = CliRunner()
    result = runner.invoke(
        main, ["compare", str(tmp_path / "old.json"), str(tmp_path / "new.json")]
    )
    assert result.exit_code == 0, result.output
    line = next(
        line for line in result.output.splitlines() if "cancelled" in line and " 1 " in line
    )
    assert line.split()[-2:] == ["100", "0"]
    result = runner.invoke(
        main, ["report", str(tmp_path / "new.json"), "-o", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r.html").read_text()
    assert 'id="cancellations-table"' in html
    assert "<td class=num>100</td><td class=num>100</td><td class=num>0</td>" in html


@settings(max_examples=8, deadline=None)
@given(
    cost_share=st.floats(0.0, 1.0),
    fee=st.floats(0.0, 500.0),
    salvage=st.floats(0.0, 9.5),
)
def test_cancellation_matches_the_closed_form(
    cost_share: float, fee: float, salvage: float
) -> None:
    cancelled, profit = closed_form(cost_share, fee, salvage)
    plan = fs.solve(one_style(cost_share, fee, salvage), solver="pulp")
    assert plan.kpis.expected_profit == pytest.approx(profit, abs=1e-4)
    gain = (COMMITTED - DEMAND) * ((1 - cost_share) * COST - salvage) - fee
    if abs(gain) > 1e-3:  # at a tie, cancelling and keeping are both optimal
        assert plan.cancellations[0].cancelled == pytest.approx(cancelled)


def test_stochastic_report_keeps_the_mean_plans_cancellation(backend: str) -> None:
    """Demand 20 or 100 (even odds): keeping a piece brings ½·20 + ½·2 = 11 > 7 saved, so the
    plan keeps all 100 (RP 1,280). The mean plan (demand 60) cancels 40; kept on both futures
    that is ½·(400 + 80 + 280) + ½·(1,200 + 280) = 1,120 (EEV), so VSS = 160.
    """
    data = one_style().model_dump()
    data["demand"] = {
        "scenarios": [
            {"name": "flop", "probability": 0.5, "units": {"TEE": [0, 10, 10]}},
            {"name": "hit", "probability": 0.5, "units": {"TEE": [0, 50, 50]}},
        ]
    }
    plan = fs.solve(fs.loads(data), solver=backend, stochastic_report=True)
    assert plan.stochastic is not None
    assert plan.stochastic.rp == pytest.approx(1280)
    assert plan.stochastic.eev == pytest.approx(1120)
    assert plan.stochastic.vss == pytest.approx(160)
