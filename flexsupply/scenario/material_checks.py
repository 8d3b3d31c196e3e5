"""Cross-checks of the materials block: bills of materials, material terms and salvage values."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from flexsupply.errors import Problem
from flexsupply.scenario.checks import multiple_problem, period_list_problems, unknown_message

if TYPE_CHECKING:
    from flexsupply.scenario.schema import Scenario


def material_problems(scenario: Scenario) -> list[Problem]:
    """Returns the problems of the materials and the bills of materials that point at them.

    Returns:
        One problem per unknown material in a bill of materials, per price or capacity list of
        the wrong length, per order multiple that leaves no order size, per tier out of order,
        and per salvage value that would make buying to resell pay.
    """
    periods = scenario.horizon.periods
    known = {material.id for material in scenario.materials}
    problems: list[Problem] = []
    for p_index, product in enumerate(scenario.products):
        for b_index, line in enumerate(product.bom):
            if line.material not in known:
                where = ("products", p_index, "bom", b_index, "material")
                problems.append(Problem(where, unknown_message("material", line.material, known)))
    for m_index, material in enumerate(scenario.materials):
        cheapest = math.inf
        for k_index, terms in enumerate(material.suppliers):
            loc: tuple[str | int, ...] = ("materials", m_index, "suppliers", k_index)
            for field in ("unit_cost", "capacity"):
                value = getattr(terms, field)
                if isinstance(value, list):
                    problems += period_list_problems(value, periods, (*loc, field), field)
            prices = (
                list(terms.unit_cost) if isinstance(terms.unit_cost, list) else [terms.unit_cost]
            )
            for tier in terms.discount_tiers:
                if tier.unit_cost is not None:
                    prices += (
                        tier.unit_cost if isinstance(tier.unit_cost, list) else [tier.unit_cost]
                    )
                else:
                    prices += [min(prices) * float(tier.cost_factor or 0.0)]
            cheapest = min([cheapest, *prices])
            if terms.order_multiple is not None:
                clash = multiple_problem(terms.order_multiple, terms.moq, terms.max_per_order)
                if clash is not None:
                    problems.append(Problem((*loc, "order_multiple"), clash))
            minimums = [tier.min_quantity for tier in terms.discount_tiers]
            if any(later <= earlier for earlier, later in itertools.pairwise(minimums)):
                message = f"tiers must have increasing min_quantity, got {minimums}"
                problems.append(Problem((*loc, "discount_tiers"), message))
        if material.salvage_value >= cheapest > 0 or material.salvage_value > cheapest:
            message = (
                f"salvage_value {material.salvage_value:g} must be below the cheapest price "
                f"{cheapest:g}, or buying {material.id} to resell would pay without limit"
            )
            problems.append(Problem(("materials", m_index, "salvage_value"), message))
    return problems
