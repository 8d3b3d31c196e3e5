"""Campaigns as decisions: livestream slots, KOC posts and paid traffic (``levers.campaigns``).

Each campaign c has a purchase amount A[c,ω] that lifts spot demand of style p in period t by
u[c,p,t]·s[ω,p]·A[c,ω], where u is the expected sales of one purchase (the funnel of the signals
model: viewers × conversion × share, reach × engagement × conversion × share per post, conversion
× share per click, spread by the carryover) and s[ω,p] the style's season demand in scenario ω
against its expected season demand (``scale_with_demand``):

- livestream: A = b ∈ {0,1}; cost F·b, plus the commission κ·P[p] on its sales;
- posts: A = n + (m − 1)·w with n ∈ {0..N} posts, δ ∈ {0,1} "dense" (n ≥ θ·δ) and w ≤ n,
  w ≤ N·δ (w = n·δ at the optimum: the density effect of ``demand.signals`` posts); cost
  F·b + f·n with n ≤ N·b;
- paid traffic: A = Σ_k k[c,k] clicks by tier, k[c,k] ≤ K_k·b; cost F·b + Σ_k cpc_k·k[c,k];
  tiers get dearer, so the cheap tiers fill first without binaries (diminishing returns).

Fees, posts and clicks count against the marketing budget Σ cost ≤ B in every scenario and
leave cash in the campaign's period; commissions leave with the sales receipts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.model.program import SHARED, ProgramBuilder
from flexsupply.model.terms import MoneyLedger
from flexsupply.scenario.levers import Campaign, CampaignKind


@dataclass(frozen=True)
class CampaignColumns:
    """Campaign decision columns, each ``(n_campaigns, Ω)`` (-1 where a kind has none).

    A campaign run before the reveal period has one column repeated across ω.
    """

    buy: IntArray
    """Bought or not, b[c] ∈ {0,1}."""
    amount: list[tuple[IntArray, FloatArray]]
    """Terms of the purchase amount A[c,ω]: ``(columns (n_campaigns, Ω), coefficient (n_campaigns,))``."""
    posts: IntArray
    """Posts bought, n[c] (posts campaigns)."""
    clicks: IntArray
    """Clicks bought per tier, ``(n_campaigns, n_tiers, Ω)``."""
    dense: IntArray
    """The wave reaches its density threshold, δ[c] ∈ {0,1} (posts with a density effect)."""
    dense_count: IntArray
    """Posts of a dense wave, w[c] = n[c]·δ[c]."""
    lifted_sales: IntArray
    """Sales a commission is paid on, per lift entry ``(n_entries, Ω)`` (-1 without commission)."""
    unit_lift: FloatArray
    """Expected sales of one purchase, u[c,p,t], shape ``(n_campaigns, P, T)`` [units]."""
    cost_terms: list[tuple[IntArray, FloatArray]]
    """Budgeted cost terms ``(columns (n_campaigns, …, Ω), coefficient)`` [currency]."""


def unit_lift(campaigns: list[Campaign], product_ids: list[str], periods: int) -> FloatArray:
    """Returns the expected sales one purchase of each campaign brings per style and period.

    Returns:
        u[c,p,t], shape ``(n_campaigns, n_products, n_periods)`` [units per slot, post or click].
    """
    index = {pid: p for p, pid in enumerate(product_ids)}
    lift = np.zeros((len(campaigns), len(product_ids), periods))
    t = np.arange(periods)
    for c, campaign in enumerate(campaigns):
        lag = t - (campaign.period - 1)
        carry = campaign.carryover
        spread = np.where(lag >= 0, (1 - carry) * carry ** np.maximum(lag, 0), 0.0)
        per_buyer = {
            CampaignKind.LIVESTREAM: campaign.viewers * campaign.conversion,
            CampaignKind.POSTS: campaign.reach_per_post * campaign.engagement * campaign.conversion,
            CampaignKind.PAID_TRAFFIC: campaign.conversion,
        }[campaign.kind]
        for style in campaign.styles:
            p = index[style.product]
            if style.units is not None:
                lift[c, p] += np.asarray(style.units, dtype=float)
            else:
                lift[c, p] += per_buyer * style.share * spread
    return lift


def staged_columns(
    builder: ProgramBuilder,
    name: str,
    period: IntArray,
    reveal: int,
    n_scen: int,
    upper: FloatArray,
    integer: bool,
    style: IntArray,
) -> IntArray:
    """Adds one decision per item: shared by all scenarios before ``reveal``, per scenario after.

    ``period``, ``upper`` and ``style`` are ``(n_items,)`` (0-based periods).

    Returns:
        Columns ``(n_items, Ω)``, a shared item's column repeated across ω.
    """
    columns = np.empty((len(period), n_scen), dtype=np.int64)
    shared = period < reveal
    for suffix, mine, width in (("_shared", shared, 1), ("", ~shared, n_scen)):
        if mine.any():
            cols = builder.add_columns(
                name + suffix,
                (int(mine.sum()), width),
                0.0,
                upper[mine][:, None],
                integer,
                style[mine][:, None],
            )
            columns[mine] = cols
    return columns


def campaign_style(campaigns: list[Campaign], lift: FloatArray) -> IntArray:
    """Returns the style tag of each campaign: its one style, or ``SHARED`` when it sells several."""
    sells = lift.sum(axis=2) > 0
    single = sells.sum(axis=1) == 1
    return np.where(single, np.argmax(sells, axis=1), SHARED).astype(np.int64)


def add_campaigns(
    builder: ProgramBuilder,
    campaigns: list[Campaign],
    lift: FloatArray,
    reveal: int,
    n_scen: int,
) -> CampaignColumns:
    """Adds the campaign decisions and the rows that tie posts, density and clicks to buying.

    Returns:
        The campaign columns (commission columns are added by ``add_commissions``).
    """
    n = len(campaigns)
    period = np.array([c.period - 1 for c in campaigns], dtype=np.int64)
    style = campaign_style(campaigns, lift)
    kind = np.array([c.kind.value for c in campaigns])
    buy = staged_columns(builder, "campaign_buy", period, reveal, n_scen, np.ones(n), True, style)
    fee = np.array([c.fee for c in campaigns], dtype=float)
    cost_terms = [(buy, fee)]
    amount: list[tuple[IntArray, FloatArray]] = []
    none = np.full((n, n_scen), -1, dtype=np.int64)
    live = kind == CampaignKind.LIVESTREAM.value
    amount.append((np.where(live[:, None], buy, -1), np.ones(n)))

    posts, dense_full, extra_full = none.copy(), none.copy(), none.copy()
    is_posts = kind == CampaignKind.POSTS.value
    if is_posts.any():
        cap = np.array([float(c.max_posts) for c in campaigns])[is_posts]
        posts[is_posts] = staged_columns(
            builder, "campaign_posts", period[is_posts], reveal, n_scen, cap, True, style[is_posts]
        )
        rows = builder.add_rows("posts_bought", posts[is_posts].shape, upper=0.0)
        builder.add_terms(rows, posts[is_posts], 1.0)
        builder.add_terms(rows, buy[is_posts], -cap[:, None])
        cost_terms.append((posts, np.array([c.fee_per_post for c in campaigns], dtype=float)))
        amount.append((posts, np.ones(n)))
        multiplier = np.array([c.density_multiplier for c in campaigns], dtype=float)
        threshold = np.array([float(c.density_threshold) for c in campaigns])
        dense_mask = (
            is_posts
            & (multiplier != 1.0)
            & (threshold <= np.array([c.max_posts for c in campaigns]))
        )
        if dense_mask.any():
            cap_d = np.array([float(c.max_posts) for c in campaigns])[dense_mask]
            args = (period[dense_mask], reveal, n_scen)
            dense = staged_columns(
                builder, "posts_dense", *args, np.ones(len(cap_d)), True, style[dense_mask]
            )
            extra = staged_columns(
                builder, "posts_dense_count", *args, cap_d, False, style[dense_mask]
            )
            shape = dense.shape
            # n ≥ θ·δ; w ≤ n; w ≤ N·δ: w is n once the wave is dense, else 0.
            reach = builder.add_rows("posts_density", shape, upper=0.0)
            builder.add_terms(reach, dense, threshold[dense_mask][:, None])
            builder.add_terms(reach, posts[dense_mask], -1.0)
            within = builder.add_rows("posts_dense_within", shape, upper=0.0)
            builder.add_terms(within, extra, 1.0)
            builder.add_terms(within, posts[dense_mask], -1.0)
            only = builder.add_rows("posts_dense_only", shape, upper=0.0)
            builder.add_terms(only, extra, 1.0)
            builder.add_terms(only, dense, -cap_d[:, None])
            dense_full[dense_mask], extra_full[dense_mask] = dense, extra
            amount.append((extra_full, multiplier - 1.0))

    n_tiers = max((len(c.click_tiers) for c in campaigns), default=0)
    clicks = np.full((n, n_tiers, n_scen), -1, dtype=np.int64)
    for k in range(n_tiers):
        has = np.array([len(c.click_tiers) > k for c in campaigns])
        cap = np.array([c.click_tiers[k].clicks for c in campaigns if len(c.click_tiers) > k])
        price = np.array(
            [c.click_tiers[k].cost_per_click if len(c.click_tiers) > k else 0.0 for c in campaigns]
        )
        clicks[has, k] = staged_columns(
            builder, f"campaign_clicks_{k + 1}", period[has], reveal, n_scen, cap, False, style[has]
        )
        rows = builder.add_rows(f"clicks_bought_{k + 1}", clicks[has, k].shape, upper=0.0)
        builder.add_terms(rows, clicks[has, k], 1.0)
        builder.add_terms(rows, buy[has], -cap[:, None])
        cost_terms.append((clicks[:, k], price))
        amount.append((clicks[:, k], np.ones(n)))
    return CampaignColumns(
        buy=buy,
        amount=amount,
        posts=posts,
        clicks=clicks,
        dense=dense_full,
        dense_count=extra_full,
        lifted_sales=np.zeros((0, n_scen), dtype=np.int64),
        unit_lift=lift,
        cost_terms=cost_terms,
    )


def add_budget_and_cash(
    builder: ProgramBuilder,
    ledger: MoneyLedger,
    columns: CampaignColumns,
    period: IntArray,
    budget: float | None,
    cash_rows: IntArray,
) -> None:
    """Adds the marketing budget rows ``(Ω,)``, the fees to cash and the ``marketing`` money."""
    n_scen = columns.buy.shape[1]
    scen = np.arange(n_scen)[None, :]
    rows = None
    if budget is not None:
        rows = builder.add_rows("marketing_budget", (n_scen,), upper=budget)
    for cols, coef in columns.cost_terms:
        coef_b = coef[:, None]
        ledger.add("marketing", cols, coef_b, scen)
        if rows is not None:
            builder.add_terms(rows[None, :], cols, coef_b)
        if cash_rows.size:
            builder.add_terms(cash_rows[period[:, None], scen], cols, coef_b)
