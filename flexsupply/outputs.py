"""Former path of ``flexsupply.plan.outputs``, kept so that existing scripts still import."""

from flexsupply.plan.order_tables import orders_table
from flexsupply.plan.outputs import Table, csv_text, plan_tables, write_outputs, write_workbook
from flexsupply.plan.season_tables import inventory_table, kpis_table, presale_table

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
