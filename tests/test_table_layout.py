"""The table layout covers every schema field, so a new field needs no reader code."""

from __future__ import annotations

from flexsupply.scenario.table_layout import SETTINGS, scenario_layout
from flexsupply.scenario.validation import field_names


def test_every_schema_field_has_a_place_in_the_tables() -> None:
    layout = scenario_layout()
    paths = [column.path for column in layout.settings] + list(layout.blocks)
    for table in layout.tables:
        paths.append(table.path)
        paths += [column.path for column in table.columns]
    placed = {part for path in paths for part in path}

    assert field_names() - placed == set()


def test_sheet_names_are_unique_and_fit_excel() -> None:
    names = scenario_layout().sheet_names

    assert names[0] == SETTINGS
    assert len(set(names)) == len(names)
    assert all(len(name) <= 31 for name in names)


def test_child_tables_start_with_the_keys_of_their_parents() -> None:
    layout = scenario_layout()

    assert layout.table("supplier_terms").key_columns == ("supplier",)
    assert layout.table("price_tiers").key_columns == ("supplier", "product")
    assert layout.table("scenario_demand").key_columns == ("scenario", "product")
    assert layout.table("livestreams").key_columns == ("product",)
    assert layout.table("capacity").kind == "periods"
