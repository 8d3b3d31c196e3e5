"""Former path of ``flexsupply.plan.outputs``, kept so that existing scripts still import."""

from flexsupply.plan.outputs import (
    Table,
    csv_text,
    inventory_table,
    kpis_table,
    orders_table,
    plan_tables,
    presale_table,
    write_outputs,
    write_workbook,
)

__all__ = [
    "Table",
    "csv_text",
    "inventory_table",
    "kpis_table",
    "orders_table",
    "plan_tables",
    "presale_table",
    "write_outputs",
    "write_workbook",
]
