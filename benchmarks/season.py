"""Seeded, realistic fashion seasons of any size, for benchmarks.

``generate(products, suppliers, periods, scenarios, seed)`` returns a validated
``flexsupply.Scenario`` whose numbers follow the demo parameter table of the domain notes
(``DOMAIN.md`` §8): three price bands, unit cost 30 % of price, quick-response / standard /
workshop factories with their MOQs, lead times and cost premiums, capacity in sewing minutes
about 1.3x the expected demand, presales for about 30 % of the styles, and weekly
negative-binomial demand scaled by a lognormal hit factor per style and scenario.

Every random draw is vectorised with one ``numpy.random.default_rng(seed)``, so a season of
2,000 styles x 20 factories x 52 weeks generates (and validates) in about a second.

Run as a script to print a season's size and generation time::

    .venv/bin/python benchmarks/season.py 2000 20 52 1
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np

import flexsupply

PRICE_BANDS = np.array([[79.0, 159.0], [199.0, 399.0], [599.0, 899.0]])
"""List-price range of the summer (≈99), spring/autumn (≈299) and winter (≈699) bands [CNY]."""
BAND_SHARE = np.array([0.5, 0.35, 0.15])
"""Share of styles in each price band."""
MINUTES = np.array([[10.0, 40.0], [25.0, 60.0], [60.0, 120.0]])
"""Sewing minutes (SAM) per piece by band: tops and dresses, knits and trousers, coats."""
COST_SHARE = 0.30
"""Unit cost at a standard factory as a share of list price."""
SALVAGE_SHARE = 0.20
"""Clearance value of a piece left at season end as a share of list price; it stays below the
cheapest good-unit cost, so buying stock only to clear it never pays."""
HOLDING_PER_PERIOD = 0.005
"""Holding cost per week as a share of unit cost (20-40 %/yr)."""
GOODWILL_SHARE = 0.05
"""Goodwill cost of a lost spot sale as a share of list price."""
RETURN_RATE = (0.3, 0.5)
"""Range of the share of sales sent back (e-commerce womenswear)."""
RESELLABLE_SHARE = 0.8
"""Share of returns fit to sell again."""
RETURN_HANDLING = 10.0
"""Cost of handling one return [CNY]."""
WEEKLY_MEAN = (5.0, 60.0)
"""Range of a style's expected weekly spot demand [units]."""
NEGBIN_K = 2.0
"""Negative-binomial shape k of weekly demand (Hausman-Sides): variance = m + m²/k."""
HIT_SIGMA = 0.7
"""Log-sd of the hit factor (mean 1): forecast CV of about 0.8 before the season."""
CAPACITY_MARGIN = 1.3
"""Total factory capacity over the expected sewing minutes of demand (spot and presale); a
factory is never smaller than one MOQ batch of the longest style it makes."""
PRESALE_SHARE = 0.30
"""Share of styles that open a presale."""
PRESALE_WEEKS = (1.5, 3.0)
"""Presale units as weeks of a style's expected spot demand."""
PRESALE_DISCOUNT = 0.10
"""Presale price below list."""
DEPOSIT_SHARE = 0.15
"""Deposit as a share of the presale price."""
CONVERSION = 0.85
"""Share of deposit buyers who pay the balance."""
PROMISE_PERIODS = 2
"""Promised shipping window [periods] (15 days, rounded up to weeks)."""
LATE_SHARE, LATE_MIN, LATE_MAX = 0.05, 5.0, 30.0
"""Platform penalty per late unit: 5 % of price, clamped to 5-30 CNY (per week late)."""
REVEAL_PERIOD = 4
"""First period whose orders may differ by scenario when there are several."""

KINDS = ("quick-response", "standard", "workshop")
KIND_CYCLE = (0, 1, 0, 1, 2)
"""Supplier kinds in turn: two quick-response and two standard factories per workshop."""
KIND_MOQ = np.array([100.0, 300.0, 50.0])
KIND_LEAD = np.array([[1, 2], [4, 5], [2, 2]])
"""Lead-time range (inclusive) of each kind [periods]."""
KIND_COST_FACTOR = np.array([1.2, 1.0, 1.35])
KIND_SETUP_TIME = np.array([120.0, 480.0, 60.0])
"""Line changeover per order [sewing minutes]."""
KIND_SETUP_COST = (300.0, 1000.0)
"""Range of the fixed cost of one order [CNY]."""
KIND_DEFECTS = np.array([0.03, 0.02, 0.05])
KIND_CAPACITY_WEIGHT = np.array([400.0, 1000.0, 150.0])
"""Relative size of each kind (pieces a day a line makes), to split total capacity."""
SUPPLIERS_PER_PRODUCT = (2, 3)


def generate(products: int, suppliers: int, periods: int, scenarios: int, seed: int) -> Any:
    """Returns a validated ``flexsupply.Scenario`` of the given size.

    Args:
        products: number of styles P.
        suppliers: number of factories S (each style is made by 2-3 of them).
        periods: weeks T in the season.
        scenarios: demand scenarios Ω ≥ 1, equally likely; with more than one, orders from
            week 4 on may differ by scenario.
        seed: seed of ``numpy.random.default_rng``; the same arguments give the same season.

    Returns:
        The ``flexsupply.Scenario`` (no cash block, no warehouse limit).
    """
    if min(products, suppliers, periods, scenarios) < 1:
        raise ValueError("products, suppliers, periods and scenarios must all be at least 1")
    rng = np.random.default_rng(seed)
    p_ids = [f"STYLE-{p + 1:04d}" for p in range(products)]
    s_ids = [f"F{s + 1:02d}" for s in range(suppliers)]

    band = rng.choice(len(BAND_SHARE), size=products, p=BAND_SHARE)
    low, high = PRICE_BANDS[band].T
    price = np.round(rng.uniform(low, high) / 10.0) * 10.0 - 1.0
    base_cost = np.round(COST_SHARE * price, 2)
    minutes = np.round(rng.uniform(*MINUTES[band].T))
    return_rate = np.round(rng.uniform(*RETURN_RATE, size=products), 2)
    weekly = rng.uniform(*WEEKLY_MEAN, size=products)

    hit = rng.lognormal(-(HIT_SIGMA**2) / 2.0, HIT_SIGMA, size=(scenarios, products))
    mean = weekly[None, :, None] * hit[:, :, None]
    demand = rng.negative_binomial(
        NEGBIN_K, NEGBIN_K / (NEGBIN_K + mean), (scenarios, products, periods)
    )

    kind = np.array([KIND_CYCLE[s % len(KIND_CYCLE)] for s in range(suppliers)])
    lead = rng.integers(KIND_LEAD[kind, 0], KIND_LEAD[kind, 1] + 1)
    makers = _makers(rng, products, suppliers)
    setup_cost = np.round(rng.uniform(*KIND_SETUP_COST, size=(products, suppliers)), -1)

    n_presale = round(PRESALE_SHARE * products)
    presold = np.sort(rng.choice(products, size=n_presale, replace=False))
    presale_period = np.minimum(rng.integers(1, 3, size=n_presale), periods)
    presale_units = np.ceil(weekly[presold] * rng.uniform(*PRESALE_WEEKS, size=n_presale))
    presale_price = np.round((1.0 - PRESALE_DISCOUNT) * price[presold], 1)
    late_cost = np.clip(np.round(LATE_SHARE * price[presold]), LATE_MIN, LATE_MAX)

    expected_minutes = float(weekly @ minutes) + float(presale_units @ minutes[presold]) / periods
    weight = KIND_CAPACITY_WEIGHT[kind]
    share = CAPACITY_MARGIN * expected_minutes * weight / weight.sum()
    # A factory's week must fit at least one MOQ batch of the longest style it makes, or that
    # style could never be ordered there; this only binds on small seasons.
    batch = KIND_MOQ[kind] * np.max(np.where(makers, minutes[:, None], 0.0), axis=0)
    capacity = np.ceil(np.maximum(share, batch + KIND_SETUP_TIME[kind]) / 10.0) * 10.0

    data = {
        "name": f"season-{products}x{suppliers}x{periods}x{scenarios}-seed{seed}",
        "horizon": {"periods": periods, "period_length": "week", "currency": "CNY"},
        "products": [
            {
                "id": p_ids[p],
                "price": price_p,
                "base_cost": cost_p,
                "standard_minutes": minutes_p,
                "salvage_value": round(SALVAGE_SHARE * price_p, 2),
                "holding_cost": round(HOLDING_PER_PERIOD * cost_p, 3),
                "goodwill_cost": round(GOODWILL_SHARE * price_p, 2),
                "return_rate": rate_p,
                "return_lag_periods": 1,
                "resellable_share": RESELLABLE_SHARE,
                "return_handling_cost": RETURN_HANDLING,
            }
            for p, (price_p, cost_p, minutes_p, rate_p) in enumerate(
                zip(
                    price.tolist(),
                    base_cost.tolist(),
                    minutes.tolist(),
                    return_rate.tolist(),
                    strict=True,
                )
            )
        ],
        "suppliers": [
            {
                "id": s_ids[s],
                "kind": KINDS[kind[s]],
                "capacity": float(capacity[s]),
                "capacity_unit": "sewing minutes",
                "defect_rate": float(KIND_DEFECTS[kind[s]]),
                "terms": [
                    {
                        "product": p_ids[p],
                        "cost_factor": float(KIND_COST_FACTOR[kind[s]]),
                        "moq": float(KIND_MOQ[kind[s]]),
                        "lead_time_periods": int(lead[s]),
                        "setup_time": float(KIND_SETUP_TIME[kind[s]]),
                        "setup_cost": float(setup_cost[p, s]),
                    }
                    for p in np.flatnonzero(makers[:, s]).tolist()
                ],
            }
            for s in range(suppliers)
        ],
        "presale": [
            {
                "product": p_ids[p],
                "period": int(presale_period[r]),
                "quantity": float(presale_units[r]),
                "price": float(presale_price[r]),
                "deposit": round(DEPOSIT_SHARE * float(presale_price[r]), 1),
                "conversion_rate": CONVERSION,
                "promise_periods": PROMISE_PERIODS,
                "lateness": "priced",
                "late_cost": float(late_cost[r]),
            }
            for r, p in enumerate(presold.tolist())
        ],
        "demand": {
            "scenarios": [
                {
                    "name": f"s{w + 1}",
                    "probability": 1.0 / scenarios,
                    "units": dict(zip(p_ids, rows, strict=True)),
                }
                for w, rows in enumerate(demand.astype(float).tolist())
            ]
        },
        "reveal_period": min(REVEAL_PERIOD, periods) if scenarios > 1 else None,
    }
    return flexsupply.Scenario.model_validate(data)


def _makers(rng: np.random.Generator, products: int, suppliers: int) -> np.ndarray:
    """Returns which suppliers make which product, ``(products, suppliers)`` bool.

    Each product gets 2-3 distinct suppliers at random (all of them when there are fewer), and
    every supplier makes at least one product.
    """
    count = np.minimum(
        rng.integers(SUPPLIERS_PER_PRODUCT[0], SUPPLIERS_PER_PRODUCT[1] + 1, products), suppliers
    )
    rank = np.argsort(rng.random((products, suppliers)), axis=1).argsort(axis=1)
    makers = rank < count[:, None]
    idle = np.flatnonzero(~makers.any(axis=0))
    makers[rng.integers(0, products, size=len(idle)), idle] = True
    return makers


def main(argv: list[str]) -> None:
    sizes = [int(value) for value in argv[1:5]] if len(argv) >= 5 else [2000, 20, 52, 1]
    seed = int(argv[5]) if len(argv) > 5 else 0
    started = time.perf_counter()
    scenario = generate(*sizes, seed=seed)
    seconds = time.perf_counter() - started
    terms = sum(len(s.terms) for s in scenario.suppliers)
    print(
        f"{scenario.name}: {len(scenario.products)} styles, {len(scenario.suppliers)} factories, "
        f"{terms} supply terms, {len(scenario.presale)} presales, generated in {seconds:.2f} s"
    )


if __name__ == "__main__":
    main(sys.argv)
