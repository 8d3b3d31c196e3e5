"""Identical suppliers and styles, and the rows that order them so the search sees each plan once.

Two suppliers with the same capacity, costs, payment terms, defect rate and supply terms for the
same styles are interchangeable: swapping their names in any plan gives another plan with the
same profit. So are two styles (colour variants, say) with the same prices, costs, returns,
stock, presale orders, supply terms and demand in every scenario. Branch and bound then explores
every such swap separately. Ordering each group by its first-batch units — the first of a group
orders at least as many units before the reveal period as the second, and so on — keeps one
plan of every swap class (Margot 2010, "Symmetry in integer linear programming", §3). For
suppliers with an onboarding cost the first of a group is also onboarded when the second is.
Both orderings hold together in the plan that sorts each group by (first-batch units, onboarded).

The builder always finds the groups (the solver log names them) but adds the rows only with
``model.build.ORDER_INTERCHANGEABLE``: SCIP's own symmetry handling did better without them
(``benchmarks/results/symmetry.md``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.data import ModelData
from flexsupply.model.program import ProgramBuilder


@dataclass(frozen=True)
class SymmetryGroups:
    """Groups of interchangeable suppliers and products, each group sorted, of size two or more."""

    suppliers: list[list[int]]
    products: list[list[int]]

    @property
    def pairs(self) -> int:
        """Number of consecutive pairs the groups order."""
        return sum(len(group) - 1 for group in self.suppliers + self.products)


def _option_rows(data: ModelData) -> FloatArray:
    """Returns each option's terms as a row of numbers, shape ``(n_options, 8 + n_periods)``."""
    opts = data.options
    return np.column_stack(
        [
            opts.tier,
            opts.min_quantity,
            opts.max_quantity,
            opts.capacity_use,
            opts.setup_time,
            opts.setup_cost,
            opts.lead_time,
            opts.multiple,
            opts.unit_cost,
        ]
    ).astype(float)


def _groups(keys: list[Hashable]) -> list[list[int]]:
    """Returns the indices sharing a key, for keys held by two or more, in first-index order."""
    members: dict[Hashable, list[int]] = {}
    for index, key in enumerate(keys):
        members.setdefault(key, []).append(index)
    return [group for group in members.values() if len(group) > 1]


def _terms_key(rows: FloatArray, term: IntArray, partner: IntArray) -> Hashable:
    """Returns the options of one supplier (or product) as an order-free key.

    ``partner`` is the product (or supplier) of each option; options of one term stay together,
    since a term's tiers share one order decision.
    """
    terms: dict[int, list[tuple[float, ...]]] = {}
    for row, t, other in zip(rows.tolist(), term.tolist(), partner.tolist(), strict=True):
        terms.setdefault(t, []).append((float(other), *row))
    return tuple(sorted(tuple(sorted(options)) for options in terms.values()))


def _members(owner: IntArray, size: int) -> list[IntArray]:
    """Returns, for each of ``size`` owners, the indices whose ``owner`` it is (in order)."""
    order = np.argsort(owner, kind="stable")
    return np.split(order, np.searchsorted(owner[order], np.arange(1, size)))


def find_symmetry(data: ModelData, demand: FloatArray) -> SymmetryGroups:
    """Returns the groups of interchangeable suppliers and products.

    ``demand`` is the spot demand ``(Ω, P, T)`` [units]. A product is compared on every parameter
    the model reads, its demand in each scenario, its presale orders and its supply terms; a
    supplier on its capacity per period, onboarding, defect and payment terms and supply terms.
    """
    opts, sups, prods, pre = data.options, data.suppliers, data.products, data.presale
    rows = _option_rows(data)
    of_supplier = _members(opts.supplier, len(sups.onboarding))
    supplier_keys: list[Hashable] = []
    for s, mine in enumerate(of_supplier):
        supplier_keys.append(
            (
                sups.capacity[s].tobytes(),
                float(sups.onboarding[s]),
                float(sups.good_share[s]),
                float(sups.upfront_share[s]),
                int(sups.balance_lag[s]),
                _terms_key(rows[mine], opts.term[mine], opts.product[mine]),
            )
        )
    presale = np.column_stack(
        [
            pre.period,
            pre.units_to_ship,
            pre.deposits,
            pre.balance_per_unit,
            pre.expansion,
            pre.price,
            pre.ship_from,
            pre.due,
            pre.late_forbidden,
            pre.late_cost,
        ]
    ).astype(float)
    per_product = np.column_stack(
        [
            prods.price,
            prods.salvage,
            prods.holding,
            prods.goodwill,
            prods.backlog_cost,
            prods.return_rate,
            prods.return_lag,
            prods.resellable,
            prods.handling,
            prods.initial_stock,
            prods.lost,
            prods.backlog,
            prods.forbidden,
        ]
    ).astype(float)
    of_product = _members(opts.product, len(prods.price))
    presale_of = _members(pre.product, len(prods.price))
    product_keys: list[Hashable] = []
    for p, mine in enumerate(of_product):
        product_keys.append(
            (
                per_product[p].tobytes(),
                prods.spot_return_rate[p].tobytes(),
                np.ascontiguousarray(demand[:, p, :]).tobytes(),
                tuple(sorted(map(tuple, presale[presale_of[p]].tolist()))),
                _terms_key(rows[mine], opts.term[mine], opts.supplier[mine]),
            )
        )
    return SymmetryGroups(suppliers=_groups(supplier_keys), products=_groups(product_keys))


def _pairs(groups: list[list[int]]) -> tuple[IntArray, IntArray]:
    """Returns the consecutive pairs of every group: ``[a, b, c]`` gives (a, b) and (b, c)."""
    first = [a for group in groups for a in group[:-1]]
    second = [b for group in groups for b in group[1:]]
    return np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)


def add_symmetry_rows(
    builder: ProgramBuilder,
    data: ModelData,
    groups: SymmetryGroups,
    order: IntArray,
    select: IntArray,
) -> int:
    """Adds the rows that sort each group of interchangeable suppliers and products.

    ``order`` is the ``(O, T, Ω)`` order columns; ``select`` the ``(S,)`` onboarding columns
    (-1 where none). Does nothing without first-batch orders (reveal period 1).

    Returns:
        The number of rows added.
    """
    reveal = data.reveal
    if reveal == 0:
        return 0
    opts = data.options
    first_batch = order[:, :reveal, 0]
    added = 0
    for name, groups_of, owner, size in (
        ("symmetric_suppliers", groups.suppliers, opts.supplier, len(select)),
        ("symmetric_products", groups.products, opts.product, len(data.products.price)),
    ):
        first, second = _pairs(groups_of)
        if not len(first):
            continue
        rows = builder.add_rows(name, (len(first),), lower=0.0)
        for members, sign in ((first, 1.0), (second, -1.0)):
            row_of = np.full(size, -1, dtype=np.int64)
            row_of[members] = rows
            builder.add_terms(
                row_of[owner][:, None], first_batch, sign, where=(row_of[owner] >= 0)[:, None]
            )
        added += len(first)
        if name == "symmetric_suppliers":
            onboarded = select[first] >= 0
            if onboarded.any():
                rows = builder.add_rows("symmetric_onboarding", (int(onboarded.sum()),), lower=0.0)
                builder.add_terms(rows, select[first[onboarded]], 1.0)
                builder.add_terms(rows, select[second[onboarded]], -1.0)
                added += int(onboarded.sum())
    return added
