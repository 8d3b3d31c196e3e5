"""The signal block of a scenario: fan-side signals from which demand scenarios are sampled.

``demand.signals`` says, per product, what the brand's channels will bring (search and shelf
traffic, livestream sessions, KOL/KOC posts, private-domain members), what the funnel has shown
so far (clicks, favourites, add-to-cart, presale deposits), how demand spreads over the season,
and how uncertain it is. ``flexsupply.demand`` turns it into a demand distribution, updates it
with the presale deposits and samples scenarios D[ω,p,t] from it (``docs/model.md``).

Every rate is a share of the step before it in the funnel (0..1). Channel volumes are per period
unless a field says otherwise.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from flexsupply.scenario.base import (
    Count,
    Factor,
    Model,
    OpenShare,
    Period,
    Real,
    Share,
    Whole,
)

MAX_POSTS = 1_000_000
"""Most posts in one wave [posts]."""
MAX_SIGMA = 5.0
"""Largest standard deviation of a log factor (5: one deviation multiplies demand by 150)."""
MAX_DISPERSION = 1e6
"""Largest negative-binomial shape k (far beyond it, demand is Poisson anyway)."""
MAX_SCENARIOS_KEPT = 10_000
"""Most weighted scenarios the samples may be reduced to [scenarios]."""

PerPeriod = Count | list[Count]
"""One number for every period, or a list with one number per period."""


class SearchChannel(Model):
    """Public-domain search and shelf traffic (Taobao/Tmall search, category shelves)."""

    impressions: PerPeriod | None = None
    """Times the style is shown per period [impressions/period]: one number, spread over the
    season by the time profile, or one number per period. Needs ``click_through``."""
    click_through: Share | None = None
    """Share of impressions that become clicks (CTR; womenswear category average about 3 %)."""
    clicks: PerPeriod | None = None
    """Visits per period, e.g. bought paid clicks (alternative to impressions × click_through)
    [clicks/period]: one number, spread by the time profile, or one per period."""
    fav_cart_rate: Real = Field(0.15, gt=0, le=1)
    """Expected share of clicks that favourite or add to cart (a style test passes at 12 %,
    15 % is good); observed funnel counts are compared with it to judge the style's hit factor."""
    conversion: Share = 0.025
    """Share of clicks that buy one unit (CVR; about 2.5 % in womenswear)."""
    return_rate: Share | None = None
    """Share of this channel's sales sent back (25-50 % for search). Spot sales return at the
    mix of the channel rates weighted by expected sales, ρ[p,t]; omitted: the product's
    ``return_rate``. Symbol: ρ_c."""

    @model_validator(mode="after")
    def _one_traffic_source(self) -> Self:
        if (self.impressions is None) == (self.clicks is None):
            raise ValueError("give exactly one of impressions (with click_through) or clicks")
        if self.impressions is not None and self.click_through is None:
            raise ValueError("impressions need a click_through rate")
        if self.clicks is not None and self.click_through is not None:
            raise ValueError("click_through applies to impressions; clicks are already visits")
        return self


class Livestream(Model):
    """One livestream session that features the style."""

    period: Period
    """Period of the session."""
    viewers: Count
    """Expected viewers of the session [viewers] (typically 5k-100k, 20k for a mid-size brand)."""
    conversion: Share = 0.03
    """Share of viewers who buy during the session (1-10 %, about 3 %)."""
    product_share: Share
    """Share of the session's buyers who buy this style (its airtime and slot in the line-up)."""
    return_rate: Share | None = None
    """Share of this channel's sales sent back (40-80 % for livestream). Spot sales return at
    the mix of the channel rates weighted by expected sales, ρ[p,t]; omitted: the product's
    ``return_rate``. Symbol: ρ_c."""


class Posts(Model):
    """A wave of KOL/KOC posts (notes, short videos) about the style, published in one period."""

    kind: str | None = None
    """Free label, e.g. ``KOL`` or ``KOC``."""
    period: Period
    """Period the posts go out."""
    count: Whole = Field(ge=0, le=MAX_POSTS)
    """Number of posts [posts]."""
    reach_per_post: Count
    """People who see one post [people/post]."""
    engagement: Share
    """Share of people reached who engage (like, save, comment or click through)."""
    conversion: Share
    """Share of engaged people who buy one unit."""
    density_threshold: Whole = Field(10, ge=1, le=MAX_POSTS)
    """Posts in one circle from which the circle notices the style: at or above this count the
    wave's sales are multiplied by ``density_multiplier`` [posts]."""
    density_multiplier: Factor = 1.0
    """Lift of the whole wave's sales when ``count`` reaches ``density_threshold`` (1: none)."""
    carryover: Real = Field(0.0, ge=0, lt=1)
    """Share of the wave's sales that slip to the next period, repeatedly (0: all in ``period``;
    0.5: 50 %, 25 %, 12.5 %, … in the periods from ``period`` on)."""
    return_rate: Share | None = None
    """Share of this channel's sales sent back. Spot sales return at the mix of the channel
    rates weighted by expected sales, ρ[p,t]; omitted: the product's ``return_rate``.
    Symbol: ρ_c."""


class PrivateDomain(Model):
    """The brand's own fans: WeChat groups, members, mini-programme subscribers."""

    members: Count
    """Members or group size [people]."""
    reach_per_period: Share
    """Share of members a push reaches in one period."""
    repurchase_rate: Share
    """Share of reached members who buy one unit of this style."""
    return_rate: Share | None = None
    """Share of this channel's sales sent back (10-25 %). Spot sales return at the mix of the
    channel rates weighted by expected sales, ρ[p,t]; omitted: the product's ``return_rate``.
    Symbol: ρ_c."""


class Channels(Model):
    """Where a style's spot demand comes from; each channel adds to its mean μ[p,t]."""

    search: SearchChannel | None = None
    """Public-domain search and shelf traffic, spread over the season by the time profile."""
    livestreams: list[Livestream] = Field(default_factory=list)
    """Livestream sessions that feature the style."""
    posts: list[Posts] = Field(default_factory=list)
    """KOL/KOC post waves."""
    private_domain: PrivateDomain | None = None
    """The brand's own fans, spread over the season by the time profile."""


class Funnel(Model):
    """What the funnel has shown so far for the style (counts since launch)."""

    clicks: Count | None = None
    """Clicks (visits) observed [clicks]."""
    favourites: Count | None = None
    """Favourites observed [favourites]; with ``add_to_cart`` and ``clicks`` it judges the hit
    factor against the search channel's ``fav_cart_rate``."""
    add_to_cart: Count | None = None
    """Add-to-cart events observed [events]."""
    presale_deposits: Count | None = None
    """Presale deposits taken [units]; defaults to the quantity of the scenario's presale orders
    of the style. Symbol: x[p]."""

    @model_validator(mode="after")
    def _rates_have_a_base(self) -> Self:
        if (self.favourites is None) != (self.add_to_cart is None):
            raise ValueError("give favourites and add_to_cart together (fav_cart_rate counts both)")
        if self.favourites is not None and not self.clicks:
            raise ValueError("favourites and add_to_cart need the clicks they came from")
        return self


class ProfileShape(StrEnum):
    """Shape of the time profile of always-on channels."""

    FLAT = "flat"
    LAUNCH_DECAY = "launch_decay"


class TimeProfile(Model):
    """How always-on channels (search, private domain) spread over the season."""

    shape: ProfileShape = ProfileShape.FLAT
    """``flat`` or ``launch_decay``: a linear ramp up to ``peak_period``, then a geometric
    decay by ``decay`` per period."""
    peak_period: Period = 1
    """Period of the peak of a ``launch_decay`` profile."""
    decay: Share = 0.85
    """Factor per period after the peak of a ``launch_decay`` profile."""
    weights: list[Count] | None = None
    """Explicit weights, one per period (instead of a ``launch_decay`` shape); scaled to
    average 1."""

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if self.weights is not None:
            if self.shape != ProfileShape.FLAT:
                raise ValueError(f"give either weights or the {self.shape} shape, not both")
            if not any(self.weights):
                raise ValueError("weights must not all be zero")
        return self


class EventSpike(Model):
    """A sales event (618, a platform festival, a brand day) that lifts always-on channels."""

    name: str | None = None
    """Label of the event."""
    period: Period
    """Period of the event."""
    multiplier: Factor
    """Factor on search and private-domain demand in that period (5-15 on a big day); it
    multiplies the time profile, or the per-period list when one is given."""


class Uncertainty(Model):
    """How far demand can stray from the signals, for every style."""

    dispersion_k: Real = Field(2.0, gt=0, le=MAX_DISPERSION)
    """Negative-binomial shape of weekly demand around its mean: variance μ + μ²/k (1-5; large
    k is Poisson). Symbol: k[p]."""
    hit_sigma: Real = Field(0.6, ge=0, le=MAX_SIGMA)
    """Standard deviation of the log of the style's hit factor (lognormal, mean 1). Symbol: σ_h."""
    common_sigma: Real = Field(0.25, ge=0, le=MAX_SIGMA)
    """Standard deviation of the log of the brand-wide factor shared by every style (lognormal,
    mean 1); it makes styles hit or flop together. Symbol: σ_c."""
    funnel_noise: Real = Field(0.5, ge=0, le=MAX_SIGMA)
    """Standard deviation of the log of a style's observed/expected fav+cart rate around the log
    of its hit factor, beyond counting noise. Symbol: τ."""


class StyleUncertainty(Model):
    """Overrides of the brand-wide uncertainty for one style."""

    dispersion_k: Real | None = Field(None, gt=0, le=MAX_DISPERSION)
    """Negative-binomial shape of this style's weekly demand. Symbol: k[p]."""
    hit_sigma: Real | None = Field(None, ge=0, le=MAX_SIGMA)
    """Standard deviation of the log of this style's hit factor. Symbol: σ_h[p]."""


class ProductSignals(Model):
    """Everything the signals say about one style."""

    channels: Channels
    """Channels that bring the style's spot demand."""
    observed: Funnel = Field(default_factory=Funnel)
    """Funnel counts observed so far."""
    profile: TimeProfile | None = None
    """Time profile of always-on channels; defaults to the block's ``profile``."""
    events: list[EventSpike] = Field(default_factory=list)
    """Events for this style only (on top of the block's ``events``)."""
    uncertainty: StyleUncertainty = Field(default_factory=StyleUncertainty)
    """Overrides of the block's ``uncertainty``."""
    presale_share: OpenShare | None = None
    """Share of the style's season demand that comes through the presale; defaults to the
    block's ``presale_share``. Symbol: e[p]."""

    @model_validator(mode="after")
    def _funnel_has_a_benchmark(self) -> Self:
        if self.observed.favourites is not None and self.channels.search is None:
            raise ValueError(
                "observed favourites and add_to_cart are judged against the search channel's "
                "fav_cart_rate: add a search channel"
            )
        return self


class ReductionMethod(StrEnum):
    """How many samples become a few weighted scenarios."""

    KMEANS = "kmeans"
    QUANTILE = "quantile"


class SignalDemand(Model):
    """Spot demand from fan-side signals, sampled and reduced to weighted scenarios."""

    products: dict[str, ProductSignals] = Field(min_length=1)
    """Signals per product id; products not listed have no spot demand."""
    profile: TimeProfile = Field(default_factory=TimeProfile)
    """Time profile of always-on channels for every style that does not give its own."""
    events: list[EventSpike] = Field(default_factory=list)
    """Events for every style."""
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    """How uncertain demand is."""
    presale_share: OpenShare = 0.15
    """Share of season demand that comes through the presale (10-30 %): the exposure of the
    deposits in the Bayesian update. Symbol: e[p]."""
    presale_share_cv: Real = Field(0.3, ge=0, le=MAX_SIGMA)
    """Coefficient of variation of that share from style to style; it discounts what the
    deposits say (0: deposits are a Poisson count of season demand × share)."""
    samples: Whole = Field(10_000, ge=1, le=1_000_000)
    """Monte Carlo samples drawn from the updated distribution [samples]."""
    scenarios_kept: Whole = Field(50, ge=1, le=MAX_SCENARIOS_KEPT)
    """Weighted scenarios the samples are reduced to for the plan (50-200) [scenarios]."""
    reduction: ReductionMethod = ReductionMethod.KMEANS
    """``kmeans`` (clusters of whole demand tables) or ``quantile`` (strata of total demand)."""
    seed: Whole = Field(0, ge=0, le=2**32 - 1)
    """Seed of the sampling and reduction: the same seed gives the same scenarios."""

    @model_validator(mode="after")
    def _kept_within_samples(self) -> Self:
        if self.scenarios_kept > self.samples:
            raise ValueError(
                f"scenarios_kept ({self.scenarios_kept}) must not exceed samples ({self.samples})"
            )
        return self


__all__ = [
    "Channels",
    "EventSpike",
    "Funnel",
    "Livestream",
    "Posts",
    "PrivateDomain",
    "ProductSignals",
    "ProfileShape",
    "ReductionMethod",
    "SearchChannel",
    "SignalDemand",
    "StyleUncertainty",
    "TimeProfile",
    "Uncertainty",
]
