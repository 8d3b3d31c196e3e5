"""Plan a season from ERP records with the flexsupply library, and hand the plan back.

An ERP export is rows: the item master, the vendor list with each vendor's price list, the
presale orders taken so far and the merchandiser's demand forecast. This script turns those rows
into a flexsupply scenario, plans it with a time limit, reads the purchase orders to place and
the KPIs back as plain records an ERP can import, and writes the plan files (plan.json, the CSV
tables and plan.xlsx) with ``flexsupply.plan.outputs.write_outputs``.

    python examples/erp_script.py [OUT_DIR]        # OUT_DIR defaults to out/erp

Exit codes as for the ``flexsupply`` command: 0 planned, 1 bad data, 3 no plan.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import yaml

import flexsupply as fs
from flexsupply.plan.outputs import write_outputs

Record = dict[str, Any]

SEASON: Record = {"name": "erp-spring", "weeks": 8, "start": "2025-03-03", "currency": "CNY"}
"""The season header: its name, length in weeks, first Monday and currency."""

ITEMS: list[Record] = [
    {"sku": "DRESS-01", "description": "Floral midi dress", "list_price": 129.0,
     "std_cost": 38.7, "sam_minutes": 38, "return_rate": 0.45},
    {"sku": "TOP-01", "description": "Ribbed tank top", "list_price": 79.0,
     "std_cost": 23.7, "sam_minutes": 12, "return_rate": 0.35},
    {"sku": "JACKET-01", "description": "Cropped denim jacket", "list_price": 299.0,
     "std_cost": 89.7, "sam_minutes": 60, "return_rate": 0.30},
]  # fmt: skip
"""Item master: one row per style; sam_minutes is the sewing time of one piece."""

VENDORS: list[Record] = [
    {"vendor": "QR-HZ", "name": "Hangzhou quick-response factory", "weekly_minutes": 20000,
     "defect_rate": 0.03, "upfront_share": 0.0, "pay_weeks_after_delivery": 1},
    {"vendor": "STD-DG", "name": "Dongguan standard factory", "weekly_minutes": 60000,
     "defect_rate": 0.02, "upfront_share": 0.3, "pay_weeks_after_delivery": 0},
]  # fmt: skip
"""Vendor list: sewing minutes booked each week, defect rate and payment terms."""

PRICE_LIST: list[Record] = [
    {"vendor": vendor, "sku": item["sku"], "unit_price": round(item["std_cost"] * factor, 2),
     "moq": moq, "lead_weeks": lead, "changeover_minutes": changeover, "order_fee": fee}
    for vendor, factor, moq, lead, changeover, fee in [
        ("QR-HZ", 1.2, 100, 1, 120, 300),
        ("STD-DG", 1.0, 300, 4, 480, 800),
    ]
    for item in ITEMS
]  # fmt: skip
"""Vendor price list: one row per vendor and style."""

PRESALE_ORDERS: list[Record] = [
    {"sku": "DRESS-01", "week": 1, "pieces": 200, "price": 116.1, "deposit": 17.0,
     "balance_paid_share": 0.85, "ship_within_weeks": 2, "late_fee_per_week": 6.0},
    {"sku": "JACKET-01", "week": 2, "pieces": 80, "price": 269.1, "deposit": 40.0,
     "balance_paid_share": 0.85, "ship_within_weeks": 2, "late_fee_per_week": None},
]  # fmt: skip
"""Presale orders taken so far; no late fee means the parcel may not ship late."""

FORECAST: list[Record] = [
    {"case": "flop", "probability": 0.3, "sku": "DRESS-01", "weekly": [10, 15, 20, 25, 90, 30, 25, 20]},
    {"case": "flop", "probability": 0.3, "sku": "TOP-01", "weekly": [20, 25, 30, 35, 80, 40, 35, 30]},
    {"case": "flop", "probability": 0.3, "sku": "JACKET-01", "weekly": [8, 10, 10, 10, 30, 10, 8, 6]},
    {"case": "base", "probability": 0.5, "sku": "DRESS-01", "weekly": [15, 25, 35, 45, 160, 50, 45, 40]},
    {"case": "base", "probability": 0.5, "sku": "TOP-01", "weekly": [30, 40, 50, 60, 140, 70, 60, 50]},
    {"case": "base", "probability": 0.5, "sku": "JACKET-01", "weekly": [12, 15, 18, 20, 50, 18, 15, 12]},
    {"case": "hit", "probability": 0.2, "sku": "DRESS-01", "weekly": [25, 40, 60, 80, 260, 90, 80, 70]},
    {"case": "hit", "probability": 0.2, "sku": "TOP-01", "weekly": [40, 60, 80, 90, 220, 100, 90, 80]},
    {"case": "hit", "probability": 0.2, "sku": "JACKET-01", "weekly": [18, 25, 30, 35, 80, 30, 25, 20]},
]  # fmt: skip
"""Spot demand forecast per case and style [pieces per week]; week 5 is the livestream."""

REVEAL_WEEK = 5
"""From this week on the brand knows which case it is in, so reorders may differ by case."""
TIME_LIMIT = 10.0
"""Seconds the solver may take; the best plan found by then is returned with its gap."""


def scenario_data(
    season: Record,
    items: list[Record],
    vendors: list[Record],
    price_list: list[Record],
    presale_orders: list[Record],
    forecast: list[Record],
) -> Record:
    """Returns the ERP rows as scenario data: the same keys a scenario YAML file has."""
    cases: dict[str, Record] = {}
    for row in forecast:
        case = cases.setdefault(
            row["case"], {"name": row["case"], "probability": row["probability"], "units": {}}
        )
        case["units"][row["sku"]] = row["weekly"]
    return {
        "name": season["name"],
        "horizon": {
            "periods": season["weeks"],
            "period_length": "week",
            "start_date": season["start"],
            "currency": season["currency"],
        },
        "products": [_product(item) for item in items],
        "suppliers": [_supplier(vendor, price_list) for vendor in vendors],
        "presale": [_presale(order) for order in presale_orders],
        "demand": {"scenarios": list(cases.values())},
        "reveal_period": REVEAL_WEEK,
        "cash": {"initial": 60000, "sales_receipt_lag_periods": 1},
    }


def _product(item: Record) -> Record:
    """Returns one item-master row as a scenario product (clearance at 20 % of list price)."""
    price = item["list_price"]
    return {
        "id": item["sku"],
        "name": item["description"],
        "price": price,
        "base_cost": item["std_cost"],
        "standard_minutes": item["sam_minutes"],
        "salvage_value": round(0.2 * price, 2),
        "holding_cost": round(0.005 * item["std_cost"], 2),
        "goodwill_cost": round(0.05 * price, 2),
        "return_rate": item["return_rate"],
        "resellable_share": 0.8,
        "return_handling_cost": 10,
    }


def _supplier(vendor: Record, price_list: list[Record]) -> Record:
    """Returns one vendor with its price-list rows as a scenario supplier with terms."""
    terms = [
        {
            "product": row["sku"],
            "unit_cost": row["unit_price"],
            "moq": row["moq"],
            "lead_time_periods": row["lead_weeks"],
            "setup_time": row["changeover_minutes"],
            "setup_cost": row["order_fee"],
        }
        for row in price_list
        if row["vendor"] == vendor["vendor"]
    ]
    return {
        "id": vendor["vendor"],
        "name": vendor["name"],
        "capacity": vendor["weekly_minutes"],
        "capacity_unit": "sewing minutes",
        "defect_rate": vendor["defect_rate"],
        "payment": {
            "upfront_share": vendor["upfront_share"],
            "balance_lag_periods": vendor["pay_weeks_after_delivery"],
        },
        "terms": terms,
    }


def _presale(order: Record) -> Record:
    """Returns one presale row as a scenario presale order."""
    late_fee = order["late_fee_per_week"]
    return {
        "product": order["sku"],
        "period": order["week"],
        "quantity": order["pieces"],
        "price": order["price"],
        "deposit": order["deposit"],
        "conversion_rate": order["balance_paid_share"],
        "promise_periods": order["ship_within_weeks"],
        "lateness": "forbidden" if late_fee is None else "priced",
        "late_cost": late_fee or 0.0,
    }


def build_scenario(data: Record, source: str = "ERP export") -> fs.Scenario:
    """Returns the validated scenario.

    The data goes through the same checks as a scenario file, so every problem is reported at
    once, each with its field path (``products[0].price: must be ≥ 0, got -1``).

    Raises:
        fs.ScenarioError: the data has problems; ``error.problems`` lists them.
    """
    return fs.loads(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), source=source)


def purchase_orders(plan: fs.Plan) -> list[Record]:
    """Returns the plan's orders as ERP purchase-order rows, whole pieces rounded up.

    Orders shared by every demand case are to be placed as planned; a reorder is placed only if
    its case comes true (``if_case``).
    """
    weeks = plan.period_starts()
    rows = []
    for order in plan.orders:
        pieces = math.ceil(order.quantity - 1e-6)
        if pieces == 0:
            continue
        rows.append(
            {
                "vendor": order.supplier,
                "sku": order.product,
                "order_week": order.period,
                "order_date": None if weeks is None else weeks[order.period - 1].isoformat(),
                "due_week": order.arrival_period,
                "pieces": pieces,
                "unit_price": order.unit_cost,
                "if_case": order.scenario,
            }
        )
    return rows


def main(argv: list[str]) -> int:
    """Plans the season and writes the plan files; returns the exit code (0, 1 or 3)."""
    out_dir = Path(argv[0]) if argv else Path("out/erp")
    data = scenario_data(SEASON, ITEMS, VENDORS, PRICE_LIST, PRESALE_ORDERS, FORECAST)
    try:
        scenario = build_scenario(data)
        plan = fs.solve(scenario, solver="ortools", time_limit=TIME_LIMIT)
    except fs.ScenarioError as error:
        print(f"The ERP data has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem.path}: {problem.message}", file=sys.stderr)
        return error.exit_code
    except fs.SolveError as error:
        print(f"No plan ({error.status}):", *error.reasons, sep="\n  ", file=sys.stderr)
        return error.exit_code

    kpis = plan.kpis
    print(f"{plan.scenario_name}: {plan.status}, gap {plan.gap:.2%}, {plan.seconds:.1f} s")
    print(f"expected profit {kpis.expected_profit:,.0f} {plan.currency}")
    print(f"fill rate {kpis.fill_rate:.1%}, presale on time {kpis.presale_on_time_share:.1%}")
    if kpis.cash_low_point is not None:
        print(f"cash low point {kpis.cash_low_point:,.0f} {plan.currency}")
    print("purchase orders (vendor, sku, order week -> due week, pieces, if case):")
    for row in purchase_orders(plan):
        case = row["if_case"] or "every case"
        print(
            f"  {row['vendor']:<7} {row['sku']:<10} week {row['order_week']} -> "
            f"{row['due_week']}  {row['pieces']:>4}  {case}"
        )
    for path in write_outputs(plan, out_dir, notify=print):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
