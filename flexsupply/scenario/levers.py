"""Demand-side levers: marketing bought as a decision, in-season markdowns, repurchase.

``levers`` turns parts of demand into decisions of the plan (``docs/guides/levers.md``):

- ``campaigns``: a livestream slot (fixed fee plus a commission on its sales), a wave of KOC
  posts (fee per post, with the density effect of ``demand.signals`` posts) or paid traffic
  (cost per click rising by tier: diminishing returns), each with the demand it brings per style
  and period, bought within ``marketing_budget`` and within cash;
- ``markdown``: per style, price points below the full price with the demand each brings, one
  chosen per period, and ``clearance`` of leftover stock at the end above its salvage value;
- ``repurchase``: a share of a period's buyers buys the style again some periods later, so
  sales now create demand later inside the model (linear in sales).

Kept apart from ``schema.py`` so that the scenario schema only names the block.
"""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import TYPE_CHECKING, Self

from pydantic import Field, model_validator

from flexsupply.errors import Problem
from flexsupply.scenario.base import (
    MAX_PERIODS,
    Count,
    Factor,
    Id,
    Model,
    Money,
    Period,
    Real,
    Share,
    UnitMoney,
    Units,
    Whole,
)

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario

MAX_POSTS = 1_000_000
"""Most posts one campaign may buy [posts]."""


class CampaignKind(StrEnum):
    """What a campaign buys."""

    LIVESTREAM = "livestream"
    POSTS = "posts"
    PAID_TRAFFIC = "paid_traffic"


class CampaignStyle(Model):
    """One style a campaign sells, with its share of the campaign's buyers."""

    product: str
    """Product id."""
    share: Share = 1.0
    """Share of the campaign's buyers who buy this style (its airtime in a livestream, its
    place in the posts or ads)."""
    units: list[Units] | None = None
    """Expected units sold per period for one purchase (the slot, one post, one click), one
    number per period, instead of the funnel fields of the campaign [units/purchase]. Symbol:
    u[c,p,t]."""


class ClickTier(Model):
    """A block of paid clicks at one price; later tiers cost more per click."""

    clicks: Count
    """Clicks this tier can buy [clicks]."""
    cost_per_click: UnitMoney
    """Price of one click in this tier [currency/click]; tiers must not get cheaper."""


class Campaign(Model):
    """A marketing purchase the plan may make: a livestream slot, KOC posts or paid traffic."""

    name: Id
    """Unique name, shown in the plan."""
    kind: CampaignKind
    """``livestream`` (one slot, bought or not), ``posts`` (a whole number of posts) or
    ``paid_traffic`` (clicks by tier)."""
    period: Period
    """Period the campaign runs and is paid; decided before demand is revealed when it is
    before ``reveal_period``, per demand scenario from it on."""
    fee: Money = 0.0
    """Fixed fee when the campaign is bought at all (slot fee, agency fee) [currency]. Symbol:
    F[c]."""
    commission: Share = 0.0
    """Share of the sales price of the campaign's sales paid to the host or affiliate (a
    livestream's commission, a KOC's pay per sale) [share of revenue]. Symbol: κ[c]."""
    fee_per_post: UnitMoney = 0.0
    """Fee of one post (``posts``) [currency/post]. Symbol: f[c]."""
    max_posts: Whole = Field(0, ge=0, le=MAX_POSTS)
    """Most posts the campaign can buy (``posts``) [posts]. Symbol: N[c]."""
    click_tiers: list[ClickTier] = Field(default_factory=list)
    """Clicks on offer by price tier, cheapest first (``paid_traffic``)."""
    viewers: Count = 0.0
    """Expected viewers of the livestream [viewers]."""
    reach_per_post: Count = 0.0
    """People who see one post [people/post]."""
    engagement: Share = 1.0
    """Share of people reached who engage (``posts``)."""
    conversion: Share = 0.0
    """Share of viewers (livestream), engaged people (posts) or clicks (paid traffic) who buy
    one unit."""
    density_threshold: Whole = Field(10, ge=1, le=MAX_POSTS)
    """Posts from which the circle notices the style: at or above it every post sells
    ``density_multiplier`` times as much (``posts``) [posts]. Symbol: θ[c]."""
    density_multiplier: Factor = 1.0
    """Lift of the sales of every post once ``density_threshold`` posts are bought (1: none).
    Symbol: m[c]."""
    carryover: Real = Field(0.0, ge=0, lt=1)
    """Share of the campaign's sales that slip to the next period, repeatedly (0: all in
    ``period``)."""
    scale_with_demand: bool = True
    """Scale the campaign's sales in each demand scenario by the style's season demand there
    against its expected season demand (a hit style converts better); false: the same sales
    in every scenario."""
    styles: list[CampaignStyle] = Field(min_length=1)
    """Styles the campaign sells; a campaign that sells several styles links them."""

    @model_validator(mode="after")
    def _kind_fields(self) -> Self:
        if self.kind == CampaignKind.POSTS and self.max_posts < 1:
            raise ValueError("a posts campaign needs max_posts ≥ 1")
        if self.kind == CampaignKind.PAID_TRAFFIC and not self.click_tiers:
            raise ValueError("a paid_traffic campaign needs click_tiers")
        if self.kind != CampaignKind.PAID_TRAFFIC and self.click_tiers:
            raise ValueError("click_tiers apply to paid_traffic campaigns only")
        if self.kind != CampaignKind.POSTS and (self.max_posts or self.fee_per_post):
            raise ValueError("max_posts and fee_per_post apply to posts campaigns only")
        prices = [tier.cost_per_click for tier in self.click_tiers]
        if any(later < earlier for earlier, later in itertools.pairwise(prices)):
            raise ValueError(
                f"click_tiers must not get cheaper per click (diminishing returns): got {prices}"
            )
        return self


class PricePoint(Model):
    """A discounted price and the demand it brings."""

    discount: Real = Field(gt=0, lt=1)
    """Discount off the full price, e.g. 0.2 for −20 % [share of price]. Symbol: δ[k]."""
    demand_multiplier: Factor | None = None
    """Spot demand at this price against the full price (1.5: half as much again); omitted:
    from the markdown's ``elasticity``. Symbol: m[k]."""


class Markdown(Model):
    """In-season price points of one or more styles, one chosen per style and period."""

    products: list[str] = Field(min_length=1)
    """Styles these price points apply to."""
    price_points: list[PricePoint] = Field(min_length=1)
    """Discounted prices on offer besides the full price."""
    elasticity: Real | None = Field(None, gt=0, le=20)
    """Price elasticity ε of demand: a point without a multiplier gets
    (1 − discount)^(−ε) [dimensionless]."""
    from_period: Period = 1
    """First period a markdown may be chosen."""

    @model_validator(mode="after")
    def _multipliers(self) -> Self:
        if self.elasticity is None and any(p.demand_multiplier is None for p in self.price_points):
            raise ValueError("give each price point a demand_multiplier, or an elasticity")
        return self

    def multipliers(self) -> list[float]:
        """Returns the demand multiplier of each price point [dimensionless]."""
        return [
            point.demand_multiplier
            if point.demand_multiplier is not None
            else (1.0 - point.discount) ** (-(self.elasticity or 0.0))
            for point in self.price_points
        ]


class Clearance(Model):
    """An end-of-season clearance sale: leftover stock sold above its salvage value."""

    product: str
    """Style cleared."""
    price: UnitMoney
    """Price of a cleared unit [currency/unit]. Symbol: P_c[p]."""
    max_units: Units
    """Most units the clearance channel (outlet, clearance event) takes [units]."""
    period: Period | None = None
    """Period of the clearance; omitted: the last period."""


class RepurchaseChannel(StrEnum):
    """Where buyers came from (the channels of ``demand.signals``, and the presale)."""

    SEARCH = "search"
    LIVESTREAM = "livestream"
    POSTS = "posts"
    PRIVATE_DOMAIN = "private_domain"
    PRESALE = "presale"


class ChannelRate(Model):
    """The repurchase rate of buyers who came through one channel."""

    channel: RepurchaseChannel
    """``search``, ``livestream``, ``posts``, ``private_domain`` or ``presale``."""
    rate: Share
    """Share of this channel's buyers who buy the style again [share of units sold]."""
    lag_periods: Whole | None = Field(None, ge=1, le=MAX_PERIODS)
    """Periods until they come back; omitted: the block's ``lag_periods``."""


class Repurchase(Model):
    """Buyers who come back: sales in t create demand in t + L (linear in sales)."""

    rate: Share
    """Share of a period's buyers who buy the style again, for channels without their own
    rate (and for demand given as tables) [share of units sold]. Symbol: r."""
    lag_periods: Whole = Field(ge=1, le=MAX_PERIODS)
    """Periods until they come back [periods]. Symbol: L."""
    channels: list[ChannelRate] = Field(default_factory=list)
    """Rates by channel (private-domain members come back more often); spot sales come back at
    the mix of their channels' expected sales."""


class Levers(Model):
    """Demand-side decisions: campaigns, markdowns, clearance and repurchase."""

    marketing_budget: Money | None = None
    """Most money spent on campaign fees, posts and clicks in the season (commissions are paid
    out of sales and not counted) [currency]; omitted: no budget beyond cash. Symbol: B."""
    campaigns: list[Campaign] = Field(default_factory=list)
    """Campaigns on offer; the plan buys those worth their price."""
    markdown: list[Markdown] = Field(default_factory=list)
    """In-season price points per style."""
    clearance: list[Clearance] = Field(default_factory=list)
    """End-of-season clearance sales."""
    repurchase: Repurchase | None = None
    """Buyers who come back; omitted: none beyond the demand forecast (the private domain's
    flat ``repurchase_rate`` stays the demand of members from before the season)."""


def reanchor_levers(levers: Levers | None, elapsed: int) -> Levers | None:
    """Returns the levers of the periods after ``elapsed`` ones, numbered from 1 again.

    Campaigns and clearance sales of elapsed periods are gone (what they sold is in the
    actuals); later ones keep their periods, shifted; markdowns may start at once when their
    first period has passed. The marketing budget and repurchase stay as stated: set the budget
    left with ``--set levers.marketing_budget=...``.

    Returns:
        The shifted levers, or None without levers.
    """
    if levers is None:
        return None
    campaigns = [
        c.model_copy(
            update={
                "period": c.period - elapsed,
                "styles": [
                    s.model_copy(update={"units": None if s.units is None else s.units[elapsed:]})
                    for s in c.styles
                ],
            }
        )
        for c in levers.campaigns
        if c.period > elapsed
    ]
    markdown = [
        m.model_copy(update={"from_period": max(1, m.from_period - elapsed)})
        for m in levers.markdown
    ]
    clearance = [
        c.model_copy(update={"period": None if c.period is None else c.period - elapsed})
        for c in levers.clearance
        if c.period is None or c.period > elapsed
    ]
    update = {"campaigns": campaigns, "markdown": markdown, "clearance": clearance}
    return levers.model_copy(update=update)


def lever_problems(scenario: Scenario) -> list[Problem]:
    """Returns the problems of the levers block that need the rest of the scenario.

    Returns:
        One problem per unknown product, period list of the wrong length, campaign name used
        twice, style marked down twice, and lever combined with ``objective: min_cost``.
    """
    levers = scenario.levers
    if levers is None:
        return []
    periods = scenario.horizon.periods
    known = set(scenario.product_ids)
    problems: list[Problem] = []

    def product(loc: tuple[str | int, ...], value: str) -> None:
        if value not in known:
            problems.append(Problem(loc, f"unknown product {value!r}"))

    def period(loc: tuple[str | int, ...], value: int | None) -> None:
        if value is not None and value > periods:
            problems.append(Problem(loc, f"period {value} is after the horizon ({periods})"))

    if scenario.objective.value == "min_cost":
        problems.append(
            Problem(("levers",), "levers trade money for demand: use objective: max_profit")
        )
    names: set[str] = set()
    for c, campaign in enumerate(levers.campaigns):
        loc: tuple[str | int, ...] = ("levers", "campaigns", c)
        if campaign.name in names:
            problems.append(Problem((*loc, "name"), f"campaign {campaign.name!r} appears twice"))
        names.add(campaign.name)
        period((*loc, "period"), campaign.period)
        for s, style in enumerate(campaign.styles):
            product((*loc, "styles", s, "product"), style.product)
            if style.units is not None and len(style.units) != periods:
                message = f"units needs one value per period: expected {periods}"
                problems.append(
                    Problem((*loc, "styles", s, "units"), f"{message}, got {len(style.units)}")
                )
    marked: set[str] = set()
    for m, markdown in enumerate(levers.markdown):
        for i, name in enumerate(markdown.products):
            product(("levers", "markdown", m, "products", i), name)
            if name in marked:
                message = f"{name!r} already has price points"
                problems.append(Problem(("levers", "markdown", m, "products", i), message))
            marked.add(name)
        period(("levers", "markdown", m, "from_period"), markdown.from_period)
    for i, sale in enumerate(levers.clearance):
        product(("levers", "clearance", i, "product"), sale.product)
        period(("levers", "clearance", i, "period"), sale.period)
    return problems


__all__ = [
    "Campaign",
    "CampaignKind",
    "CampaignStyle",
    "ChannelRate",
    "Clearance",
    "ClickTier",
    "Levers",
    "Markdown",
    "PricePoint",
    "Repurchase",
    "RepurchaseChannel",
    "lever_problems",
    "reanchor_levers",
]
