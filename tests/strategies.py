"""Hypothesis strategies shared by tests: small random scenarios that always have a plan."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PERIODS = 4
PRODUCTS = ["TEE", "SKIRT"]
SUPPLIERS = ["QUICK", "SLOW"]


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Two products, two suppliers, two demand futures, four periods; always feasible.

    Each supplier can make both products and keeps at least 60 capacity units a period after a
    setup, more than any MOQ, so presale (at most 50 units per order) can always be made in time.
    """
    money = st.integers(0, 200)
    products = []
    for product_id in PRODUCTS:
        unmet = draw(st.sampled_from(["lost", "backlog"]))
        products.append(
            {
                "id": product_id,
                "price": draw(st.integers(40, 120)),
                "salvage_value": draw(st.integers(0, 9)),
                "holding_cost": draw(st.sampled_from([0, 0.5, 1, 2])),
                "goodwill_cost": draw(st.integers(0, 10)),
                "unmet_demand": unmet,
                "backlog_cost": draw(st.integers(0, 5)) if unmet == "backlog" else 0,
                "initial_stock": draw(st.sampled_from([0, 0, 10])),
            }
        )
    suppliers = []
    for supplier_id in SUPPLIERS:
        suppliers.append(
            {
                "id": supplier_id,
                "capacity": draw(st.one_of(st.none(), st.integers(80, 300))),
                "onboarding_cost": draw(st.sampled_from([0, 0, 300])),
                "terms": [
                    {
                        "product": product_id,
                        "unit_cost": draw(st.integers(10, 40)),
                        "setup_cost": draw(money),
                        "setup_time": draw(st.integers(0, 20)),
                        "moq": draw(st.sampled_from([0, 0, 20, 40])),
                        "lead_time_periods": draw(st.integers(0, 1)),
                    }
                    for product_id in PRODUCTS
                ],
            }
        )
    presale = []
    for _ in range(draw(st.integers(0, 2))):
        period = draw(st.integers(1, PERIODS))
        forbidden = draw(st.booleans())
        # A forbidden-late order is due no earlier than period 2, so lead time 1 can meet it.
        promise = draw(st.integers(max(0, 2 - period), PERIODS - period))
        presale.append(
            {
                "product": draw(st.sampled_from(PRODUCTS)),
                "period": period,
                "quantity": draw(st.integers(0, 50)),
                "deposit": draw(st.integers(0, 20)),
                "conversion_rate": draw(st.sampled_from([1.0, 0.8])),
                "promise_periods": promise,
                "lateness": "forbidden" if forbidden else "priced",
                "late_cost": 0 if forbidden else draw(st.integers(0, 10)),
            }
        )
    high = draw(st.sampled_from([0.3, 0.5, 0.7]))
    futures = [
        {
            "name": name,
            "probability": probability,
            "units": {
                p: draw(st.lists(st.integers(0, 80), min_size=PERIODS, max_size=PERIODS))
                for p in PRODUCTS
            },
        }
        for name, probability in [("hit", high), ("flop", round(1 - high, 10))]
    ]
    return {
        "name": "random-small",
        "horizon": {"periods": PERIODS},
        "products": products,
        "suppliers": suppliers,
        "presale": presale,
        "demand": {"scenarios": futures},
        "reveal_period": draw(st.sampled_from([None, 2])),
        "objective": "max_profit",
    }


@st.composite
def small_seasons(draw: st.DrawFn) -> dict[str, Any]:
    """``small_scenarios`` with or without a warehouse limit, a cash floor and several futures.

    The cash floor starts high enough to pay every presale order up front, so a plan exists.
    """
    data = draw(small_scenarios())
    if draw(st.booleans()):
        data["warehouse"] = {"capacity": draw(st.integers(150, 400))}
    if draw(st.booleans()):
        data["cash"] = {"initial": draw(st.integers(8000, 12000))}
    if draw(st.booleans()):
        only = data["demand"]["scenarios"][0]
        data["demand"] = {"scenarios": [{**only, "probability": 1.0}]}
        data["reveal_period"] = None
    return data


def small_scenarios_with_limits(cash: bool, warehouse: bool) -> dict[str, Any]:
    """One fixed two-style season of ``small_scenarios``' shape, with cash and warehouse limits."""
    terms = [
        {"product": product, "unit_cost": 20, "setup_cost": 50, "setup_time": 10, "moq": 20}
        for product in PRODUCTS
    ]
    data: dict[str, Any] = {
        "name": "two-styles",
        "horizon": {"periods": PERIODS},
        "products": [
            {"id": product, "price": 60 + 20 * i, "salvage_value": 5, "holding_cost": 1}
            for i, product in enumerate(PRODUCTS)
        ],
        "suppliers": [
            {"id": supplier, "capacity": 150, "terms": terms, "onboarding_cost": 100 * i}
            for i, supplier in enumerate(SUPPLIERS)
        ],
        "demand": {
            "scenarios": [
                {
                    "name": "hit",
                    "probability": 0.5,
                    "units": {p: [40, 60, 50, 30] for p in PRODUCTS},
                },
                {
                    "name": "flop",
                    "probability": 0.5,
                    "units": {p: [10, 20, 10, 5] for p in PRODUCTS},
                },
            ]
        },
        "reveal_period": 2,
        "objective": "max_profit",
    }
    if cash:
        data["cash"] = {"initial": 3000}
    if warehouse:
        data["warehouse"] = {"capacity": 120}
    return data
