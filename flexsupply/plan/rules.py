"""Reorder rules: what a planner does in the reveal week, read off the plan's per-future reorders.

The plan reorders differently in each demand future, but in the reveal week nobody is told which
future is happening. What the planner sees is each style's spot demand so far, and the demand
futures differ in it. For each style the futures are sorted by that observable and the style's
reorder (total pieces over its reorder lines) is fitted as a non-decreasing step function of it
(pool-adjacent-violators, weighted by probability; futures the observable cannot tell apart
share a step). Each step takes the reorder lines of the future nearest its fitted level. A
threshold lies halfway between the observables of neighbouring steps.

``solve/reorder_rules.py`` measures what following the rules gives, on the same futures.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from flexsupply.plan.orders import Order

SAME_OBSERVATION = 1e-6
"""Observables closer than this are one observation: the planner cannot tell them apart [pcs]."""
SAME_LEVEL = 0.5
"""Neighbouring steps whose fitted reorders differ by less than this are one step [pcs]."""


@dataclass(frozen=True)
class RuleLine:
    """One reorder line of a step: pieces from a supplier, placed in a period."""

    supplier: str
    period: int
    """Period the reorder is placed (1-based)."""
    quantity: float
    """Pieces ordered [pcs]."""
    tier: int
    """Price tier of the order (0: the term's own price)."""


@dataclass(frozen=True)
class RuleStep:
    """One step of a rule: when the observable lies in ``(above, up_to]``, place ``lines``."""

    above: float | None
    """The step applies above this observable (None: from the lowest) [pcs]."""
    up_to: float | None
    """...and up to and including this one (None: without limit) [pcs]."""
    quantity: float
    """Pieces reordered in this step, over all its lines [pcs]."""
    lines: list[RuleLine]
    futures: list[str]
    """The demand futures that fall in this step."""
    probability: float
    """Their total probability."""


@dataclass(frozen=True)
class ReorderRule:
    """The reorder of one style as a step function of its spot demand before the reveal."""

    product: str
    observed_through: int
    """Last period whose demand is counted in the observable (1-based): the one before reveal."""
    steps: list[RuleStep]


def derive_rules(
    orders: list[Order],
    demand: np.ndarray,
    products: list[str],
    futures: list[str],
    probabilities: list[float],
    reveal_period: int,
) -> list[ReorderRule]:
    """Returns one rule per style that is reordered in some demand future.

    Args:
        orders: the plan's orders; reorders name their future.
        demand: spot demand per future, shape ``(Ω, n_products, T)`` [pcs].
        products: the style ids, in ``demand`` order.
        futures: the demand future names, in ``demand`` order.
        probabilities: their probabilities.
        reveal_period: the first period of reorders (1-based); the observable is the demand of
            the periods before it.
    """
    probs = np.asarray(probabilities, dtype=float)
    rules = []
    for p, product in enumerate(products):
        mine = [o for o in orders if o.product == product and o.scenario is not None]
        if not mine:
            continue
        observed = demand[:, p, : reveal_period - 1].sum(axis=1)
        lines = {name: [o for o in mine if o.scenario == name] for name in futures}
        quantity = np.array([sum(o.quantity for o in lines[name]) for name in futures])
        pools = _monotone_pools(observed, quantity, probs)
        steps = []
        for number, members in enumerate(pools):
            level = float(probs[members] @ quantity[members] / probs[members].sum())
            anchor = min(members, key=lambda w: (abs(quantity[w] - level), -probs[w], w))
            above = None if number == 0 else _cut(observed, pools[number - 1], members)
            up_to = None if number == len(pools) - 1 else _cut(observed, members, pools[number + 1])
            steps.append(
                RuleStep(
                    above=above,
                    up_to=up_to,
                    quantity=float(quantity[anchor]),
                    lines=[
                        RuleLine(o.supplier, o.period, o.quantity, o.tier)
                        for o in lines[futures[anchor]]
                    ],
                    futures=[futures[w] for w in members],
                    probability=round(float(probs[members].sum()), 6),
                )
            )
        rules.append(ReorderRule(product, reveal_period - 1, steps))
    return rules


def rules_dict(rules: list[ReorderRule]) -> list[dict[str, object]]:
    """Returns the rules as JSON-ready data (the ``reorder_rules`` key of plan.json)."""
    return [asdict(rule) for rule in rules]


def rules_section(
    reveal_period: int | None, rules: list[ReorderRule], profit: float | None
) -> dict[str, Any]:
    """Returns the ``reorder_rules`` key of plan.json: what is observed, the rules, their profit.

    ``profit`` is the expected profit of following the rules [currency] (None: not feasible).
    """
    return {
        "observable": "spot demand of the style in the periods before the reveal [pcs]",
        "reveal_period": reveal_period,
        "expected_profit_following_rules": None if profit is None else round(profit, 2),
        "rules": rules_dict(rules),
    }


def rules_from_dict(data: list[dict[str, Any]]) -> list[ReorderRule]:
    """Returns the rules ``rules_dict`` wrote (plan.json's ``reorder_rules.rules``)."""
    return [
        ReorderRule(
            product=rule["product"],
            observed_through=int(rule["observed_through"]),
            steps=[
                RuleStep(
                    above=step["above"],
                    up_to=step["up_to"],
                    quantity=float(step["quantity"]),
                    lines=[RuleLine(**line) for line in step["lines"]],
                    futures=list(step["futures"]),
                    probability=float(step["probability"]),
                )
                for step in rule["steps"]
            ],
        )
        for rule in data
    ]


def step_of(rule: ReorderRule, observed: float) -> RuleStep:
    """Returns the step of ``rule`` that an observed demand [pcs] falls in."""
    for step in rule.steps:
        if step.up_to is None or observed <= step.up_to + SAME_OBSERVATION:
            return step
    return rule.steps[-1]


def step_range(above: float | None, up_to: float | None) -> str:
    """Returns a step's demand range in whole pieces, e.g. ``≤ 20``, ``21–40``, ``> 40``, ``any``.

    A step covers ``(above, up_to]``; it reads ``floor(above) + 1`` to ``floor(up_to)``.
    """
    if above is None and up_to is None:
        return "any"
    if above is None:
        return f"≤ {math.floor(up_to or 0.0):,}"
    if up_to is None:
        return f"> {math.floor(above):,}"
    return f"{math.floor(above) + 1:,}–{math.floor(up_to):,}"


def _cut(observed: np.ndarray, lower: list[int], upper: list[int]) -> float:
    """Returns the threshold halfway between two neighbouring steps' observables [pcs]."""
    return float((observed[lower].max() + observed[upper].min()) / 2)


def _monotone_pools(
    observed: np.ndarray, quantity: np.ndarray, probs: np.ndarray
) -> list[list[int]]:
    """Returns the futures grouped into steps of a non-decreasing fit of quantity on observed.

    Futures with the same observable start in one group; pool-adjacent-violators merges
    neighbours whose weighted means decrease; neighbours with the same fitted level merge too.
    """
    order = np.argsort(observed, kind="stable")
    groups: list[list[int]] = []
    for w in order.tolist():
        if groups and observed[w] - observed[groups[-1][-1]] <= SAME_OBSERVATION:
            groups[-1].append(w)
        else:
            groups.append([w])

    def mean(members: list[int]) -> float:
        return float(probs[members] @ quantity[members] / max(probs[members].sum(), 1e-12))

    pools: list[list[int]] = []
    for group in groups:
        pools.append(list(group))
        while len(pools) > 1 and mean(pools[-2]) > mean(pools[-1]) + 1e-9:
            last = pools.pop()
            pools[-1].extend(last)
    merged: list[list[int]] = []
    for pool in pools:
        if merged and abs(mean(merged[-1]) - mean(pool)) < SAME_LEVEL:
            merged[-1].extend(pool)
        else:
            merged.append(pool)
    return merged
