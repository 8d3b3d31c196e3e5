"""The demand-side levers in the model: demand that decisions and sales add, and its rows.

Campaigns (``model/campaigns.py``), markdowns (``model/markdown.py``) and repurchase
(``model/repurchase.py``) each add linear terms E[ω,p,t] = Σ coef·x to spot demand. For every
style they touch, one row per (p, t, ω) caps the sales by the demand then:

    sales[p,t,ω] − E[ω,p,t] ≤ D[ω,p,t]          (lost sales; = for forbidden unmet demand)

and a backlog style takes E into its backlog balance instead. Lost lever demand costs the
goodwill of the style like any lost sale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.campaigns import (
    CampaignColumns,
    add_budget_and_cash,
    add_campaigns,
    staged_columns,
    unit_lift,
)
from flexsupply.model.data import ModelData
from flexsupply.model.flows import FlowColumns
from flexsupply.model.markdown import MarkdownColumns, add_markdown, markdown_room
from flexsupply.model.program import ProgramBuilder
from flexsupply.model.repurchase import (
    channel_rates,
    presale_rate,
    repurchase_room,
    repurchase_terms,
)
from flexsupply.model.terms import MoneyLedger
from flexsupply.scenario import Scenario
from flexsupply.scenario.levers import CampaignKind, Levers

Terms = list[tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]]


@dataclass(frozen=True)
class LeverColumns:
    """The levers of a built model, for the plan to read."""

    campaigns: CampaignColumns
    markdown: MarkdownColumns
    scaled_lift: FloatArray
    """Expected sales of one purchase in each scenario, ``(n_campaigns, Ω, P, T)`` [units]."""
    product: IntArray
    period: IntArray
    scenario: IntArray
    column: IntArray
    coef: FloatArray
    """Lever demand as flat terms: demand of (product, period, scenario) += coef·x[column]."""

    def demand(self, x: FloatArray, shape: tuple[int, int, int]) -> FloatArray:
        """Returns the demand the levers add in solution ``x``, shape ``(Ω, P, T)`` [units]."""
        added = np.zeros(shape)
        np.add.at(added, (self.scenario, self.product, self.period), self.coef * x[self.column])
        return added


def demand_scale(demand: FloatArray, probabilities: FloatArray) -> FloatArray:
    """Returns each style's season demand in each scenario over its expected season demand.

    Returns:
        s[ω,p], shape ``(Ω, P)``; 1 for styles without expected demand.
    """
    season = demand.sum(axis=2)
    expected = probabilities @ season
    scale: FloatArray = np.where(expected > 0, season / np.maximum(expected, 1e-300), 1.0)
    return scale


def scaled_lifts(scenario: Scenario, demand: FloatArray, probabilities: FloatArray) -> FloatArray:
    """Returns the sales one purchase of each campaign brings per scenario, style and period.

    Returns:
        ``(n_campaigns, Ω, P, T)`` [units per slot, post or click].
    """
    levers = scenario.levers
    assert levers is not None
    n_scen, _, periods = demand.shape
    lift = unit_lift(levers.campaigns, scenario.product_ids, periods)
    scale = demand_scale(demand, probabilities)
    scaled = np.broadcast_to(lift[:, None], (len(levers.campaigns), n_scen, *lift.shape[1:])).copy()
    by_demand = np.array([c.scale_with_demand for c in levers.campaigns], dtype=bool)
    scaled[by_demand] *= scale[None, :, :, None]
    return scaled


def most_purchase(levers: Levers) -> FloatArray:
    """Returns the largest purchase amount of each campaign (1 slot, posts × density, clicks)."""
    most = []
    for c in levers.campaigns:
        if c.kind == CampaignKind.POSTS:
            dense = c.density_multiplier if c.max_posts >= c.density_threshold else 1.0
            most.append(c.max_posts * max(dense, 1.0))
        elif c.kind == CampaignKind.PAID_TRAFFIC:
            most.append(sum(tier.clicks for tier in c.click_tiers))
        else:
            most.append(1.0)
    return np.array(most, dtype=float)


def lever_room(scenario: Scenario, demand: FloatArray, probabilities: FloatArray) -> FloatArray:
    """Returns the most demand the levers can add, shape ``(Ω, P, T)`` [units] (0 without)."""
    levers = scenario.levers
    if levers is None:
        return np.zeros_like(demand)
    room = markdown_room(levers, scenario.product_ids, demand)
    if levers.campaigns:
        lifts = scaled_lifts(scenario, demand, probabilities)
        room = room + np.einsum("c,cwpt->wpt", most_purchase(levers), lifts)
    if levers.repurchase is not None:
        rate, lag = presale_rate(levers.repurchase)
        units = np.zeros(demand.shape[1])
        for order in scenario.presale:
            units[scenario.product_ids.index(order.product)] += order.quantity
        channels = channel_rates(scenario, levers.repurchase)
        room = room + repurchase_room(demand + room, channels, (rate, lag, units))
    return room


def add_levers(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    scenario: Scenario,
    data: ModelData,
    demand: FloatArray,
    probabilities: FloatArray,
    flows: FlowColumns,
    elastic: bool,
    room: FloatArray,
) -> LeverColumns | None:
    """Adds campaigns, markdowns, clearance and repurchase, and the rows that cap sales by them.

    ``demand`` is the spot demand ``(Ω, P, T)``; ``room`` the most the levers add to it
    (``lever_room``).

    Returns:
        The lever columns, or None when the scenario has no levers.
    """
    levers = scenario.levers
    if levers is None:
        return None
    n_scen, _n_prod, periods = demand.shape
    lag = scenario.cash.sales_receipt_lag_periods if scenario.cash is not None else 0
    rows: Terms = []
    goodwill: Terms = []
    scaled = scaled_lifts(scenario, demand, probabilities)
    campaigns = add_campaigns(builder, levers.campaigns, scaled.max(axis=1), data.reveal, n_scen)
    campaigns = _add_lift_terms(
        builder, ledger, levers, data, campaigns, scaled, flows.cash_rows, lag, rows, goodwill
    )
    period = np.array([c.period - 1 for c in levers.campaigns], dtype=np.int64)
    if levers.campaigns:
        add_budget_and_cash(
            builder, ledger, campaigns, period, levers.marketing_budget, flows.cash_rows
        )
    markdown, terms = add_markdown(
        builder,
        ledger,
        levers,
        data,
        scenario.product_ids,
        demand,
        demand + room,
        flows.sales,
        flows.balance_rows,
        (flows.cash_rows, lag),
    )
    rows += terms
    goodwill += terms
    if levers.repurchase is not None:
        rate, lag_pre = presale_rate(levers.repurchase)
        terms = repurchase_terms(
            channel_rates(scenario, levers.repurchase),
            flows.sales,
            (rate, lag_pre, data.presale.product),
            flows.shipments,
        )
        rows += terms
        goodwill += terms
    flat = _flatten(rows, periods)
    _add_demand_rows(builder, data, demand, flows, flat, elastic)
    product, _t, scen, cols, coef = _flatten(goodwill, periods)
    lost = data.products.lost[product]
    ledger.add("goodwill", cols, data.products.goodwill[product] * coef, scen, where=lost)
    return LeverColumns(campaigns, markdown, scaled, *flat)


def _add_lift_terms(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    levers: Levers,
    data: ModelData,
    campaigns: CampaignColumns,
    scaled: FloatArray,
    cash_rows: IntArray,
    lag: int,
    rows: Terms,
    goodwill: Terms,
) -> CampaignColumns:
    """Adds the demand each campaign brings; with a commission, through its own sales columns.

    Returns:
        The campaign columns with ``lifted_sales`` filled in.
    """
    n_scen, periods = scaled.shape[1], scaled.shape[3]
    commission = np.array([c.commission for c in levers.campaigns], dtype=float)
    c, p, t = np.nonzero(campaigns.unit_lift > 0)
    w = np.arange(n_scen)[None, :]
    pe, te, we = np.broadcast_arrays(p[:, None], t[:, None], w)
    lift = scaled[c, :, p, t]  # (E, Ω)
    paid = commission[c] > 0
    for cols, coef in campaigns.amount:
        amount = coef[c][:, None] * lift
        goodwill.append((pe, te, we, cols[c], amount))
        rows.append((pe, te, we, np.where(paid[:, None], -1, cols[c]), amount))
    lifted = np.full((len(c), n_scen), -1, dtype=np.int64)
    n_paid = int(paid.sum())
    if n_paid:
        # Sales a commission is paid on: at most the campaign's demand when it is bought.
        lifted[paid] = staged_columns(
            builder,
            "campaign_sales",
            np.zeros(n_paid, dtype=np.int64),
            0,
            n_scen,
            lift[paid].max(axis=1) * most_purchase(levers)[c[paid]],
            False,
            p[paid],
        )
        cap = builder.add_rows("campaign_sales_cap", (n_paid, n_scen), upper=0.0)
        builder.add_terms(cap, lifted[paid], 1.0)
        for cols, coef in campaigns.amount:
            builder.add_terms(cap, cols[c[paid]], -coef[c[paid]][:, None] * lift[paid])
        rows.append((pe[paid], te[paid], we[paid], lifted[paid], np.ones((n_paid, n_scen))))
        money = (commission[c] * data.products.price[p])[paid][:, None]
        ledger.add("commission", lifted[paid], money, w)
        if cash_rows.size:
            receipt = t[paid] + lag
            inside = (receipt < periods)[:, None]
            target = cash_rows[np.minimum(receipt, periods - 1)[:, None], w]
            builder.add_terms(target, lifted[paid], money, where=inside)
    return CampaignColumns(
        buy=campaigns.buy,
        amount=campaigns.amount,
        posts=campaigns.posts,
        clicks=campaigns.clicks,
        dense=campaigns.dense,
        dense_count=campaigns.dense_count,
        lifted_sales=lifted,
        unit_lift=campaigns.unit_lift,
        cost_terms=campaigns.cost_terms,
    )


def _flatten(
    terms: Terms, periods: int
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray]:
    """Returns the terms as flat arrays, without those beyond the horizon or without a column."""
    parts = [
        [np.broadcast_to(a, np.broadcast_shapes(*(x.shape for x in term))).ravel() for a in term]
        for term in terms
    ]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty, np.zeros(0)
    product, period, scen, cols, coef = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    keep = (period < periods) & (cols >= 0) & (coef != 0)
    return (
        product[keep].astype(np.int64),
        period[keep].astype(np.int64),
        scen[keep].astype(np.int64),
        cols[keep].astype(np.int64),
        coef[keep].astype(float),
    )


def _add_demand_rows(
    builder: ProgramBuilder,
    data: ModelData,
    demand: FloatArray,
    flows: FlowColumns,
    flat: tuple[IntArray, IntArray, IntArray, IntArray, FloatArray],
    elastic: bool,
) -> None:
    """Caps sales by demand plus the lever terms (backlog styles: in their backlog balance)."""
    product, period, scen, cols, coef = flat
    prods = data.products
    touched = np.unique(product)
    capped = touched[~prods.backlog[touched]]
    row_of = flows.backlog_rows.copy()
    if len(capped):
        d = np.moveaxis(demand, 0, 2)[capped]
        firm = (prods.forbidden[capped] & (not elastic))[:, None, None]
        rows = builder.add_rows("lever_demand", d.shape, np.where(firm, d, -np.inf), d)
        builder.add_terms(rows, flows.sales[capped], 1.0)
        row_of[capped] = rows
    builder.add_terms(row_of[product, period, scen], cols, -coef)


def lever_stage(
    columns: LeverColumns, levers: Levers, reveal: int, x: FloatArray
) -> tuple[FloatArray, IntArray]:
    """Returns the lever decisions taken before the reveal period in solution ``x``.

    Returns:
        ``(purchase per campaign (slots 1/0, posts, clicks; NaN when decided per scenario),
        price point per markdown entry and period before the reveal, (M, τ): 0 = full price,
        k = the k-th point)``.
    """
    camp = columns.campaigns
    period = np.array([c.period - 1 for c in levers.campaigns], dtype=np.int64)

    def first(cols: IntArray) -> FloatArray:
        return np.where(cols[..., 0] >= 0, x[np.maximum(cols[..., 0], 0)], 0.0)

    purchase = np.round(first(camp.buy))
    posts = camp.posts[:, 0] >= 0
    purchase[posts] = np.round(first(camp.posts))[posts]
    if camp.clicks.shape[1]:
        clicking = camp.clicks[:, 0, 0] >= 0
        purchase[clicking] = first(camp.clicks).sum(axis=1)[clicking]
    purchase[period >= reveal] = np.nan
    choice = columns.markdown.choice[:, :reveal, :, 0]
    chosen = np.round(np.where(choice >= 0, x[np.maximum(choice, 0)], 0.0))
    point = np.where(chosen.any(axis=2), np.argmax(chosen, axis=2) + 1, 0)
    return purchase, point.astype(np.int64)


def fix_lever_stage(
    columns: LeverColumns,
    levers: Levers,
    stage: tuple[FloatArray, IntArray],
    lower: FloatArray,
    upper: FloatArray,
) -> None:
    """Fixes, in the column bounds, the lever decisions ``lever_stage`` returned."""
    purchase, point = stage
    camp = columns.campaigns

    def fix(cols: IntArray, values: FloatArray) -> None:
        has = cols >= 0
        lower[cols[has]] = upper[cols[has]] = values[has]

    shared = ~np.isnan(purchase)
    amount = np.where(shared, purchase, 0.0)
    fix(np.where(shared, camp.buy[:, 0], -1), (amount > 0).astype(float))
    fix(np.where(shared, camp.posts[:, 0], -1), amount)
    threshold = np.array([float(c.density_threshold) for c in levers.campaigns])
    dense = (amount >= threshold).astype(float)
    fix(np.where(shared, camp.dense[:, 0], -1), dense)
    fix(np.where(shared, camp.dense_count[:, 0], -1), dense * amount)
    left = amount.copy()
    for k, tier in enumerate(camp.clicks.transpose(1, 0, 2)):
        size = np.array(
            [c.click_tiers[k].clicks if len(c.click_tiers) > k else 0.0 for c in levers.campaigns]
        )
        take = np.minimum(left, size)
        fix(np.where(shared, tier[:, 0], -1), take)
        left -= take
    choice = columns.markdown.choice[:, : point.shape[1], :, 0]
    points = np.arange(1, choice.shape[2] + 1)[None, None, :]
    fix(choice, (point[:, :, None] == points).astype(float))
