"""Linking rows come from the columns' style tags, whatever kind of row they are."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from oracles import read_trigeiro, trigeiro_scenario
from strategies import small_scenarios_with_limits

import flexsupply as fs
from flexsupply.demand import demand_scenarios
from flexsupply.model import build_program
from flexsupply.model.program import SHARED, Block, LinearProgram, ProgramBuilder
from flexsupply.solve.decompose import choose_method, partition
from flexsupply.solve.decompose.linking import Partition


def three_styles() -> tuple[LinearProgram, dict[str, np.ndarray]]:
    """Three styles of two columns each, one shared column, and one row of each kind."""
    builder = ProgramBuilder()
    make = builder.add_columns("make", (3, 2), 0.0, 10.0, style=np.arange(3)[:, None])
    switch = builder.add_columns("open", (1,), 0.0, 1.0, integer=True)
    own = builder.add_rows("own", (3,), upper=8.0)
    builder.add_terms(own, make[:, 0], 1.0)
    builder.add_terms(own, make[:, 1], 1.0)
    capacity = builder.add_rows("capacity", (1,), upper=12.0)
    builder.add_terms(capacity, make[:, 0], 1.0)
    material = builder.add_rows("material", (1,), upper=5.0)
    builder.add_terms(material, make[[0, 2], 1], 2.0)
    gate = builder.add_rows("needs_open", (1,), upper=0.0)
    builder.add_terms(gate, make[1, 0], 1.0)
    builder.add_terms(gate, switch, -10.0)
    builder.add_objective(make, 1.0)
    builder.add_objective(switch, -3.0)
    rows = {"own": own, "capacity": capacity, "material": material, "gate": gate}
    return builder.build(), rows


def test_rows_over_two_styles_link_and_own_rows_do_not() -> None:
    program, rows = three_styles()

    parts = partition(program)

    linking = set(parts.linking_rows.tolist())
    assert int(rows["capacity"][0]) in linking
    assert int(rows["material"][0]) in linking
    assert not linking & set(rows["own"].tolist())
    assert [len(columns) for columns in parts.block_columns] == [2, 3, 2, 1]


def test_a_row_joining_one_style_to_a_shared_column_gets_a_copy() -> None:
    program, rows = three_styles()

    parts = partition(program)

    assert parts.copied.tolist() == [program.n_columns - 1]
    copy = program.n_columns
    assert copy in parts.block_columns[1]
    assert int(rows["gate"][0]) in parts.block_rows[1]
    assert parts.program.matrix[int(rows["gate"][0]), copy] == -10.0
    assert program.n_rows in set(parts.linking_rows.tolist())


def unsorted_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The same matrix with each row's entries stored in reverse column order."""
    starts, ends = matrix.indptr[:-1], matrix.indptr[1:]
    order = np.concatenate(
        [np.arange(end - 1, start - 1, -1) for start, end in zip(starts, ends, strict=True)]
    ).astype(np.int64)
    reversed_rows = sp.csr_matrix(
        (matrix.data[order], matrix.indices[order], matrix.indptr.copy()), shape=matrix.shape
    )
    reversed_rows.has_sorted_indices = False
    return reversed_rows


def test_partition_leaves_a_program_with_unsorted_rows_untouched() -> None:
    program, _ = three_styles()
    unsorted = replace(program, matrix=unsorted_rows(program.matrix.tocsr()))
    indices_before = unsorted.matrix.indices.copy()
    data_before = unsorted.matrix.data.copy()

    parts = partition(unsorted)

    assert np.array_equal(unsorted.matrix.indices, indices_before)
    assert np.array_equal(unsorted.matrix.data, data_before)
    expected = partition(program)
    assert parts.linking_rows.tolist() == expected.linking_rows.tolist()
    assert [c.tolist() for c in parts.block_columns] == [c.tolist() for c in expected.block_columns]


def test_untagged_program_is_one_shared_block() -> None:
    program, _ = three_styles()
    untagged = LinearProgram(
        objective=program.objective,
        offset=0.0,
        matrix=program.matrix,
        row_lower=program.row_lower,
        row_upper=program.row_upper,
        col_lower=program.col_lower,
        col_upper=program.col_upper,
        integer=program.integer,
        maximize=True,
        column_blocks=program.column_blocks,
        row_blocks=program.row_blocks,
    )

    parts = partition(untagged)

    assert len(parts.linking_rows) == 0
    assert parts.block_style.tolist() == [SHARED]


def with_marketing_budget(
    program: LinearProgram, columns: np.ndarray, budget: float
) -> LinearProgram:
    """Returns ``program`` with one new shared-resource row: Σ columns ≤ budget."""
    row = sp.csr_matrix(
        (np.ones(len(columns)), (np.zeros(len(columns), dtype=np.int64), columns)),
        shape=(1, program.n_columns),
    )
    return LinearProgram(
        objective=program.objective,
        offset=program.offset,
        matrix=sp.csr_matrix(sp.vstack([program.matrix, row])),
        row_lower=np.append(program.row_lower, -np.inf),
        row_upper=np.append(program.row_upper, budget),
        col_lower=program.col_lower,
        col_upper=program.col_upper,
        integer=program.integer,
        maximize=program.maximize,
        column_blocks=program.column_blocks,
        row_blocks={
            **program.row_blocks,
            "marketing_budget": Block("marketing_budget", program.n_rows, (1,)),
        },
        column_style=program.column_style,
    )


def test_a_new_kind_of_shared_row_in_a_season_is_found() -> None:
    scenario = fs.Scenario.model_validate(small_scenarios_with_limits(cash=True, warehouse=True))
    program, model = build_program(scenario, demand_scenarios(scenario))
    before = partition(program)
    sales = model.flows.sales.ravel()

    parts = partition(with_marketing_budget(program, sales, 10.0))

    assert len(parts.linking_rows) == len(before.linking_rows) + 1
    assert program.n_rows in set(parts.linking_rows.tolist())
    names = {name for name, block in program.row_blocks.items() if block.stop > block.start}
    linked = {
        name
        for name, block in program.row_blocks.items()
        if ((before.linking_rows >= block.start) & (before.linking_rows < block.stop)).any()
    }
    assert {"warehouse", "cash_balance"} <= linked <= names


@pytest.mark.parametrize(
    ("styles", "switches", "method"),
    [
        (30, 25, "decompose"),
        (30, 19, "monolithic"),
        (24, 50, "monolithic"),
        (100, 64, "decompose"),
        (500, 20, "decompose"),
    ],
)
def test_auto_decomposes_where_it_was_measured_to_win(
    styles: int, switches: int, method: str
) -> None:
    """25+ styles with 600+ switches (spring-drop, 30x5x12x1, 100x5x26x1, 500 styles) decompose."""
    builder = ProgramBuilder()
    style = np.arange(styles)[:, None]
    builder.add_columns("switch", (styles, switches), 0.0, 1.0, integer=True, style=style)

    assert choose_method(builder.build()) == method


def test_auto_keeps_small_programs_monolithic() -> None:
    program, _ = three_styles()

    assert choose_method(program) == "monolithic"


@pytest.mark.parametrize("instance", ["G31", "G38", "G41"])
def test_auto_leaves_trigeiro_lot_sizing_to_one_engine_call(instance: str, data_dir: Path) -> None:
    scenario = trigeiro_scenario(read_trigeiro(data_dir / "trigeiro" / f"{instance}.DAT"))
    program, _ = build_program(scenario, demand_scenarios(scenario))

    assert choose_method(program) == "monolithic"


def per_style_scan(parts: Partition) -> tuple[list[list[int]], list[list[int]]]:
    """The blocks by one scan per style (the loops ``partition`` had before one sort)."""
    styles = parts.program.styles()
    matrix = parts.program.matrix.tocsr()
    inside = np.setdiff1d(np.arange(parts.program.n_rows), parts.linking_rows)
    row_style = np.full(parts.program.n_rows, SHARED)
    for row in inside.tolist():
        tags = styles[matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]]
        if (tags >= 0).any():
            row_style[row] = int(tags[tags >= 0][0])
    order = [*parts.block_style[:-1].tolist(), SHARED]
    columns = [np.flatnonzero(styles == s).tolist() for s in order]
    rows = [inside[row_style[inside] == s].tolist() for s in order]
    return columns, rows


@settings(max_examples=40, deadline=None)
@given(
    n_styles=st.integers(1, 6),
    n_columns=st.integers(1, 25),
    n_rows=st.integers(1, 25),
    density=st.floats(0.05, 0.5),
    seed=st.integers(0, 2**31 - 1),
)
def test_partition_blocks_match_a_scan_per_style_on_random_programs(
    n_styles: int, n_columns: int, n_rows: int, density: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    matrix = sp.random(n_rows, n_columns, density=density, format="csr", random_state=rng)
    program = LinearProgram(
        objective=rng.normal(size=n_columns),
        offset=0.0,
        matrix=matrix,
        row_lower=np.full(n_rows, -np.inf),
        row_upper=np.ones(n_rows),
        col_lower=np.zeros(n_columns),
        col_upper=np.ones(n_columns),
        integer=rng.random(n_columns) < 0.5,
        maximize=True,
        column_blocks={},
        row_blocks={},
        column_style=rng.integers(-1, n_styles, size=n_columns),
    )

    parts = partition(program)

    columns, rows = per_style_scan(parts)
    assert [c.tolist() for c in parts.block_columns] == columns
    assert [r.tolist() for r in parts.block_rows] == rows
    covered = np.concatenate([parts.linking_rows, *parts.block_rows])
    assert sorted(covered.tolist()) == list(range(parts.program.n_rows))
