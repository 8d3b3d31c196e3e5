"""Checks of the ``demand.parametric`` block that need the products and the horizon."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.errors import Problem
from flexsupply.scenario.checks import period_list_problems, unknown_message
from flexsupply.scenario.parametric import (
    MAX_NORMAL_CV,
    DistributionName,
    ParametricDemand,
    StyleDistribution,
)

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario

Loc = tuple[str | int, ...]
PSD_TOLERANCE = 1e-9
"""Smallest eigenvalue of the correlation matrix still read as positive semi-definite."""
_FIELDS = ("mean", "sd", "cv", "n", "p")


def per_period(value: float | list[float] | None, periods: int) -> FloatArray:
    """Returns a number-or-list field as one value per period, shape ``(periods,)``.

    A missing field gives NaN in every period.
    """
    if value is None:
        return np.full(periods, np.nan)
    if isinstance(value, list):
        return np.asarray(value, dtype=float)
    return np.full(periods, float(value))


def style_moments(style: StyleDistribution, periods: int) -> tuple[FloatArray, FloatArray]:
    """Returns a style's mean and standard deviation in each period.

    From ``mean`` with ``sd`` or ``cv``, or from the negative binomial's n and p:
    mean n(1 − p)/p, variance n(1 − p)/p².

    Returns:
        ``(mean, sd)``, each of shape ``(periods,)`` [units/period].
    """
    if style.n is not None:
        n, p = per_period(style.n, periods), per_period(style.p, periods)
        mean = n * (1 - p) / p
        return mean, np.sqrt(mean / p)
    mean = per_period(style.mean, periods)
    if style.sd is not None:
        return mean, per_period(style.sd, periods)
    return mean, per_period(style.cv, periods) * mean


def correlation_matrix(block: ParametricDemand) -> FloatArray:
    """Returns the correlation matrix over the block's styles, in the order of ``products``.

    Every pair takes ``correlation`` unless ``correlations`` names it; pairs naming a style
    without a distribution are left out (the checks report them).

    Returns:
        Symmetric matrix with a unit diagonal, shape ``(n_styles, n_styles)`` [dimensionless].
    """
    index = {product_id: k for k, product_id in enumerate(block.products)}
    matrix = np.full((len(index), len(index)), block.correlation)
    for pair in block.correlations:
        a, b = (index.get(product_id) for product_id in pair.products)
        if a is not None and b is not None:
            matrix[a, b] = matrix[b, a] = pair.correlation
    np.fill_diagonal(matrix, 1.0)
    return matrix


def parametric_problems(scenario: Scenario) -> list[Problem]:
    """Returns the problems of the ``demand.parametric`` block that need the rest of the scenario.

    Returns:
        Unknown products, per-period lists of the wrong length, parameters the family cannot
        take (a normal sd above 0.4 × mean, a negative binomial with sd² not above its mean),
        pairs that name unknown or repeated styles, and a correlation matrix that is not
        positive semi-definite.
    """
    block = scenario.demand.parametric
    if block is None:
        return []
    periods = scenario.horizon.periods
    known = scenario.product_ids
    root: Loc = ("demand", "parametric")
    problems: list[Problem] = []
    for product_id, style in block.products.items():
        loc: Loc = (*root, "products", product_id)
        if product_id not in known:
            problems.append(Problem(loc, unknown_message("product", product_id, known)))
            continue
        lengths: list[Problem] = []
        for field in _FIELDS:
            value = getattr(style, field)
            if isinstance(value, list):
                lengths += period_list_problems(value, periods, (*loc, field), field)
        family = style.distribution or block.distribution
        problems += lengths or _family_problems(style, family, periods, loc)
    pairs = _pair_problems(block, root)
    problems += pairs
    if not pairs:
        problems += _matrix_problems(block, root)
    return problems


def _periods_text(where: Sequence[int], periods: int) -> str:
    """Returns where a rule fails in words: ``every period``, ``period 3``, ``periods 1, 4``."""
    if len(where) == periods > 1:
        return "every period"
    shown = ", ".join(str(t + 1) for t in where[:5])
    return f"period {shown}" if len(where) == 1 else f"periods {shown}{', …' * (len(where) > 5)}"


def _family_problems(
    style: StyleDistribution, family: DistributionName, periods: int, loc: Loc
) -> list[Problem]:
    """Returns what the style's parameters cannot be in its family, at the field to change."""
    if style.n is not None:
        if family == DistributionName.NEGATIVE_BINOMIAL:
            return []
        message = (
            f"n and p describe a negative binomial, but this style's distribution is {family}: "
            "give mean with sd or cv, or set distribution: negative_binomial"
        )
        return [Problem((*loc, "n"), message)]
    field = "sd" if style.sd is not None else "cv"
    mean, sd = style_moments(style, periods)
    empty = np.flatnonzero((mean == 0) & (sd > 0))
    if len(empty):
        t = int(empty[0])
        message = (
            f"mean 0 with sd {sd[t]:g} in {_periods_text(empty.tolist(), periods)}: demand is "
            "never below 0, so a mean of 0 means no demand; give sd 0 there"
        )
        return [Problem((*loc, field), message)]
    if family == DistributionName.NORMAL:
        wide = np.flatnonzero(sd > MAX_NORMAL_CV * mean + 1e-12)
        if not len(wide):
            return []
        t = int(wide[0])
        message = (
            f"a normal demand needs sd at most {MAX_NORMAL_CV:g} x mean, cv {MAX_NORMAL_CV:g} "
            "(else it falls below 0 in more than 0.6 % of samples), got mean "
            f"{mean[t]:g} and sd {sd[t]:g} (cv {sd[t] / mean[t]:.3g}) in "
            f"{_periods_text(wide.tolist(), periods)}: use distribution lognormal or negative_binomial"
        )
        return [Problem((*loc, field), message)]
    if family == DistributionName.NEGATIVE_BINOMIAL:
        narrow = np.flatnonzero((mean > 0) & (sd**2 <= mean))
        if not len(narrow):
            return []
        t = int(narrow[0])
        least = np.sqrt(mean[t]) / (1.0 if field == "sd" else mean[t])
        message = (
            f"a negative binomial's variance exceeds its mean: sd² must be above the mean, got "
            f"mean {mean[t]:g} and sd {sd[t]:g} (sd² {sd[t] ** 2:g}) in "
            f"{_periods_text(narrow.tolist(), periods)}: give {field} above {least:.4g}, or use "
            "distribution normal or lognormal"
        )
        return [Problem((*loc, field), message)]
    return []


def _pair_problems(block: ParametricDemand, root: Loc) -> list[Problem]:
    """Returns pairs that name a style without a distribution, one style twice, or a pair again."""
    problems: list[Problem] = []
    seen: dict[frozenset[str], int] = {}
    styles = list(block.products)
    missing = "no distribution in demand.parametric.products for"
    for k, pair in enumerate(block.correlations):
        loc: Loc = (*root, "correlations", k, "products")
        unknown = [
            Problem(
                (*loc, i),
                unknown_message("style", product_id, styles).replace("unknown", missing, 1),
            )
            for i, product_id in enumerate(pair.products)
            if product_id not in block.products
        ]
        problems += unknown
        a, b = pair.products
        if not unknown and a == b:
            problems.append(Problem(loc, f"a pair needs two different styles, got {a!r} twice"))
        key = frozenset(pair.products)
        if not unknown and a != b and key in seen:
            message = (
                f"the pair {a}, {b} is already given in demand.parametric.correlations[{seen[key]}]"
            )
            problems.append(Problem(loc, message))
        seen.setdefault(key, k)
    return problems


def _matrix_problems(block: ParametricDemand, root: Loc) -> list[Problem]:
    """Returns a problem when the correlations are not a correlation matrix (not PSD)."""
    matrix = correlation_matrix(block)
    smallest = float(np.linalg.eigvalsh(matrix).min()) if matrix.size else 1.0
    if smallest >= -PSD_TOLERANCE:
        return []
    styles = len(block.products)
    if not block.correlations:
        message = (
            f"{block.correlation:g} between every pair of {styles} styles is not a correlation "
            f"matrix (not positive semi-definite): the least common correlation of {styles} "
            f"styles is -1/{styles - 1} = {-1 / (styles - 1):.4g}"
        )
        return [Problem((*root, "correlation"), message)]
    message = (
        "the correlations are not a correlation matrix: it is not positive semi-definite "
        f"(smallest eigenvalue {smallest:.3g}), so no styles can move together like this; two "
        "styles both strongly correlated with a third must be positively correlated with each "
        "other"
    )
    return [Problem((*root, "correlations"), message)]


__all__ = ["correlation_matrix", "parametric_problems", "per_period", "style_moments"]
