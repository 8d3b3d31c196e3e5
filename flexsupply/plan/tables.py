"""The plan's tables, built once with their numbers rounded once, for CSV, Excel and DataFrames.

Every output holds the same tables: ``orders.csv`` and the ``orders`` sheet of ``plan.xlsx`` and
``plan.to_frame("orders")`` have the same columns and values. A column has a machine name (the
CSV header and the DataFrame column), a title with its unit for people (the workbook header)
and a kind that says how the workbook formats it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flexsupply.plan.plan import Plan

Cell = str | int | float | date | None
"""One table cell: text, a number, a date, or None for an empty cell."""
Dates = Callable[[int], date] | None
"""The first day of a 1-based period, or None when the plan has no start date."""

QUANTITY_DIGITS = 4
"""Decimals kept for unit quantities in the tables."""
MONEY_DIGITS = 2
"""Decimals kept for money amounts in the tables."""
PRICE_DIGITS = 4
"""Decimals kept for unit prices in the tables."""
SHARE_DIGITS = 6
"""Decimals kept for shares (fill rate, on-time share, gap)."""
KINDS = ("text", "integer", "units", "money", "price", "share", "date", "capacity", "number")
"""Column kinds; the workbook has one number format per kind."""


@dataclass(frozen=True)
class Column:
    """One column: machine name, title with unit, and kind (one of ``KINDS``)."""

    name: str
    title: str
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """One output table: its name (file stem and sheet name), columns and rows."""

    name: str
    columns: list[Column]
    rows: list[list[Cell]]

    @property
    def header(self) -> list[str]:
        """Returns the column names (the CSV header)."""
        return [column.name for column in self.columns]


def period_columns(name: str, date_name: str, title: str, dates: Dates) -> list[Column]:
    """Returns a period column, followed by its first day's date when the plan has dates."""
    period = Column(name, title, "integer")
    if dates is None:
        return [period]
    words = title.split()
    date_title = f"{words[0]} date" if len(words) > 1 else f"{title} start"
    return [period, Column(date_name, date_title, "date")]


def period_cells(period: int, dates: Dates) -> list[Cell]:
    """Returns the cells of ``period_columns``: the 1-based period and its first day."""
    return [period] if dates is None else [period, dates(period)]


def plan_dates(plan: Plan) -> Dates:
    """Returns the first day of a 1-based period (also past the horizon), or None without dates."""
    if plan.start_date is None:
        return None
    first = plan.start_date
    step = timedelta(days=7 if plan.period_length == "week" else 1)
    return lambda period: first + (period - 1) * step


def period_word(plan: Plan) -> str:
    """Returns ``Week`` or ``Day``: what one period is, for column titles."""
    return "Week" if plan.period_length == "week" else "Day"


def pieces(value: float) -> int | float:
    """Returns a quantity as an int when it is whole, else rounded to ``QUANTITY_DIGITS``."""
    if abs(value - round(value)) <= 1e-6:
        return round(value)
    return rounded(value, QUANTITY_DIGITS)


def units(value: float) -> float:
    """Returns a quantity [units] rounded to ``QUANTITY_DIGITS``."""
    return rounded(value, QUANTITY_DIGITS)


def money(value: float) -> float:
    """Returns an amount [currency] rounded to ``MONEY_DIGITS``."""
    return rounded(value, MONEY_DIGITS)


def share(value: float) -> float:
    """Returns a share [0-1] rounded to ``SHARE_DIGITS``."""
    return rounded(value, SHARE_DIGITS)


def rounded(value: float, digits: int) -> float:
    """Returns ``value`` rounded to ``digits`` decimals, never ``-0.0``."""
    result = round(float(value), digits)
    return 0.0 if result == 0 else result
