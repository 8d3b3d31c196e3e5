"""From a scenario's signal block to the forecast and the weighted scenarios the plan is made for.

signals ──▶ μ[p,t] and funnel evidence ──▶ DemandModel ──presale deposits──▶ updated DemandModel
        ──sample(samples, seed)──▶ samples ──reduce(scenarios_kept)──▶ DemandScenarios
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.demand.distribution import DemandModel, signal_model
from flexsupply.demand.presale import (
    DEPOSIT_CAP,
    PresaleUpdate,
    deposit_rule_notes,
    presale_update,
    scenario_deposits,
    scenario_presale_shares,
)
from flexsupply.demand.reduction import Reduction, sample_and_reduce
from flexsupply.demand.signals import SignalMeans, signal_means
from flexsupply.errors import Problem, ScenarioError
from flexsupply.scenario import Scenario
from flexsupply.scenario.signals import SignalDemand

QUANTILES = (0.1, 0.5, 0.9)
"""Probabilities of the quantiles the forecast shows (P10, P50, P90)."""

RETURN_RATE_NOTE = 0.02
"""Difference between a product's return rate and its channels' from which the forecast notes it."""


@dataclass(frozen=True)
class Forecast:
    """A scenario's demand forecast from its signals, before and after the presale update.

    Attributes:
        scenario: the scenario forecast.
        means: mean spot demand by channel from the signals.
        presale: the demand model before and after the presale update.
    """

    scenario: Scenario
    means: SignalMeans
    presale: PresaleUpdate

    @property
    def before(self) -> DemandModel:
        """The demand model from the signals and the observed funnel."""
        return self.presale.before

    @property
    def after(self) -> DemandModel:
        """The demand model updated with the presale deposits: the one scenarios come from."""
        return self.presale.after

    def width_reduction(self) -> FloatArray:
        """Returns how much the P10–P90 range of season demand shrinks, per product.

        Returns:
            1 − (P90 − P10 after) / (P90 − P10 before), shape ``(n_products,)`` (0.4 = 40 %
            narrower; 0 where the range was empty).
        """
        before = self.before.season_quantiles([QUANTILES[0], QUANTILES[-1]])
        after = self.after.season_quantiles([QUANTILES[0], QUANTILES[-1]])
        width_before = before[1] - before[0]
        width_after = after[1] - after[0]
        reduction: FloatArray = np.where(
            width_before > 0, 1 - width_after / np.where(width_before > 0, width_before, 1), 0.0
        )
        return reduction

    def return_rates(self) -> FloatArray:
        """Returns each product's return rate weighted by its channels' expected sales.

        Returns:
            Shares, shape ``(n_products,)``; channels without a rate count at the product's
            ``return_rate``.
        """
        own = np.array([product.return_rate for product in self.scenario.products])
        return self.means.blended_return_rates(own)

    def table(self) -> str:
        """Returns the forecast as a text table, one row per style with signal demand."""
        scenario = self.scenario
        before_q = self.before.season_quantiles(QUANTILES)
        after_q = self.after.season_quantiles(QUANTILES)
        before_mean = self.before.season_mean()
        after_mean = self.after.season_mean()
        funnel = self.before.level
        narrower = np.round(self.width_reduction(), 2) + 0.0  # no '-0%'
        periods = scenario.horizon.periods
        unit = f"{scenario.horizon.period_length}{'s' if periods != 1 else ''}"
        width = max([5, *(len(product_id) for product_id in scenario.product_ids)])
        lines = [
            f"Forecast for {scenario.name}: spot demand over the season ({periods} {unit}) [units]",
            "",
            f"{'':<{width}}  {'funnel':>6}  {'before presale update':^27}  {'deposits':>14}  "
            f"{'after presale update':^27}  {'P10-P90':>8}",
            f"{'style':<{width}}  {'factor':>6}  {'mean':>6} {'P10':>6} {'P50':>6} {'P90':>6}  "
            f"{'(share)':>14}  {'mean':>6} {'P10':>6} {'P50':>6} {'P90':>6}  {'narrower':>8}",
        ]
        has_demand = before_mean > 0
        for p, product_id in enumerate(scenario.product_ids):
            if not has_demand[p]:
                continue
            deposits = self.presale.deposits[p]
            share = f"({self.presale.share[p]:.0%})"
            shown = f"{deposits:,.0f} {share:>6}" if np.isfinite(deposits) else f"- {share:>6}"
            lines.append(
                f"{product_id:<{width}}  {funnel[p]:>6.2f}  {before_mean[p]:>6,.0f} "
                + " ".join(f"{value:>6,.0f}" for value in before_q[:, p])
                + f"  {shown:>14}  {after_mean[p]:>6,.0f} "
                + " ".join(f"{value:>6,.0f}" for value in after_q[:, p])
                + f"  {narrower[p]:>8.0%}"
            )
        lines += [
            "",
            "funnel factor: the style's hit factor implied by its observed favourites and",
            "add-to-cart (1: none observed). deposits: presale deposits, and the share of season",
            "demand the presale sees. narrower: how much the P10-P90 range shrinks.",
        ]
        lines += self._return_rate_lines()
        notes = deposit_rule_notes(scenario)
        if notes:
            lines += [
                "",
                f"Deposits above the platforms' {DEPOSIT_CAP:.0%} cap for 11.11 presales:",
            ]
            lines += [f"  {note}" for note in notes]
        return "\n".join(lines)

    def _return_rate_lines(self) -> list[str]:
        """Returns notes on products whose channel mix implies another return rate."""
        blended = self.return_rates()
        stated = self.means.stated.sum(axis=(0, 2)) > 0
        own = np.array([product.return_rate for product in self.scenario.products])
        differ = stated & (np.abs(blended - own) >= RETURN_RATE_NOTE)
        if not np.any(differ):
            return []
        lines = [
            "",
            "Return rates: spot sales are planned at the mix of their channels' rates, period by",
            "period; presale units at the product's return_rate. Season average of the mix:",
        ]
        lines += [
            f"  {product_id}: {blended[p]:.0%} spot (channel mix), {own[p]:.0%} presale"
            for p, product_id in enumerate(self.scenario.product_ids)
            if differ[p]
        ]
        return lines


def _signals_of(scenario: Scenario) -> SignalDemand:
    """Returns the scenario's signal block.

    Raises:
        ScenarioError: the scenario gives its demand without signals.
    """
    signals = scenario.demand.signals
    if signals is None:
        message = "no signal block: the forecast needs demand given by signals"
        raise ScenarioError([Problem(("demand",), message)], f"scenario {scenario.name!r}")
    return signals


def signal_forecast(scenario: Scenario) -> Forecast:
    """Returns the scenario's demand forecast from its signals and presale deposits.

    Returns:
        The ``Forecast``: demand models before and after the presale update.

    Raises:
        ScenarioError: the scenario has no ``demand.signals`` block.
    """
    signals = _signals_of(scenario)
    ids, periods = scenario.product_ids, scenario.horizon.periods
    model = signal_model(signals, ids, periods)
    update = presale_update(
        model,
        scenario_deposits(scenario),
        scenario_presale_shares(scenario),
        signals.presale_share_cv,
    )
    return Forecast(scenario, signal_means(signals, ids, periods), update)


def signal_scenarios(
    scenario: Scenario, samples: int | None = None, seed: int | None = None
) -> Reduction:
    """Samples the updated demand model and reduces the samples to the plan's scenarios.

    Args:
        scenario: a scenario with a ``demand.signals`` block.
        samples: samples to draw (default: the block's ``samples``).
        seed: seed (default: the block's ``seed``); the same seed gives the same scenarios.

    Returns:
        The ``Reduction``: at most ``scenarios_kept`` scenarios with units of shape
        ``(n_kept, n_products, n_periods)`` [units], and the report of its errors.

    Raises:
        ScenarioError: the scenario has no ``demand.signals`` block.
    """
    signals = _signals_of(scenario)
    model = signal_forecast(scenario).after
    return sample_and_reduce(signals, model.sample, samples, seed)[1]


def forecast_report(scenario: Scenario) -> str:
    """Returns the text ``flexsupply forecast`` prints: the forecast table and the reduction.

    Raises:
        ScenarioError: the scenario has no ``demand.signals`` block.
    """
    reduction = signal_scenarios(scenario)
    return f"{signal_forecast(scenario).table()}\n\nScenarios for the plan:\n  {reduction.report.summary()}"


__all__ = ["QUANTILES", "Forecast", "forecast_report", "signal_forecast", "signal_scenarios"]
