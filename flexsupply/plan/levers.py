"""What the plan does with the demand-side levers: campaigns bought, markdown calendar, clearance.

Read from the lever columns of a solved model (``model/levers.py``); written to and read back
from ``plan.json`` (``levers``), the ``campaigns`` and ``markdown`` CSV tables and sheets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from flexsupply.arrays import FloatArray
from flexsupply.plan.values import clean, table

if TYPE_CHECKING:
    from flexsupply.model.build import ModelMap
    from flexsupply.model.campaigns import CampaignColumns
    from flexsupply.scenario import Scenario

FULL_PRICE = "full"
"""Calendar label of a period sold at the full price."""


@dataclass(frozen=True)
class CampaignResult:
    """One campaign on offer and what the plan does with it. Money in the plan's currency."""

    name: str
    kind: str
    period: int
    """Period the campaign runs (1-based)."""
    shared: bool
    """Decided before demand is revealed (one decision for every scenario)."""
    bought: list[float]
    """Purchase in each demand scenario: 1/0 for a slot, posts, or clicks [slots, posts, clicks]."""
    cost: float
    """Expected fee, post fees and clicks (what counts against the marketing budget)."""
    commission: float
    """Expected commission on its sales."""
    demand: float
    """Expected demand it brings [units]."""
    sales: float
    """Expected units of it sold [units]: its commissioned sales, else its share of the sales
    beyond the forecast demand."""
    revenue: float
    """Expected sales revenue of those units."""
    roas: float | None
    """Return on spend: revenue / (cost + commission); None when nothing is spent."""


@dataclass(frozen=True)
class LeverReport:
    """The plan's levers: campaigns, markdown calendar, clearance and the demand they add."""

    campaigns: list[CampaignResult]
    marketing_budget: float | None
    markdown: dict[str, list[list[float]]]
    """Discount chosen per style, scenario and period, ``{style: [[δ per period] per
    scenario]}`` [share of price; 0 = full price]."""
    clearance: list[dict[str, Any]]
    """Clearance sales: ``product``, ``period``, ``price``, expected ``units``."""
    added_demand: FloatArray
    """Demand the levers add, ``(Ω, P, T)`` [units] (campaigns, markdowns, repurchase)."""

    def calendar(self, probabilities: list[float], periods: int) -> dict[str, list[str]]:
        """Returns the markdown calendar: per style, the price of each period in words.

        A price chosen per scenario shows the most likely one with its probability.

        Returns:
            ``{style: [label per period]}``, e.g. ``["full", "−20 %", "−40 % (65 %)"]``.
        """
        probs = np.asarray(probabilities)
        labels: dict[str, list[str]] = {}
        for style, by_scenario in self.markdown.items():
            chosen = np.asarray(by_scenario).reshape(len(probs), periods)
            row = []
            for t in range(periods):
                values, index = np.unique(np.round(chosen[:, t], 6), return_inverse=True)
                weight = np.bincount(index, probs, len(values))
                best = int(np.argmax(weight))
                label = FULL_PRICE if values[best] == 0 else f"−{values[best] * 100:g} %"
                if weight[best] < 1 - 1e-9:
                    label += f" ({weight[best] * 100:.0f} %)"
                row.append(label)
            labels[style] = row
        return labels

    def to_dict(
        self, probabilities: list[float], names: list[str], products: list[str]
    ) -> dict[str, Any]:
        """Returns the levers JSON-ready (``levers`` of ``plan.json``)."""
        periods = self.added_demand.shape[2]
        return {
            "marketing_budget": self.marketing_budget,
            "campaigns": [clean(asdict(c)) for c in self.campaigns],
            "markdown": {
                style: {names[w]: row for w, row in enumerate(rows)}
                for style, rows in self.markdown.items()
            },
            "markdown_calendar": self.calendar(probabilities, periods),
            "clearance": clean(self.clearance),
            "added_demand": {
                name: table(products, self.added_demand[w]) for w, name in enumerate(names)
            },
        }

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], names: list[str], products: list[str]
    ) -> LeverReport:
        """Returns the levers ``to_dict`` wrote, for the scenarios ``names`` in that order."""
        added = data["added_demand"]
        return cls(
            campaigns=[CampaignResult(**{**c, "roas": c.get("roas")}) for c in data["campaigns"]],
            marketing_budget=data.get("marketing_budget"),
            markdown={
                style: [list(rows[w]) for w in names] for style, rows in data["markdown"].items()
            },
            clearance=list(data["clearance"]),
            added_demand=np.array([[added[w][p] for p in products] for w in names], dtype=float),
        )


def read_levers(scenario: Scenario, model: ModelMap, x: FloatArray) -> LeverReport | None:
    """Returns what the plan does with the levers, or None when the scenario has none."""
    levers, columns = scenario.levers, model.levers
    if levers is None or columns is None:
        return None
    probs = model.demand.probabilities
    base = model.demand.units
    added = columns.demand(x, base.shape)
    sales = np.moveaxis(
        np.where(model.flows.sales >= 0, x[np.maximum(model.flows.sales, 0)], 0.0), 2, 0
    )
    # Sales beyond the forecast are credited to the levers in proportion to the demand they add.
    served = np.clip((sales - base) / np.maximum(added, 1e-9), 0.0, 1.0)
    price = model.data.products.price
    camp = columns.campaigns

    def value(cols: np.ndarray) -> np.ndarray:
        return np.where(cols >= 0, x[np.maximum(cols, 0)], 0.0)

    amount = sum(
        (value(cols) * coef[:, None] for cols, coef in camp.amount), np.zeros(camp.buy.shape)
    )
    spend = sum(
        (value(cols) * coef[:, None] for cols, coef in camp.cost_terms),
        np.zeros(camp.buy.shape),
    )
    c_idx, p_idx, t_idx = np.nonzero(camp.unit_lift > 0)
    results = []
    for c, campaign in enumerate(levers.campaigns):
        mine = c_idx == c
        lift = columns.scaled_lift[c][:, p_idx[mine], t_idx[mine]]  # (Ω, E_c)
        brought = lift * amount[c][:, None]
        lifted = camp.lifted_sales[mine].T if camp.lifted_sales.size else np.zeros((len(probs), 0))
        if campaign.commission > 0 and lifted.size:
            sold = value(lifted)
        else:
            sold = brought * served[:, p_idx[mine], t_idx[mine]]
        revenue = float(probs @ (sold @ price[p_idx[mine]]))
        commission = campaign.commission * revenue if campaign.commission > 0 else 0.0
        cost = float(probs @ spend[c])
        outlay = cost + commission
        results.append(
            CampaignResult(
                name=campaign.name,
                kind=campaign.kind.value,
                period=campaign.period,
                shared=campaign.period - 1 < model.data.reveal,
                bought=[round(float(v), 6) + 0.0 for v in _purchase(camp, c, x)],
                cost=cost,
                commission=commission,
                demand=float(probs @ brought.sum(axis=1)),
                sales=float(probs @ sold.sum(axis=1)),
                revenue=revenue,
                roas=revenue / outlay if outlay > 1e-9 else None,
            )
        )
    md = columns.markdown
    chosen = value(md.choice)  # (M, T, K, Ω)
    discount = np.einsum("mtkw,mk->mwt", np.round(chosen), md.discount)
    markdown = {
        scenario.product_ids[int(p)]: [[round(float(v), 6) for v in row] for row in discount[m]]
        for m, p in enumerate(md.product)
    }
    clearance = [
        {
            "product": scenario.product_ids[int(md.clearance_product[i])],
            "period": int(md.clearance_period[i]) + 1,
            "price": float(sale.price),
            "units": float(probs @ value(md.clearance[i])),
        }
        for i, sale in enumerate(levers.clearance)
    ]
    return LeverReport(results, levers.marketing_budget, markdown, clearance, added)


def _purchase(camp: CampaignColumns, c: int, x: FloatArray) -> FloatArray:
    """Returns what campaign ``c`` buys in each scenario: posts, clicks, else the slot (1/0)."""
    if camp.posts[c, 0] >= 0:
        bought: FloatArray = x[camp.posts[c]]
        return bought
    if camp.clicks.shape[1] and camp.clicks[c, 0, 0] >= 0:
        tiers = camp.clicks[c]
        clicks: FloatArray = np.where(tiers >= 0, x[np.maximum(tiers, 0)], 0.0).sum(axis=0)
        return clicks
    slot: FloatArray = np.round(x[camp.buy[c]])
    return slot
