"""From channel and funnel signals to the mean spot demand μ[p,t] of each product and period.

Each channel's expected sales are a product of funnel steps:

- search/shelf: impressions × click-through (or clicks) × conversion, per period;
- livestream: viewers × conversion × the product's share of the session, in its period;
- KOL/KOC posts: posts × reach per post × engagement × conversion, times the density multiplier
  when the wave reaches the density threshold, spread from its period by the carryover;
- private domain: members × reach per period × repurchase rate, per period.

Search and private domain are *always on*: a per-period number is spread over the season by the
time profile (scaled to average 1), and event spikes multiply them in their periods.

The funnel observed so far is evidence about the style's hit factor: its favourite + add-to-cart
rate against the search channel's expected ``fav_cart_rate`` (DOMAIN §4: a style test passes at
12 %, 15 % is good).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.scenario.signals import (
    EventSpike,
    ProductSignals,
    ProfileShape,
    SignalDemand,
    TimeProfile,
)

CHANNELS = ("search", "livestream", "posts", "private_domain")
"""Channel names, in the order of the first axis of ``SignalMeans.units``."""

_SEARCH, _LIVESTREAM, _POSTS, _PRIVATE = range(len(CHANNELS))


@dataclass(frozen=True)
class SignalMeans:
    """Mean spot demand by channel, product and period, with what the channels say on returns.

    Attributes:
        product_ids: products in the order of the product axis.
        units: mean spot demand, shape ``(n_channels, n_products, n_periods)`` [units]; channels
            in the order of ``CHANNELS``.
        stated: mean demand of the channel entries that state a return rate, shape
            ``(n_channels, n_products, n_periods)`` [units].
        returned: expected returns of those entries, same shape [units].
    """

    product_ids: tuple[str, ...]
    units: FloatArray
    stated: FloatArray
    returned: FloatArray

    @property
    def total(self) -> FloatArray:
        """Mean spot demand over all channels, shape ``(n_products, n_periods)`` [units]."""
        total: FloatArray = self.units.sum(axis=0)
        return total

    def period_return_rates(self, fallback: FloatArray) -> FloatArray:
        """Returns the expected return share of spot sales of each product and period.

        ρ[p,t] = Σ_c μ_c[p,t]·ρ_c / Σ_c μ[p,t]: the channel rates weighted by the channels'
        expected sales in that period, channel entries without a rate counting at ``fallback``.

        Args:
            fallback: return rate of sales from entries that state none, shape ``(n_products,)``
                (usually the products' own ``return_rate``).

        Returns:
            Shares, shape ``(n_products, n_periods)``; ``fallback`` where a product has no mean
            demand in a period.
        """
        total = self.total
        unstated = np.maximum(total - self.stated.sum(axis=0), 0.0)
        returned = self.returned.sum(axis=0) + fallback[:, None] * unstated
        rates: FloatArray = np.where(
            total > 0, returned / np.maximum(total, 1e-300), fallback[:, None]
        )
        return rates

    def blended_return_rates(self, fallback: FloatArray) -> FloatArray:
        """Returns each product's return rate weighted by its channels' expected season sales.

        Args:
            fallback: return rate of sales from entries that state none, shape ``(n_products,)``
                (usually the products' own ``return_rate``).

        Returns:
            Share of season sales sent back, shape ``(n_products,)``; ``fallback`` for products
            without signal demand.
        """
        season = self.units.sum(axis=(0, 2))
        unstated = np.maximum(season - self.stated.sum(axis=(0, 2)), 0.0)
        returned = self.returned.sum(axis=(0, 2)) + fallback * unstated
        blended: FloatArray = np.where(season > 0, returned / np.maximum(season, 1e-300), fallback)
        return blended


@dataclass(frozen=True)
class FunnelEvidence:
    """What the observed funnel says about each style's hit factor H[p].

    The observation is y = log(observed fav+cart rate / expected fav+cart rate), taken as
    y ~ Normal(log H, variance): counting noise 1/(favourites + add-to-cart + ½) plus τ².

    Attributes:
        log_ratio: y per product, shape ``(n_products,)``; NaN where nothing was observed.
        variance: variance of y per product, shape ``(n_products,)``; infinite where nothing
            was observed.
    """

    log_ratio: FloatArray
    variance: FloatArray


def profile_weights(profile: TimeProfile, periods: int) -> FloatArray:
    """Returns the time profile's weight of each period, scaled to average 1.

    Returns:
        Weights, shape ``(n_periods,)`` [dimensionless].

    Raises:
        ValueError: the profile has no weight in the horizon.
    """
    if profile.weights is not None:
        weights = np.asarray(profile.weights[:periods], dtype=float)
    elif profile.shape == ProfileShape.LAUNCH_DECAY:
        t = np.arange(1, periods + 1, dtype=float)
        peak = float(profile.peak_period)
        weights = np.where(t < peak, t / peak, profile.decay ** np.maximum(t - peak, 0.0))
    else:
        weights = np.ones(periods)
    total = weights.sum()
    if not total > 0:
        raise ValueError("the time profile has no weight within the horizon")
    scaled: FloatArray = weights * (periods / total)
    return scaled


def event_factors(events: Sequence[EventSpike], periods: int) -> FloatArray:
    """Returns the product of the event multipliers in each period.

    Returns:
        Factors, shape ``(n_periods,)`` [dimensionless]; 1 where no event falls.
    """
    factors = np.ones(periods)
    for event in events:
        if event.period <= periods:
            factors[event.period - 1] *= event.multiplier
    return factors


def _per_period(value: float | list[float], profile: FloatArray) -> FloatArray:
    """Returns a per-period volume: a list as given, one number spread by the profile."""
    if isinstance(value, list):
        return np.asarray(value, dtype=float)
    return value * profile


def _product_means(
    product: ProductSignals, profile: FloatArray, events: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Returns one product's demand by channel, and what its channels say on returns.

    Returns:
        Mean demand, the demand of entries that state a return rate and their expected returns,
        each ``(n_channels, n_periods)`` [units].
    """
    periods = profile.shape[0]
    units = np.zeros((len(CHANNELS), periods))
    stated = np.zeros((len(CHANNELS), periods))
    returned = np.zeros((len(CHANNELS), periods))

    def add(channel: int, demand: FloatArray, return_rate: float | None) -> None:
        units[channel] += demand
        if return_rate is not None:
            stated[channel] += demand
            returned[channel] += demand * return_rate

    channels = product.channels
    if channels.search is not None:
        search = channels.search
        if search.impressions is not None:
            clicks = _per_period(search.impressions, profile) * (search.click_through or 0.0)
        else:
            clicks = _per_period(search.clicks or 0.0, profile)
        add(_SEARCH, clicks * search.conversion * events, search.return_rate)
    for session in channels.livestreams:
        demand = np.zeros(periods)
        if session.period <= periods:
            demand[session.period - 1] = (
                session.viewers * session.conversion * session.product_share
            )
        add(_LIVESTREAM, demand, session.return_rate)
    lags = np.arange(periods, dtype=float)
    for wave in channels.posts:
        total = wave.count * wave.reach_per_post * wave.engagement * wave.conversion
        if wave.count >= wave.density_threshold:
            total *= wave.density_multiplier
        lag = lags - (wave.period - 1)
        spread = np.where(lag >= 0, (1 - wave.carryover) * wave.carryover ** np.maximum(lag, 0), 0)
        add(_POSTS, total * spread, wave.return_rate)
    private = channels.private_domain
    if private is not None:
        per_period = private.members * private.reach_per_period * private.repurchase_rate
        add(_PRIVATE, per_period * profile * events, private.return_rate)
    return units, stated, returned


def signal_means(signals: SignalDemand, product_ids: Sequence[str], periods: int) -> SignalMeans:
    """Returns the mean spot demand the signals imply, by channel, product and period.

    Args:
        signals: the scenario's ``demand.signals`` block.
        product_ids: products in the order wanted on the product axis; those without signals
            have no demand.
        periods: number of periods T.

    Returns:
        ``SignalMeans`` with ``units`` of shape ``(n_channels, n_products, n_periods)`` [units].
    """
    units = np.zeros((len(CHANNELS), len(product_ids), periods))
    stated = np.zeros_like(units)
    returned = np.zeros_like(units)
    brand_events = event_factors(signals.events, periods)
    for p, product_id in enumerate(product_ids):
        product = signals.products.get(product_id)
        if product is None:
            continue
        profile = profile_weights(product.profile or signals.profile, periods)
        events = brand_events * event_factors(product.events, periods)
        units[:, p], stated[:, p], returned[:, p] = _product_means(product, profile, events)
    return SignalMeans(tuple(product_ids), units, stated, returned)


def funnel_evidence(signals: SignalDemand, product_ids: Sequence[str]) -> FunnelEvidence:
    """Returns what each style's observed favourite + add-to-cart rate says about its hit factor.

    Args:
        signals: the scenario's ``demand.signals`` block.
        product_ids: products in the order wanted on the product axis.

    Returns:
        ``FunnelEvidence`` with arrays of shape ``(n_products,)``; NaN log-ratio and infinite
        variance for styles without observed favourites and add-to-cart.
    """
    log_ratio = np.full(len(product_ids), np.nan)
    variance = np.full(len(product_ids), np.inf)
    noise = signals.uncertainty.funnel_noise**2
    for p, product_id in enumerate(product_ids):
        product = signals.products.get(product_id)
        if product is None or product.channels.search is None:
            continue
        observed = product.observed
        if observed.favourites is None or observed.add_to_cart is None or not observed.clicks:
            continue
        events = observed.favourites + observed.add_to_cart + 0.5
        rate = events / (observed.clicks + 0.5)
        log_ratio[p] = np.log(rate / product.channels.search.fav_cart_rate)
        variance[p] = 1.0 / events + noise
    return FunnelEvidence(log_ratio, variance)


__all__ = [
    "CHANNELS",
    "FunnelEvidence",
    "SignalMeans",
    "event_factors",
    "funnel_evidence",
    "profile_weights",
    "signal_means",
]
