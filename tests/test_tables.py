"""Every table of the plan files is also a DataFrame, with the CSV file's columns and values."""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

import pytest

import flexsupply as fs
from flexsupply.plan.outputs import TABLE_NAMES, write_outputs
from flexsupply.scenario.starter import template_text

DATA = Path(__file__).parent / "data"


@pytest.fixture(
    scope="module",
    params=["spring-drop", DATA / "outputs" / "dated.yaml", DATA / "cli" / "small.yaml"],
    ids=["starter", "dated", "undated"],
)
def plan(request: pytest.FixtureRequest) -> fs.Plan:
    source = request.param
    if isinstance(source, Path):
        return fs.solve(fs.load(source))
    return fs.solve(fs.loads(template_text(source), source=f"{source}.yaml"))


def same(text: str, value: object) -> bool:
    """Whether a CSV cell and a DataFrame cell hold the same thing (empty, number, date, text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return text == ""
    if isinstance(value, date):
        return text == value.isoformat()
    if isinstance(value, bool | str):
        return text == str(value)
    return float(text) == float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_to_frame_has_the_csv_files_columns_and_values(
    plan: fs.Plan, name: str, tmp_path: Path
) -> None:
    pytest.importorskip("pandas")
    write_outputs(plan, tmp_path)
    with (tmp_path / f"{name}.csv").open(newline="", encoding="utf-8") as stream:
        header, *rows = list(csv.reader(stream))

    frame = plan.to_frame(name)

    assert list(frame.columns) == header
    assert len(frame) == len(rows)
    for row, values in zip(rows, frame.itertuples(index=False), strict=True):
        mismatched = [(t, v) for t, v in zip(row, values, strict=True) if not same(t, v)]
        assert not mismatched, (name, row)


def test_cash_table_is_the_plans_cash_band(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    plan = fs.solve(fs.loads(template_text("spring-drop"), source="spring-drop.yaml"))
    assert plan.cash is not None

    frame = plan.to_frame("cash")

    assert len(frame) == plan.cash.shape[1]
    assert list(frame["low_cash"]) == pytest.approx(plan.cash.min(axis=0), abs=0.01)
    expected = [
        sum(p * c[t] for p, c in zip(plan.probabilities, plan.cash, strict=True))
        for t in range(plan.cash.shape[1])
    ]
    assert list(frame["expected_cash"]) == pytest.approx(expected, abs=0.01)
    assert (frame["p10_cash"] <= frame["p90_cash"]).all()
    assert min(frame["low_cash"]) == pytest.approx(plan.kpis.cash_low_point, abs=0.01)
    assert set(frame["floor"]) == {0.0}
