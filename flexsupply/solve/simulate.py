"""Out-of-sample evaluation: a plan's first stage against demand it was not made for.

Keep the plan's first stage (the shared orders and the suppliers onboarded), draw demand samples
(from the signal model when the scenario has one, else by resampling its demand scenarios), and
for each sample choose the best recourse (reorders, sales, shipments, stock) with the same model
restricted to that sample. The same samples also score two baselines: the mean-demand plan
(planned for the probability-weighted mean demand) and a per-style newsvendor first batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from flexsupply.arrays import FloatArray, IntArray
from flexsupply.backends import Status
from flexsupply.demand import DemandScenarios, demand_scenarios, parametric_model
from flexsupply.errors import FlexsupplyError
from flexsupply.model.build import FirstStage
from flexsupply.model.data import model_data
from flexsupply.plan import Order, Plan
from flexsupply.scenario import Scenario
from flexsupply.solve.deadline import Clock, Deadline
from flexsupply.solve.intervals import Interval, interval_text, intervals_dict, mean_interval
from flexsupply.solve.lever_stage import with_plan_levers
from flexsupply.solve.newsvendor import lower_quantile, newsvendor_first_stage
from flexsupply.solve.settings import SolveSettings
from flexsupply.solve.stochastic import Outcome, mean_value_plan, solve_each_stage

QUANTITY_TOLERANCE = 1e-6
"""Order quantities below this are read as "no order" [units]."""


@dataclass(frozen=True)
class Distribution:
    """Summary of a quantity over the samples (probability-weighted) [its unit]."""

    mean: float
    p5: float
    p50: float
    p95: float


def distribution(values: FloatArray, weights: FloatArray) -> Distribution:
    """Returns mean, P5, P50 and P95 of ``values`` weighted by ``weights`` (nan when empty)."""
    if not len(values) or weights.sum() <= 0:
        return Distribution(math.nan, math.nan, math.nan, math.nan)
    mean = float(weights @ values / weights.sum())
    return Distribution(mean, *(lower_quantile(values, weights, q) for q in (0.05, 0.5, 0.95)))


@dataclass(frozen=True)
class PolicyResult:
    """How one first stage fares on the samples.

    Attributes:
        name: ``plan``, ``mean-demand plan`` or ``newsvendor``.
        outcomes: one per sample, in sample order.
        probabilities: weight of each sample (1/N for drawn samples).
    """

    name: str
    outcomes: list[Outcome]
    probabilities: FloatArray

    def _values(self, field: str) -> tuple[FloatArray, FloatArray]:
        values = np.array([getattr(o, field) for o in self.outcomes], dtype=float)
        keep = np.array([o.has_plan for o in self.outcomes], dtype=bool) & ~np.isnan(values)
        return values[keep], self.probabilities[keep]

    def stats(self, field: str) -> Distribution:
        """Returns the distribution of an ``Outcome`` field over the samples with a plan."""
        return distribution(*self._values(field))

    def intervals(self) -> dict[str, Interval]:
        """Returns the mean's 95 % interval of profit, fill rate and leftover units.

        Empty when the samples are not equally likely (e.g. weighted planning scenarios).
        """
        if not np.allclose(self.probabilities, self.probabilities[0]):
            return {}
        values = {
            f: [getattr(o, f) if o.has_plan else math.nan for o in self.outcomes] for f in _CI
        }
        return {f: mean_interval(np.array(v, dtype=float)) for f, v in values.items()}

    @property
    def profits(self) -> FloatArray:
        """Profit per sample (nan where the first stage left no feasible recourse) [currency]."""
        return np.array([o.profit for o in self.outcomes], dtype=float)

    @property
    def infeasible(self) -> int:
        """Samples in which the first stage has no feasible recourse (or none was found)."""
        return sum(not o.has_plan and not _unsolved(o) for o in self.outcomes)

    @property
    def unsolved(self) -> int:
        """Samples not solved because the time limit was reached first."""
        return sum(_unsolved(o) for o in self.outcomes)

    @property
    def cash_low_point(self) -> float | None:
        """Lowest cash balance over every period and sample (None without cash) [currency]."""
        values, _ = self._values("cash_low_point")
        return float(values.min()) if len(values) else None

    def to_dict(self) -> dict[str, Any]:
        """Returns the summary as JSON-ready data."""

        def rounded(d: Distribution) -> dict[str, float | None]:
            return {k: None if math.isnan(v) else round(v, 6) for k, v in vars(d).items()}

        return {
            "name": self.name,
            "profit": rounded(self.stats("profit")),
            "fill_rate": rounded(self.stats("fill_rate")),
            "presale_on_time": rounded(self.stats("presale_on_time")),
            "leftover_units": rounded(self.stats("leftover_units")),
            "cash_low_point": self.cash_low_point,
            "intervals": intervals_dict(self.intervals()),
            "infeasible_samples": self.infeasible,
            "unsolved_samples": self.unsolved,
        }


@dataclass(frozen=True)
class SimulationReport:
    """The distribution of outcomes of a plan and its baselines on the same samples."""

    scenario_name: str
    currency: str
    source: str
    """Where the samples come from: ``signal model``, ``parametric distribution``, ``resampled
    scenarios`` or ``given``."""
    seed: int
    n_samples: int
    policies: list[PolicyResult]

    def policy(self, name: str) -> PolicyResult:
        """Returns the result of the policy called ``name``."""
        return next(p for p in self.policies if p.name == name)

    def to_dict(self) -> dict[str, Any]:
        """Returns the report as JSON-ready data."""
        return {
            "scenario": self.scenario_name,
            "currency": self.currency,
            "samples": self.n_samples,
            "seed": self.seed,
            "source": self.source,
            "policies": [policy.to_dict() for policy in self.policies],
        }

    def summary(self) -> str:
        """Returns a readable table: one column per policy."""
        cur = self.currency
        width = max(18, *(len(p.name) + 2 for p in self.policies))
        header = f"{'':<22}" + "".join(f"{p.name:>{width}}" for p in self.policies)

        def row(label: str, cell: Any) -> str:
            return f"{label:<22}" + "".join(f"{cell(p):>{width}}" for p in self.policies)

        def money(field: str, stat: str) -> Any:
            return lambda p: _fmt(getattr(p.stats(field), stat), ",.0f")

        lines = [
            f"{self.scenario_name}: {self.n_samples} samples ({self.source}, seed {self.seed})",
            header,
            row(f"profit mean [{cur}]", money("profit", "mean")),
            row("profit P5", money("profit", "p5")),
            row("profit P50", money("profit", "p50")),
            row("profit P95", money("profit", "p95")),
            row("fill rate mean", lambda p: _fmt(p.stats("fill_rate").mean, ".1%")),
            row("presale on time", lambda p: _fmt(p.stats("presale_on_time").mean, ".1%")),
            row("leftover units mean", money("leftover_units", "mean")),
        ]
        for field, label, spec in _CI_ROWS:
            lines.append(row(label, lambda p, f=field, s=spec: _interval(p, f, s)))
        if any(p.cash_low_point is not None for p in self.policies):
            lines.append(
                row(
                    "cash low point",
                    lambda p: _fmt(math.nan if p.cash_low_point is None else p.cash_low_point),
                )
            )
        lines.append(row("samples without plan", lambda p: str(p.infeasible)))
        if any(p.unsolved for p in self.policies):
            lines.append(row("not solved (time)", lambda p: str(p.unsolved)))
        return "\n".join(lines)


_CI = ("profit", "fill_rate", "leftover_units")
"""Outcome fields reported with the 95 % interval of their mean."""
_CI_ROWS = (
    ("profit", "profit mean 95% CI", ",.0f"),
    ("fill_rate", "fill rate 95% CI", ".1%"),
    ("leftover_units", "leftover 95% CI", ",.0f"),
)


def _interval(policy: PolicyResult, field: str, spec: str) -> str:
    found = policy.intervals().get(field)
    return "–" if found is None else interval_text(found, spec)


def _unsolved(outcome: Outcome) -> bool:
    """True when the sample was not solved for lack of time."""
    return outcome.status == str(Status.NO_SOLUTION)


def _fmt(value: float, spec: str = ",.0f") -> str:
    return "–" if math.isnan(value) else format(value, spec)


def sample_demand(scenario: Scenario, n: int, seed: int) -> tuple[DemandScenarios, str]:
    """Draws ``n`` equally likely demand samples.

    From the signal model (updated with the presale) when the scenario gives signals, fresh
    from the distributions when it gives ``demand.parametric`` (a stream apart from the
    planning samples of any seed); otherwise by drawing its demand scenarios with their
    probabilities.

    Returns:
        ``(samples, source)``, the source in words.
    """
    if n < 1:
        raise ValueError("samples must be at least 1")
    if scenario.demand.signals is not None:
        from flexsupply.demand.forecast import signal_forecast

        return signal_forecast(scenario).after.sample(n, seed), "signal model"
    if scenario.demand.parametric is not None:
        return parametric_model(scenario).sample(n, seed), "parametric distribution"
    base = demand_scenarios(scenario)
    rng = np.random.default_rng(seed)
    drawn = rng.choice(base.n_scenarios, size=n, p=base.probabilities / base.probabilities.sum())
    names = [f"sample-{i + 1}:{base.names[w]}" for i, w in enumerate(drawn)]
    return DemandScenarios(base.units[drawn], np.full(n, 1.0 / n), names), "resampled scenarios"


def distinct_samples(samples: DemandScenarios) -> tuple[DemandScenarios, IntArray]:
    """Returns the samples without repeats and where each sample went among them.

    A sample's recourse depends only on its demand, so a repeated sample is solved once.

    Returns:
        ``(distinct, index)``: the distinct samples in order of first appearance, and for each
        sample of ``samples`` the index of its demand in ``distinct``.
    """
    flat = samples.units.reshape(samples.n_scenarios, -1)
    _, first, inverse = np.unique(flat, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    kept = first[order]
    names = [samples.names[k] for k in kept]
    distinct = DemandScenarios(samples.units[kept], samples.probabilities[kept], names)
    return distinct, rank[inverse.ravel()]


def first_stage_from_orders(
    scenario: Scenario, orders: Iterable[Order | Mapping[str, Any]]
) -> FirstStage:
    """Returns the first stage of a plan's orders: those shared by every scenario.

    Suppliers appearing in any order (shared or reorder) count as onboarded.

    Raises:
        FlexsupplyError: an order names a supplier, product or tier the scenario does not have,
            or a shared order falls on or after the reveal period.
    """
    data = model_data(scenario)
    opts = data.options
    quantity = np.zeros((len(opts.product), data.reveal))
    selected = np.zeros(len(scenario.suppliers), dtype=bool)
    suppliers = {sid: s for s, sid in enumerate(scenario.supplier_ids)}
    products = {pid: p for p, pid in enumerate(scenario.product_ids)}
    for item in orders:
        order = item if isinstance(item, Mapping) else vars(item)
        s, p = suppliers.get(order["supplier"]), products.get(order["product"])
        if s is None or p is None:
            raise FlexsupplyError(
                f"plan order of {order['product']} from {order['supplier']} does not match the "
                "scenario's products and suppliers; was the plan made for another scenario?"
            )
        selected[s] = True
        if order.get("scenario") is not None:
            continue
        t, q = int(order["period"]) - 1, float(order["quantity"])
        if not 0 <= t < data.reveal:
            raise FlexsupplyError(
                f"plan order of {order['product']} in period {t + 1} is shared, but the scenario "
                f"reveals demand in period {data.reveal + 1}; was the plan made for another scenario?"
            )
        candidates = np.flatnonzero(
            (opts.product == p) & (opts.supplier == s) & (opts.tier == int(order.get("tier", 0)))
        )
        fits = [o for o in candidates if opts.min_quantity[o] - QUANTITY_TOLERANCE <= q]
        if not fits:
            raise FlexsupplyError(
                f"plan order of {q:g} {order['product']} from {order['supplier']} matches no "
                "supply term of the scenario"
            )
        quantity[fits[0], t] += q
    return FirstStage(quantity, selected)


def read_plan_first_stage(scenario: Scenario, path: str | Path) -> FirstStage:
    """Returns the first stage of a ``plan.json`` written by ``flexsupply solve``.

    Raises:
        PlanFileError: the file cannot be read or is not a flexsupply plan.
        FlexsupplyError: the plan does not fit the scenario.
    """
    plan = Plan.from_json(path)
    return with_plan_levers(first_stage_from_orders(scenario, plan.orders), scenario, plan.levers)


def simulate(
    scenario: Scenario,
    first_stage: FirstStage | None = None,
    *,
    samples: int = 200,
    seed: int = 0,
    demand: DemandScenarios | None = None,
    settings: SolveSettings | None = None,
    workers: int | None = None,
    baselines: bool = True,
    clock: Clock = time.monotonic,
    dask: str | None = None,
) -> SimulationReport:
    """Evaluates a plan's first stage out of sample, with the baselines on the same samples.

    Args:
        scenario: the validated scenario.
        first_stage: the plan's first stage (default: solve the scenario's stochastic plan).
        samples: number of demand samples N.
        seed: seed of the samples; the same seed gives the same report.
        demand: evaluate on these scenarios with their probabilities instead of drawing samples
            (e.g. the planning scenarios, to reproduce the plan's in-sample objective).
        settings: solver settings of every solve; ``settings.time_limit`` covers the whole
            call (the plan's solve, the baselines and every sample): samples reached when no
            time is left are counted as not solved.
        workers: parallel processes (default: the CPUs); results do not depend on it. Workers
            are spawned: a script must call this from an ``if __name__ == "__main__":`` block.
        baselines: also score the mean-demand plan and the newsvendor first batch.
        clock: the clock of the time limit (tests inject one) [seconds].
        dask: run the samples on Dask: a scheduler address, or ``local`` for a cluster on this
            machine (default: local processes).

    Returns:
        The ``SimulationReport``.

    Raises:
        SolveError: no stochastic plan (when ``first_stage`` is not given) or no mean-demand plan.
        TimeLimitReached: no time was left for the plan or the mean-demand baseline.
    """
    settings = settings or SolveSettings()
    settings.check()
    deadline = Deadline(settings.time_limit, clock)
    if first_stage is None:
        from flexsupply.solve.engine import solve_within

        plan = solve_within(scenario, settings, deadline)
        first_stage = with_plan_levers(
            first_stage_from_orders(scenario, plan.orders), scenario, plan.levers
        )
    if demand is None:
        futures, source = sample_demand(scenario, samples, seed)
    else:
        futures, source = demand, "given"
    policies: list[tuple[str, FirstStage | None]] = [("plan", first_stage)]
    if baselines:
        planning = demand_scenarios(scenario)
        _, mean_first = mean_value_plan(scenario, planning, settings, deadline)
        policies += [
            ("mean-demand plan", mean_first),
            ("newsvendor", newsvendor_first_stage(scenario, planning)),
        ]
    distinct, index = distinct_samples(futures)
    solved = solve_each_stage(
        scenario, distinct, [stage for _, stage in policies], settings, deadline, workers, dask
    )
    outcomes = [[found[i] for i in index] for found in solved]
    results = [
        PolicyResult(name, found, futures.probabilities)
        for (name, _), found in zip(policies, outcomes, strict=True)
    ]
    return SimulationReport(
        scenario_name=scenario.name,
        currency=scenario.horizon.currency,
        source=source,
        seed=seed,
        n_samples=futures.n_scenarios,
        policies=results,
    )
