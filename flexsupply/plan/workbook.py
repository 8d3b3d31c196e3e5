"""plan.xlsx: the plan's tables as sheets people like to open, and the same bytes on every run.

Headers carry units and are bold, frozen and filterable; each column gets a number format from
its kind (thousands separators, percentages, dates) and a width that fits its content. Cells
stay numbers. The file holds no timestamp: openpyxl's created and modified dates are taken out
and every zip entry gets one fixed date, so the same plan gives a byte-identical workbook.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from flexsupply.files import write_atomic
from flexsupply.plan.cells import text_cell
from flexsupply.plan.tables import Cell, Table

NUMBER_FORMATS = {
    "integer": "#,##0",
    "units": "#,##0.0",
    "money": "#,##0.00",
    "price": "#,##0.00##",
    "share": "0.0%",
    "date": "yyyy-mm-dd",
    "capacity": "#,##0.0",
}
"""Excel number format per column kind (``tables.KINDS``); text and ``number`` stay General."""
KPI_FORMATS = {"share": "0.0%", "units": "#,##0.0"}
"""Number format of a KPI value by the KPI's unit; any other unit is money."""
TOTAL_ROWS = frozenset({"supplier total", "total"})
"""Rows of the purchase-order sheet shown in bold."""
MIN_WIDTH, MAX_WIDTH = 8, 40
"""Column widths are fitted to the content within these bounds [characters]."""
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The date every zip entry carries (the earliest a zip can hold), instead of the time saved."""
_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def write_workbook(tables: list[Table], path: Path) -> Path:
    """Writes the tables as sheets of one Excel workbook, atomically.

    Returns:
        The path written.

    Raises:
        ImportError: openpyxl is not installed (``pip install "flexsupply[excel]"``).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append([column.title for column in table.columns])
        for row in table.rows:
            sheet.append([text_cell(cell) if isinstance(cell, str) else cell for cell in row])
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "B2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            values = [row[index - 1] for row in table.rows]
            sheet.column_dimensions[letter].width = _width(column.title, values)
            number_format = NUMBER_FORMATS.get(column.kind)
            if column.kind == "number":
                for (cell,), unit in zip(
                    sheet.iter_rows(min_row=2, min_col=index, max_col=index),
                    (row[-1] for row in table.rows),
                    strict=True,
                ):
                    cell.number_format = KPI_FORMATS.get(str(unit), "#,##0.00")
            elif number_format is not None:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        if table.header and table.header[0] == "row":
            for row_cells in sheet.iter_rows(min_row=2):
                if row_cells[0].value in TOTAL_ROWS:
                    for cell in row_cells:
                        cell.font = bold
    buffer = io.BytesIO()
    book.save(buffer)
    data = _without_timestamps(buffer.getvalue())
    return write_atomic(path, lambda temporary: Path(temporary).write_bytes(data))


def _width(title: str, values: list[Cell]) -> float:
    """Returns a column width that fits the title and the longest formatted value."""
    longest = max((len(_shown(value)) for value in values), default=0)
    return float(min(max(len(title), longest, MIN_WIDTH) + 2, MAX_WIDTH))


def _shown(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _without_timestamps(data: bytes) -> bytes:
    """Returns the xlsx bytes with no date of saving in them (same plan, same bytes)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(b"", content)
            entry = zipfile.ZipInfo(item.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            target.writestr(entry, content)
    return out.getvalue()
