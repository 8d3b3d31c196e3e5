"""The generated reference of scenario workbooks and CSV folders, from the table layout.

Built from ``flexsupply.scenario.table_layout`` (and so from the schema), in layout order, so a
field added to the schema appears here with its column when ``make docs`` runs.
"""

from __future__ import annotations

from flexsupply.scenario.table_layout import SETTINGS, SETTINGS_HEADER, Column, scenario_layout

WORKBOOK_PAGE = "docs/reference/workbook.md"
"""Path of the workbook reference, relative to the repository root."""

_KINDS = {
    "text": "text",
    "number": "number",
    "integer": "whole number",
    "bool": "TRUE/FALSE",
    "date": "date",
    "choice": "choice",
    "text_list": "ids, comma-separated",
}
_LIMITS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}


def workbook_reference(banner: str) -> str:
    """Returns the workbook reference page as Markdown: the settings rows, then every sheet.

    Args:
        banner: The "generated, do not edit" first line.
    """
    layout = scenario_layout()
    lines = [
        banner,
        "# Workbook and CSV folder reference",
        "",
        "A scenario as a workbook (`.xlsx`) has one sheet per table below; as a folder, one "
        "`<sheet>.csv` per table. Only `settings`, `products`, `suppliers` and "
        "`supplier_terms` are required; leave out the sheets you do not use. The first row of "
        "a sheet is its header; an empty cell takes the field's default. Columns are the "
        "fields of the [scenario file](scenario.md), dotted for nested blocks "
        "(`payment.upfront_share`). A child sheet starts with the key columns that name its "
        "parent row (`supplier_terms` rows name their `supplier`; a parent without an id, such "
        "as a price tier, is named by its number among its siblings: `tier` 1 is the first "
        "`price_tiers` row of that supplier and product); a periods sheet has one "
        "column per period, `1` to `T`. `flexsupply init --format xlsx` writes a workbook "
        "with a note on every header and data validation; `flexsupply convert` turns any "
        "form into another.",
        "",
        f"## `{SETTINGS}`",
        "",
        f"Two columns, `{SETTINGS_HEADER[0]}` and `{SETTINGS_HEADER[1]}`, one row per field of "
        "the top-level blocks. A row naming a block alone (e.g. `service`) gives that block "
        "with every field at its default.",
        "",
        "| setting | type | description |",
        "|---|---|---|",
        *(_row(column) for column in layout.settings),
    ]
    for table in layout.tables:
        lines += ["", f"## `{table.name}`", ""]
        parent = f"; one row per item of a row of `{table.parent}`" if table.parent else ""
        place = ".".join(table.path)
        if table.kind == "periods":
            lines.append(
                f"Periods sheet for `{place}`{parent}: "
                + (f"key columns {_names(table.key_columns)}, then " if table.key_columns else "")
                + "one column per period `1`, `2`, … (numbers "
                + " and ".join(f"{_LIMITS[k]} {_shown(v)}" for k, v in table.bounds.items())
                + f"). {_first(table.doc)}"
            )
            continue
        lines.append(f"Rows of `{place}`{parent}. {_first(table.doc)}")
        if table.key_columns:
            lines += ["", f"Key columns: {_names(table.key_columns)}."]
        lines += ["", "| column | type | description |", "|---|---|---|"]
        lines += [_row(column) for column in table.columns]
    return "\n".join(lines) + "\n"


def _shown(value: float) -> str:
    return f"{int(value):,}" if value.is_integer() else f"{value:g}"


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _first(doc: str) -> str:
    return " ".join(doc.split())


def _row(column: Column) -> str:
    kind = _KINDS[column.kind]
    if column.choices:
        kind = " \\| ".join(f"`{choice}`" for choice in column.choices)
    limits = [f"{_LIMITS[name]} {_shown(value)}" for name, value in column.bounds.items()]
    if limits:
        kind += " " + ", ".join(limits)
    if column.periods_table:
        kind += f", or per period in `{column.periods_table}`"
    if column.required:
        kind += ", **required**"
    doc = " ".join(column.doc.split()).replace("|", "\\|")
    return f"| `{column.name}` | {kind} | {doc} |"


__all__ = ["WORKBOOK_PAGE", "workbook_reference"]
