"""The presale update ("accurate response"): deposits sharpen each style's season forecast.

Gamma–Poisson conjugate model (Fisher & Raman 1996 update from early orders; Moe & Fader 2002):

    Λ[p] ~ Gamma(α, β)                 season demand rate [units/season], presale included
    x[p] | Λ ~ Poisson(Λ · e)          deposits taken, e = presale share of season demand
    Λ | x ~ Gamma(α + x, β + e)        posterior
    Y | x ~ NegBin(α + x, (β + e) / (β + e + ε))   posterior predictive of demand in exposure ε

The prior matches the signal model's first two moments: mean M/(1 − e) for spot season mean M,
and squared coefficient of variation exp(σ_c² + σ_h²) − 1 (the hit and brand factors), so
α = 1/cv² and β = α/mean.

Deposits are a noisier count than Poisson: the presale share itself varies from style to style
(coefficient of variation c_e, ``presale_share_cv``). That overdispersion, Var[x] ≈ E[x]·(1 +
c_e²·E[x]), is handled as a tempered likelihood: deposits and exposure count with the weight
w = 1 / (1 + c_e²·E[x]) with E[x] the prior expected deposits, giving Gamma(α + w·x, β + w·e).
With c_e = 0 the update is the plain conjugate one.

The updated demand model keeps its shape: the level moves by the ratio of posterior to prior
mean, and both log-sds shrink by the same factor so that exp(s'²) − 1 = 1/(α + w·x).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from flexsupply.arrays import BoolArray, FloatArray
from flexsupply.demand.distribution import DemandModel
from flexsupply.scenario import Scenario

DEPOSIT_CAP = 0.2
"""Largest presale deposit Tmall and JD allow for 11.11, as a share of the price."""


@dataclass(frozen=True)
class GammaRate:
    """Gamma distributions of a rate, one per product (shape α, rate β; mean α/β).

    Attributes:
        shape: α, shape ``(n_products,)`` [dimensionless].
        rate: β, shape ``(n_products,)`` [seasons/unit, i.e. exposure per unit of mean].
    """

    shape: FloatArray
    rate: FloatArray

    def mean(self) -> FloatArray:
        """Returns α/β, shape ``(n_products,)`` [units/season]."""
        mean: FloatArray = self.shape / self.rate
        return mean

    def variance(self) -> FloatArray:
        """Returns α/β², shape ``(n_products,)`` [(units/season)²]."""
        variance: FloatArray = self.shape / self.rate**2
        return variance

    def posterior(
        self, counts: FloatArray, exposure: FloatArray, weight: FloatArray | float = 1.0
    ) -> GammaRate:
        """Returns the posterior after observing Poisson counts with the given exposure.

        Args:
            counts: observed counts x, shape ``(n_products,)`` [units].
            exposure: exposure e of the counts, shape ``(n_products,)`` [seasons].
            weight: likelihood weight w in (0, 1] (1: the plain conjugate update).

        Returns:
            Gamma(α + w·x, β + w·e).
        """
        return GammaRate(self.shape + weight * counts, self.rate + weight * exposure)

    def predictive(self, exposure: FloatArray | float = 1.0) -> tuple[FloatArray, FloatArray]:
        """Returns the negative binomial of a Poisson count with exposure ε under this rate.

        Args:
            exposure: exposure ε [seasons] (1: a whole season).

        Returns:
            ``(n, p)`` in ``scipy.stats.nbinom``'s convention: n = α, p = β/(β + ε); the mean is
            α·ε/β [units].
        """
        success: FloatArray = self.rate / (self.rate + exposure)
        return self.shape.copy(), success


def gamma_prior(mean: FloatArray, cv2: FloatArray) -> GammaRate:
    """Returns the Gamma distribution with the given mean and squared coefficient of variation.

    Args:
        mean: mean rate, shape ``(n_products,)`` [units/season], positive.
        cv2: squared coefficient of variation, shape ``(n_products,)``, positive.

    Returns:
        Gamma(α = 1/cv², β = α/mean).
    """
    shape = 1.0 / cv2
    return GammaRate(shape, shape / mean)


@dataclass(frozen=True)
class PresaleUpdate:
    """The demand model before and after the presale update, with the Gamma–Poisson details.

    Attributes:
        before: the demand model from the signals.
        after: the demand model updated with the deposits.
        prior: Gamma prior of the season demand rate (presale included) [units/season].
        posterior: its posterior after the deposits.
        deposits: deposits x per product [units]; NaN where none are known.
        share: presale share of season demand e per product.
        weight: likelihood weight w of the deposits per product.
        updated: whether each product was updated (deposits known, demand and uncertainty > 0).
    """

    before: DemandModel
    after: DemandModel
    prior: GammaRate
    posterior: GammaRate
    deposits: FloatArray
    share: FloatArray
    weight: FloatArray
    updated: BoolArray


def presale_update(
    model: DemandModel, deposits: FloatArray, share: FloatArray, share_cv: float
) -> PresaleUpdate:
    """Updates the demand model with presale deposits by the Gamma–Poisson rule.

    Args:
        model: the demand model from the signals.
        deposits: presale deposits x per product, shape ``(n_products,)`` [units]; NaN where
            none are known (that product is left as it is).
        share: presale share of season demand e per product, shape ``(n_products,)``, in (0, 1).
        share_cv: coefficient of variation of the presale share between styles (0: plain
            conjugate update).

    Returns:
        ``PresaleUpdate``; products without deposits, without signal demand or without
        uncertainty keep their model (their Gamma parameters are NaN).
    """
    season = model.season_mean()
    cv2 = model.multiplier_cv2()
    updated = np.isfinite(deposits) & (season > 0) & (cv2 > 0)
    safe = np.where(updated, 1.0, np.nan)
    prior = gamma_prior(safe * season / (1 - share), safe * cv2)
    weight = 1.0 / (1.0 + share_cv**2 * prior.mean() * share)
    posterior = prior.posterior(np.where(updated, deposits, np.nan), share, weight)
    ratio = posterior.mean() / prior.mean()
    shrink = np.log1p(1.0 / posterior.shape) / np.where(updated, model.log_variance(), 1.0)
    scale = np.sqrt(np.where(updated, shrink, 1.0))
    after = replace(
        model,
        level=np.where(updated, model.level * ratio, model.level),
        hit_sigma=model.hit_sigma * scale,
        common_sigma=model.common_sigma * scale,
    )
    return PresaleUpdate(model, after, prior, posterior, deposits, share, weight, updated)


def scenario_deposits(scenario: Scenario) -> FloatArray:
    """Returns the presale deposits of each product that the scenario states.

    A style's ``observed.presale_deposits`` in the signal block wins; otherwise the quantities
    of its presale orders are added up.

    Returns:
        Deposits per product in file order, shape ``(n_products,)`` [units]; NaN for products
        with neither.
    """
    deposits = np.full(len(scenario.products), np.nan)
    index = {product_id: p for p, product_id in enumerate(scenario.product_ids)}
    for order in scenario.presale:
        p = index[order.product]
        deposits[p] = np.nan_to_num(deposits[p]) + order.quantity
    signals = scenario.demand.signals
    if signals is not None:
        for product_id, style in signals.products.items():
            if style.observed.presale_deposits is not None and product_id in index:
                deposits[index[product_id]] = style.observed.presale_deposits
    return deposits


def scenario_presale_shares(scenario: Scenario) -> FloatArray:
    """Returns the presale share of season demand e of each product (file order).

    Returns:
        Shares in (0, 1), shape ``(n_products,)``: a style's own ``presale_share``, else the
        signal block's (0.15 without a signal block).
    """
    signals = scenario.demand.signals
    default = signals.presale_share if signals is not None else 0.15
    styles = signals.products if signals is not None else {}
    shares = [
        share
        if (style := styles.get(product_id)) and (share := style.presale_share) is not None
        else default
        for product_id in scenario.product_ids
    ]
    return np.asarray(shares, dtype=float)


def deposit_rule_notes(scenario: Scenario) -> list[str]:
    """Returns a note for each presale order whose deposit exceeds the platforms' 20 % cap.

    Tmall and JD cap an 11.11 presale deposit at 20 % of the price (the Civil Code caps
    forfeitable earnest money there, DOMAIN §1); a larger deposit is not an error for the model
    (refundable 订金 of up to 50 % exist), so it is noted rather than refused.

    Returns:
        One line per such order, e.g. ``presale[2] (DRESS-01, period 1): deposit 30 is 25 % of
        the price 120``; empty when every deposit is within the cap.
    """
    prices = {product.id: product.price for product in scenario.products}
    notes = []
    for r, order in enumerate(scenario.presale):
        price = order.price if order.price is not None else prices.get(order.product, 0.0)
        if price > 0 and order.deposit > DEPOSIT_CAP * price + 1e-9:
            notes.append(
                f"presale[{r}] ({order.product}, period {order.period}): deposit "
                f"{order.deposit:g} is {order.deposit / price:.0%} of the price {price:g}"
            )
    return notes


__all__ = [
    "DEPOSIT_CAP",
    "GammaRate",
    "PresaleUpdate",
    "deposit_rule_notes",
    "gamma_prior",
    "presale_update",
    "scenario_deposits",
    "scenario_presale_shares",
]
