"""Plan a season from an ERP database (SQLite) and write the purchase orders back into it.

The ERP keeps its own tables: ``items``, ``vendors``, ``price_list``, ``presale_orders``,
``forecast`` and ``season``. One SELECT per table renames the ERP's columns to those of the
scenario workbook's sheets (``docs/guides/spreadsheets.md``), and
``flexsupply.scenario_from_frames`` validates the rows as it would a workbook: money columns come
back from the database as ``Decimal``, and a bad row is reported with its table, row and column.
The plan's orders go into the table ``purchase_orders``, one row per order.

    python examples/erp_sqlite.py [DATABASE]     # default out/erp.sqlite, created with demo rows

Exit codes as for the ``flexsupply`` command: 0 planned, 1 bad data, 3 no plan.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import flexsupply as fs

Row = dict[str, Any]

SEASON = "erp-summer"
TIME_LIMIT = 10.0
"""Seconds the solver may take."""

QUERIES = {
    "products": """
        SELECT sku AS id, description AS name, list_price AS price, std_cost AS base_cost,
               sam_minutes AS standard_minutes, clearance_price AS salvage_value,
               return_rate
        FROM items ORDER BY sku""",
    "suppliers": """
        SELECT vendor AS id, vendor_name AS name, weekly_minutes AS capacity,
               'sewing minutes' AS capacity_unit, defect_rate,
               upfront_share AS "payment.upfront_share"
        FROM vendors ORDER BY vendor""",
    "supplier_terms": """
        SELECT vendor AS supplier, sku AS product, unit_price AS unit_cost, moq,
               lead_weeks AS lead_time_periods, order_fee AS setup_cost
        FROM price_list ORDER BY vendor, sku""",
    "presale": """
        SELECT sku AS product, week AS period, pieces AS quantity, deposit,
               ship_within_weeks AS promise_periods
        FROM presale_orders ORDER BY week, sku""",
    "demand_scenarios": """
        SELECT DISTINCT case_name AS name, probability FROM forecast ORDER BY probability""",
}
"""ERP table → scenario sheet, the columns renamed to the sheet's."""

DEMO = """
CREATE TABLE season (name TEXT, weeks INTEGER, start TEXT, reveal_week INTEGER);
INSERT INTO season VALUES ('erp-summer', 6, '2025-06-02', 3);
CREATE TABLE items (sku TEXT, description TEXT, list_price DECIMAL, std_cost DECIMAL,
                    sam_minutes INTEGER, clearance_price DECIMAL, return_rate DECIMAL);
INSERT INTO items VALUES ('TEE-01', 'Ice-silk tee', '59.90', '15.00', 12, '12.00', '0.10'),
                         ('DRESS-02', 'Linen slip dress', '159.00', '47.70', 32, '31.80', '0.30');
CREATE TABLE vendors (vendor TEXT, vendor_name TEXT, weekly_minutes INTEGER,
                      defect_rate DECIMAL, upfront_share DECIMAL);
INSERT INTO vendors VALUES ('QR-HZ', 'Hangzhou quick-response', 12000, '0.03', '0.00'),
                           ('STD-DG', 'Dongguan standard', 40000, '0.02', '0.30');
CREATE TABLE price_list (vendor TEXT, sku TEXT, unit_price DECIMAL, moq INTEGER,
                         lead_weeks INTEGER, order_fee DECIMAL);
INSERT INTO price_list VALUES ('QR-HZ', 'TEE-01', '19.50', 50, 1, '200'),
                              ('QR-HZ', 'DRESS-02', '62.00', 50, 1, '300'),
                              ('STD-DG', 'TEE-01', '15.00', 300, 3, '800'),
                              ('STD-DG', 'DRESS-02', '47.70', 200, 3, '800');
CREATE TABLE presale_orders (sku TEXT, week INTEGER, pieces INTEGER, deposit DECIMAL,
                             ship_within_weeks INTEGER);
INSERT INTO presale_orders VALUES ('DRESS-02', 1, 60, '30.00', 2);
CREATE TABLE forecast (case_name TEXT, probability DECIMAL, sku TEXT, week INTEGER,
                       pieces INTEGER);
"""

FORECAST = {
    ("low", "0.4"): {"TEE-01": [40, 50, 60, 60, 50, 40], "DRESS-02": [10, 15, 20, 20, 15, 10]},
    ("high", "0.6"): {"TEE-01": [60, 90, 120, 120, 90, 60], "DRESS-02": [20, 30, 45, 45, 30, 20]},
}
"""The merchandiser's forecast, per case and style [pieces per week]."""


def connect(path: Path) -> sqlite3.Connection:
    """Opens the database so that DECIMAL columns come back as ``Decimal``, as ERPs hand them."""
    sqlite3.register_adapter(Decimal, str)
    sqlite3.register_converter("DECIMAL", lambda raw: Decimal(raw.decode()))
    connection = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
    connection.row_factory = sqlite3.Row
    return connection


def create_demo_database(connection: sqlite3.Connection) -> None:
    """Fills an empty database with the demo ERP tables."""
    connection.executescript(DEMO)
    connection.executemany(
        "INSERT INTO forecast VALUES (?, ?, ?, ?, ?)",
        [
            (case, Decimal(probability), sku, week, pieces)
            for (case, probability), styles in FORECAST.items()
            for sku, weekly in styles.items()
            for week, pieces in enumerate(weekly, start=1)
        ],
    )
    connection.commit()


def read_scenario(connection: sqlite3.Connection) -> fs.Scenario:
    """Returns the season in the database as a validated scenario.

    Raises:
        fs.ScenarioError: the rows have problems; each names its table, row and column.
    """
    tables: dict[str, list[Row]] = {
        sheet: [dict(row) for row in connection.execute(query)] for sheet, query in QUERIES.items()
    }
    weekly: dict[tuple[str, str], Row] = defaultdict(dict)
    for row in connection.execute("SELECT case_name, sku, week, pieces FROM forecast"):
        weekly[row["case_name"], row["sku"]][row["week"]] = row["pieces"]
    tables["scenario_demand"] = [
        {"scenario": case, "product": sku, **weeks} for (case, sku), weeks in weekly.items()
    ]
    season = connection.execute("SELECT * FROM season").fetchone()
    settings = {
        "name": season["name"],
        "horizon.periods": season["weeks"],
        "horizon.start_date": season["start"],
        "reveal_period": season["reveal_week"],
    }
    return fs.scenario_from_frames(tables, settings)


def write_orders(connection: sqlite3.Connection, plan: fs.Plan) -> int:
    """Replaces the season's rows of ``purchase_orders`` with the plan's orders.

    Returns:
        The number of rows written: one per order of the plan.
    """
    connection.execute(
        "CREATE TABLE IF NOT EXISTS purchase_orders (season TEXT, vendor TEXT, sku TEXT,"
        " order_week INTEGER, due_week INTEGER, pieces DECIMAL, unit_price DECIMAL,"
        " if_case TEXT)"
    )
    connection.execute("DELETE FROM purchase_orders WHERE season = ?", (plan.scenario_name,))
    rows = [
        (
            plan.scenario_name,
            order.supplier,
            order.product,
            order.period,
            order.arrival_period,
            Decimal(f"{order.quantity:.2f}"),
            Decimal(f"{order.unit_cost:.2f}"),
            order.scenario,
        )
        for order in plan.orders
    ]
    connection.executemany("INSERT INTO purchase_orders VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    return len(rows)


def main(argv: list[str]) -> int:
    """Plans the season in the database and writes the orders back; returns the exit code."""
    path = Path(argv[0]) if argv else Path("out/erp.sqlite")
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    connection = connect(path)
    try:
        if fresh:
            create_demo_database(connection)
        scenario = read_scenario(connection)
        plan = fs.solve(scenario, solver="ortools", time_limit=TIME_LIMIT)
        written = write_orders(connection, plan)
    except fs.ScenarioError as error:
        print(f"The ERP data has {len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return error.exit_code
    except fs.SolveError as error:
        print(f"No plan ({error.status}):", *error.reasons, sep="\n  ", file=sys.stderr)
        return error.exit_code
    finally:
        connection.close()
    print(f"{plan.scenario_name}: {plan.status}, expected profit {plan.kpis.expected_profit:,.0f}")
    print(f"wrote {written} purchase orders to table purchase_orders in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
