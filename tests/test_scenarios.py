"""The scenario library: every file validates, the small ones solve alike on both backends, and
each tells the story its comments promise.

Files are found by glob, so a scenario someone adds is validated at once. ``EXPECTED`` says what
the files known here should do; a file not in it is only validated until someone adds its row.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from planning import rounded_plan_value

import flexsupply as fs
from flexsupply.cli import main
from flexsupply.plan.outputs import write_outputs

SCENARIOS = Path(__file__).parents[1] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))
BACKENDS = ["ortools", "pulp"]
RUN_SLOW = os.environ.get("FLEXSUPPLY_SLOW_TESTS") == "1"
SLOW_TIME_LIMIT = 60.0
"""Seconds a slow scenario may take per backend when the slow tests run [seconds]."""


@dataclass(frozen=True)
class Expect:
    """What solving one scenario file must give."""

    outcome: Literal["plan", "no plan"]
    slow: str | None = None
    """Why the file is too slow for every CI run (None: it solves in a few seconds)."""


EXPECTED: dict[str, Expect] = {
    "basics-replenishment.yaml": Expect("plan"),
    "group-buy.yaml": Expect("plan"),
    "dual-sourcing.yaml": Expect("plan"),
    "capacity-crunch.yaml": Expect("no plan"),
    "capacity-crunch-relaxed.yaml": Expect("plan"),
    "spring-drop.yaml": Expect(
        "plan",
        slow="30 styles x 15 demand scenarios (sampled from signals and reduced) with MOQs on "
        "every reorder: no proof of optimality within minutes on 2 cores (README, Makefile "
        "DEMO_FLAGS); a 60 s limit gives a plan with a gap",
    ),
    "double11-presale.yaml": Expect("plan"),
    "fabric-and-credit.yaml": Expect("plan"),
    "levers-demo.yaml": Expect("plan"),
    "signals-demo.yaml": Expect(
        "plan",
        slow="40 sampled scenarios: about 20 s per backend to prove optimality on 2 cores",
    ),
}


def _solve_params(outcome: str) -> list[Any]:
    """Returns the known files with this outcome as pytest params; slow ones marked, not hidden."""
    params = []
    for path in FILES:
        expect = EXPECTED.get(path.name)
        if expect is None or expect.outcome != outcome:
            continue
        marks: list[pytest.MarkDecorator] = []
        if expect.slow is not None:
            reason = f"slow: {expect.slow}; run with FLEXSUPPLY_SLOW_TESTS=1"
            marks = [pytest.mark.slow, pytest.mark.skipif(not RUN_SLOW, reason=reason)]
        params.append(pytest.param(path.name, marks=marks, id=path.stem))
    return params


@functools.cache
def solved(name: str, backend: str) -> fs.Plan:
    """Returns the plan of scenario file ``name`` on ``backend`` (solved once per test run)."""
    expect = EXPECTED[name]
    time_limit = SLOW_TIME_LIMIT if expect.slow is not None else None
    return fs.solve(fs.load(SCENARIOS / name), solver=backend, time_limit=time_limit)


def variant(name: str, edit: Any) -> fs.Scenario:
    """Returns scenario file ``name`` with ``edit(data)`` applied to its data, validated again."""
    data = yaml.safe_load(fs.dump(fs.load(SCENARIOS / name)))
    edit(data)
    return fs.loads(yaml.safe_dump(data, allow_unicode=True), source=f"{name} (edited)")


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_every_scenario_file_validates(path: Path) -> None:
    scenario = fs.load(path)

    assert scenario.products
    assert scenario.suppliers
    assert scenario.demand.scenario_count >= 1


def test_expectation_table_names_only_existing_files() -> None:
    assert set(EXPECTED) <= {path.name for path in FILES}


@pytest.mark.parametrize("name", _solve_params("plan"))
def test_scenario_solves_on_each_backend(name: str, backend: str) -> None:
    plan = solved(name, backend)

    assert plan.status in ("optimal", "feasible")
    if EXPECTED[name].slow is None:
        # Proven by the engine; only the rounding to whole pieces may cost a little.
        assert plan.gap < 5e-3
    assert plan.kpis.expected_profit == pytest.approx(plan.objective, rel=1e-6, abs=1e-6)
    assert plan.orders


@pytest.mark.parametrize("name", _solve_params("plan"))
def test_every_output_orders_whole_pieces_worth_the_profit_reported(
    name: str, backend: str, tmp_path: Path
) -> None:
    plan = solved(name, backend)
    write_outputs(plan, tmp_path)

    assert all(float(order.quantity).is_integer() for order in plan.orders)
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert all(isinstance(order["quantity"], int) for order in data["orders"])
    for table in ("orders", "purchase_orders"):
        with (tmp_path / f"{table}.csv").open(encoding="utf-8") as stream:
            quantities = [row["quantity"] for row in csv.DictReader(stream)]
        assert all(re.fullmatch(r"\d+", text) for text in quantities), table
    value, exact = rounded_plan_value(fs.load(SCENARIOS / name), plan, backend)
    if exact:
        assert plan.objective == pytest.approx(value, rel=1e-7, abs=1e-4)
    else:
        assert plan.objective <= value + 1e-4 * max(1.0, abs(value))
    assert plan.bound >= plan.objective - 1e-6 * abs(plan.objective)


@pytest.mark.parametrize("name", _solve_params("plan"))
def test_backends_agree_on_the_objective(name: str) -> None:
    plans = [solved(name, backend) for backend in BACKENDS]

    # Each objective lies within its own gap of the optimum, so two differ by at most the
    # larger gap (0 when both are proven optimal).
    slack = max(abs(plan.bound - plan.objective) for plan in plans)
    scale = max(1.0, abs(plans[0].objective))
    assert abs(plans[0].objective - plans[1].objective) <= slack + 1e-6 * scale


@pytest.mark.parametrize("name", _solve_params("no plan"))
def test_scenario_without_plan_says_why_on_each_backend(name: str, backend: str) -> None:
    with pytest.raises(fs.SolveError) as caught:
        fs.solve(fs.load(SCENARIOS / name), solver=backend)

    assert caught.value.status == "infeasible"
    assert caught.value.reasons


def crunch_shortfall(scenario: fs.Scenario) -> tuple[str, int, int, float]:
    """Works out by hand what the capacity crunch is short, from the scenario's own numbers.

    The presales that only QR-HZ can make in time all fall due in the same week; QR-HZ's minutes
    in the weeks before fall short, and the fewest pieces go missing when the style needing the
    most minutes per good piece is the one cut.

    Returns:
        ``(style, week taken, week due, pieces short)``.
    """
    qr = next(s for s in scenario.suppliers if s.id == "QR-HZ")
    products = {p.id: p for p in scenario.products}
    good = 1 - qr.defect_rate
    lead = {
        (s.id, product): term.lead_time_periods
        for s in scenario.suppliers
        for term in s.terms
        for product in term.product_ids
    }
    crunched = []
    for order in scenario.presale:
        due = order.period + order.promise_periods
        fast = {s for (s, p), time in lead.items() if p == order.product and 1 + time <= due}
        if fast == {"QR-HZ"}:
            crunched.append((order, due))
    dues = {due for _, due in crunched}
    assert len(dues) == 1, "the oracle assumes one due week"
    (due,) = dues
    weeks = due - lead[("QR-HZ", crunched[0][0].product)]
    assert isinstance(qr.capacity, float)
    minutes = {o.product: (products[o.product].standard_minutes or 0) / good for o, _ in crunched}
    need = sum(o.quantity * o.conversion_rate * minutes[o.product] for o, _ in crunched)
    style = max(minutes, key=lambda product: minutes[product])
    (taken,) = {o.period for o, _ in crunched if o.product == style}
    return style, taken, due, (need - weeks * qr.capacity) / minutes[style]


def test_capacity_crunch_names_style_period_and_shortfall(backend: str) -> None:
    scenario = fs.load(SCENARIOS / "capacity-crunch.yaml")
    style, taken, due, short = crunch_shortfall(scenario)

    with pytest.raises(fs.SolveError) as caught:
        fs.solve(scenario, solver=backend)

    assert short > 100
    (reason,) = caught.value.reasons
    assert reason.startswith(f"presale of {style} taken in week {taken} needs ")
    assert f" by week {due}; the only supplier fast enough (QR-HZ)" in reason
    assert f"(short {short:,.0f})" in reason
    assert f"QR-HZ is fully booked in weeks 1-{due - 1}" in reason


def test_capacity_crunch_cli_exits_3_with_the_reason() -> None:
    style, taken, due, short = crunch_shortfall(fs.load(SCENARIOS / "capacity-crunch.yaml"))

    result = CliRunner().invoke(main, ["solve", str(SCENARIOS / "capacity-crunch.yaml")])

    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: No plan for 'capacity-crunch'")
    assert re.search(
        rf"presale of {style} taken in week {taken} needs [\d,]+ units by week {due};.*"
        rf"\(short {short:,.0f}\)",
        result.output,
    )


def test_relaxed_crunch_ships_late_within_its_service_target() -> None:
    scenario = fs.load(SCENARIOS / "capacity-crunch-relaxed.yaml")
    plan = solved("capacity-crunch-relaxed.yaml", "ortools")

    assert scenario.service is not None
    target = scenario.service.min_presale_on_time
    assert target is not None
    assert target - 1e-6 <= plan.kpis.presale_on_time_share < 1
    assert plan.kpis.costs["late_shipment"] > 0


def _split(plan: fs.Plan) -> dict[str, float]:
    """Returns units ordered offshore and locally, and which scenarios reorder locally."""
    offshore = [o for o in plan.orders if o.supplier == "KH-PP"]
    local = [o for o in plan.orders if o.supplier == "QR-HZ"]
    return {
        "offshore": sum(o.quantity for o in offshore),
        "offshore_first_batch": sum(o.quantity for o in offshore if o.scenario is None),
        "local": sum(o.quantity for o in local),
        "local_shared": sum(o.quantity for o in local if o.scenario is None),
    }


def test_dual_sourcing_buys_the_first_batch_offshore_and_reorders_locally() -> None:
    plan = solved("dual-sourcing.yaml", "ortools")
    split = _split(plan)

    assert split["offshore_first_batch"] == pytest.approx(split["offshore"])
    assert split["offshore"] > split["local"] > 0
    assert split["local_shared"] == pytest.approx(0)
    assert {o.scenario for o in plan.orders if o.supplier == "QR-HZ"} >= {"hit"}
    first = min(o.period for o in plan.orders if o.supplier == "KH-PP")
    assert first < (fs.load(SCENARIOS / "dual-sourcing.yaml").reveal_period or 0)


def _without_local(data: dict[str, Any]) -> None:
    data["suppliers"] = [s for s in data["suppliers"] if s["id"] != "QR-HZ"]


def _mean_demand(data: dict[str, Any]) -> None:
    futures = data["demand"]["scenarios"]
    mean = {
        product: np.sum([np.multiply(f["units"][product], f["probability"]) for f in futures], 0)
        for product in futures[0]["units"]
    }
    data["demand"] = {"units": {p: [float(v) for v in units] for p, units in mean.items()}}


def test_dual_sourcing_without_the_local_factory_buys_more_offshore() -> None:
    base = _split(solved("dual-sourcing.yaml", "ortools"))
    alone = _split(fs.solve(variant("dual-sourcing.yaml", _without_local)))

    assert alone["local"] == 0
    assert alone["offshore_first_batch"] > base["offshore_first_batch"] + 100


def test_dual_sourcing_without_uncertainty_needs_less_local_reordering() -> None:
    base = _split(solved("dual-sourcing.yaml", "ortools"))
    certain = _split(fs.solve(variant("dual-sourcing.yaml", _mean_demand)))

    share = base["local"] / (base["local"] + base["offshore"])
    certain_share = certain["local"] / (certain["local"] + certain["offshore"])
    assert certain_share < share
    assert certain["offshore"] < base["offshore"]


def test_group_buy_keeps_every_next_day_promise_and_starts_from_the_wholesaler() -> None:
    scenario = fs.load(SCENARIOS / "group-buy.yaml")
    plan = solved("group-buy.yaml", "ortools")

    assert all(order.promise_periods == 1 for order in scenario.presale)
    assert plan.kpis.presale_on_time_share == pytest.approx(1)
    # No maker delivers by day 2, so the first rounds come from May stock and the wholesaler.
    assert {o.supplier for o in plan.orders if o.arrival_period == 2} == {"WH-HZ"}
    # Tees and sleeves follow the weather: the heatwave reorders more of them than the cool spell.
    reorders: dict[str, float] = {}
    for o in plan.orders:
        if o.scenario is not None and o.product in ("TEE-ICE", "SLEEVE-UV"):
            reorders[o.scenario] = reorders.get(o.scenario, 0) + o.quantity
    assert reorders["heatwave"] > reorders["cool"]


def test_fabric_and_credit_cuts_both_poplin_styles_from_rolls_bought_before_the_reveal() -> None:
    scenario = fs.load(SCENARIOS / "fabric-and-credit.yaml")
    plan = solved("fabric-and-credit.yaml", "ortools")
    reveal = scenario.reveal_period or 0

    poplin = [o for o in plan.material_orders if o.material == "POPLIN"]
    shared = [o for o in poplin if o.scenario is None]
    assert shared
    assert all(o.period < reveal for o in shared)
    assert {o.scenario for o in poplin} - {None} <= {"dress-hit"}
    assert all(o.quantity >= 300 - 1e-6 and o.quantity % 50 == pytest.approx(0) for o in poplin)
    assert plan.materials is not None
    use = next(table for table in plan.materials if table.material == "POPLIN")
    assert set(use.used) == {"SHIRT-01", "DRESS-02"}
    assert all(values.sum() > 0 for values in use.used.values())


def test_fabric_and_credit_draws_on_the_line_and_earns_more_than_without_it() -> None:
    plan = solved("fabric-and-credit.yaml", "ortools")

    def no_financing(data: dict[str, Any]) -> None:
        del data["cash"]["credit_line"], data["cash"]["loans"]

    alone = fs.solve(variant("fabric-and-credit.yaml", no_financing))
    assert plan.financing is not None
    assert plan.financing.draws.max() > 0
    assert plan.kpis.costs["interest"] > 0
    assert alone.kpis.costs["interest"] == 0
    assert plan.objective > alone.objective + 5000


def test_levers_demo_buys_the_slot_worth_its_fee_and_posts_past_the_density_threshold() -> None:
    plan = solved("levers-demo.yaml", "ortools")

    assert plan.levers is not None
    bought = {c.name: c.bought for c in plan.levers.campaigns}
    assert bought["live-w3"] == [1.0] * len(plan.scenarios)
    assert bought["live-w6"] == [0.0] * len(plan.scenarios)
    assert all(posts == 0 or posts >= 12 for posts in bought["koc-top"])
    assert any(posts >= 12 for posts in bought["koc-top"])
    assert all(clicks >= 1500 - 1e-6 for clicks in bought["ads-skirt"])
    assert plan.kpis.costs["marketing"] <= 12000 + 1e-6
    calendar = plan.levers.calendar(plan.probabilities, 8)
    assert set(calendar) == {"DRESS-01", "DRESS-02"}
    assert all(label == "full" for labels in calendar.values() for label in labels[:4])
    assert any(label != "full" for labels in calendar.values() for label in labels[4:])
