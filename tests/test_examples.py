"""The example scripts in examples/ run as documented (docs/library.md) and handle bad input."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import flexsupply as fs

EXAMPLES = Path(__file__).parents[1] / "examples"


def _erp_script() -> ModuleType:
    """Returns examples/erp_script.py imported as a module (examples/ is not a package)."""
    spec = importlib.util.spec_from_file_location("erp_script", EXAMPLES / "erp_script.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


erp = _erp_script()


def test_erp_script_plans_and_writes_the_plan_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "erp_script.py"), str(tmp_path / "erp")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    written = {line.removeprefix("wrote ") for line in result.stdout.splitlines()}
    for name in ("plan.json", "orders.csv", "inventory.csv", "kpis.csv", "presale.csv"):
        assert str(tmp_path / "erp" / name) in written
        assert (tmp_path / "erp" / name).is_file()
    plan = json.loads((tmp_path / "erp" / "plan.json").read_text(encoding="utf-8"))
    assert plan["scenario"] == erp.SEASON["name"]
    assert plan["status"] in ("optimal", "feasible")
    assert all(isinstance(order["quantity"], int) for order in plan["orders"])
    assert f"expected profit {plan['kpis']['expected_profit']:,.0f} CNY" in result.stdout
    placed = [o for o in plan["orders"] if math.ceil(o["quantity"] - 1e-6) > 0]
    po_lines = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert len(po_lines) == len(placed) > 0


def test_erp_records_become_the_scenario_they_describe() -> None:
    data = erp.scenario_data(
        erp.SEASON, erp.ITEMS, erp.VENDORS, erp.PRICE_LIST, erp.PRESALE_ORDERS, erp.FORECAST
    )
    scenario = erp.build_scenario(data)

    assert scenario.product_ids == [item["sku"] for item in erp.ITEMS]
    assert scenario.supplier_ids == [vendor["vendor"] for vendor in erp.VENDORS]
    assert [len(s.terms) for s in scenario.suppliers] == [len(erp.ITEMS)] * len(erp.VENDORS)
    assert sum(s.probability for s in scenario.demand.as_scenarios()) == pytest.approx(1)
    jacket = next(order for order in scenario.presale if order.product == "JACKET-01")
    assert jacket.lateness == "forbidden"


def test_erp_script_lists_every_bad_record_by_field_path() -> None:
    items = [dict(item) for item in erp.ITEMS]
    items[0]["list_price"] = -1
    prices = [dict(row) for row in erp.PRICE_LIST]
    prices[0]["sku"] = "DRES-01"
    data = erp.scenario_data(
        erp.SEASON, items, erp.VENDORS, prices, erp.PRESALE_ORDERS, erp.FORECAST
    )

    with pytest.raises(fs.ScenarioError) as caught:
        erp.build_scenario(data)

    paths = {problem.path for problem in caught.value.problems}
    assert {"products[0].price", "suppliers[0].terms[0].product"} <= paths


def test_erp_script_exits_1_on_bad_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(erp, "ITEMS", [{**erp.ITEMS[0], "return_rate": 1.5}, *erp.ITEMS[1:]])

    assert erp.main([str(tmp_path)]) == 1
    assert "products[0].return_rate: must be ≤ 1, got 1.5" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_erp_script_exits_3_when_no_plan_exists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # 5,000 jackets promised in week 1 with no late parcels: no factory can sew them in time.
    rush = {**erp.PRESALE_ORDERS[1], "week": 1, "pieces": 5000, "late_fee_per_week": None}
    monkeypatch.setattr(erp, "PRESALE_ORDERS", [rush])

    assert erp.main([str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("No plan (infeasible):")
    assert "JACKET-01" in err


def _example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


erp_sqlite = _example("erp_sqlite")


def test_erp_sqlite_writes_one_order_row_per_order_of_the_plan(tmp_path: Path) -> None:
    connection = erp_sqlite.connect(tmp_path / "erp.sqlite")
    erp_sqlite.create_demo_database(connection)
    scenario = erp_sqlite.read_scenario(connection)
    plan = fs.solve(scenario, "ortools")

    written = erp_sqlite.write_orders(connection, plan)
    erp_sqlite.write_orders(connection, plan)  # again: replaces the season's rows

    rows = connection.execute("SELECT vendor, sku, order_week FROM purchase_orders").fetchall()
    connection.close()
    assert written == len(rows) == len(plan.orders) > 0
    assert [tuple(row) for row in rows] == [
        (order.supplier, order.product, order.period) for order in plan.orders
    ]
    assert scenario.products[1].price == 59.9  # DECIMAL "59.90" from the database


def test_erp_sqlite_runs_as_a_script_and_reports_the_rows_written(tmp_path: Path) -> None:
    database = tmp_path / "erp.sqlite"

    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "erp_sqlite.py"), str(database)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    connection = erp_sqlite.connect(database)
    count = connection.execute("SELECT COUNT(*) FROM purchase_orders").fetchone()[0]
    connection.close()
    assert f"wrote {count} purchase orders to table purchase_orders" in result.stdout
    assert count > 0


def test_erp_sqlite_names_the_table_row_and_column_of_bad_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "erp.sqlite"
    connection = erp_sqlite.connect(database)
    erp_sqlite.create_demo_database(connection)
    connection.execute("UPDATE items SET list_price = '-1' WHERE sku = 'TEE-01'")
    connection.execute("UPDATE price_list SET moq = -5 WHERE vendor = 'QR-HZ' AND sku = 'TEE-01'")
    connection.commit()
    connection.close()

    assert erp_sqlite.main([str(database)]) == 1
    err = capsys.readouterr().err
    assert "products!row 1, price  products[1].price: must be ≥ 0, got -1" in err
    assert "supplier_terms!row 1, moq  suppliers[0].terms[1].moq: must be ≥ 0, got -5" in err
