"""The base of every scenario schema block, the number types the blocks share, and ids.

Kept apart from ``schema.py`` so that schema blocks in other modules (``signals.py``)
can build on the same base without importing the scenario itself.

Every number of a scenario is finite and lies in a documented range: the ranges below are wide
enough for any brand that plans with spreadsheets and narrow enough that the solvers see
well-scaled numbers (the largest money term, a price times a quantity, stays below 10^15). A
``true``/``false`` or a text is never read as a number. The ranges appear in the JSON Schema
(``minimum``/``maximum``) and in the generated scenario reference.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

MAX_PERIODS = 520
"""Most periods a horizon, a lead time or any other count of periods may have (10 years of
weeks) [periods]."""
MAX_UNITS = 1e8
"""Largest quantity of units in any field: demand, stock, an order, an MOQ [units]."""
MAX_UNIT_MONEY = 1e7
"""Largest amount of money per unit: a price, a unit cost, a deposit [currency/unit]."""
MAX_MONEY = 1e11
"""Largest amount of money in one field: a setup or onboarding cost, initial cash [currency]."""
MAX_CAPACITY = 1e10
"""Largest capacity in a supplier's capacity unit (per period, per unit or per order)."""
MAX_COUNT = 1e12
"""Largest count of a demand signal: impressions, clicks, viewers, people reached."""
MAX_FACTOR = 1e3
"""Largest multiplier, cost factor, risk weight or spread (a standard deviation of a log)."""
FIRST_DATE = date(1900, 1, 1)
"""Earliest ``horizon.start_date``."""
LAST_DATE = date(2999, 12, 31)
"""Latest ``horizon.start_date``: outputs date every period, arrivals after the horizon too."""
MAX_ID_LENGTH = 100
"""Longest id of a product, supplier or demand scenario [characters]."""


def _no_bool_or_text(kind: str, what: str) -> BeforeValidator:
    """Returns a validator refusing ``true``/``false`` and text where a number belongs.

    Pydantic's lax mode reads ``true`` as 1 and ``"5"`` as 5; a scenario file that says
    ``price: yes`` has a mistake, not a price of 1.
    """

    def check(value: Any) -> Any:
        if isinstance(value, bool | str | bytes):
            raise PydanticCustomError(kind, "Input should be {what}", {"what": what})
        return value

    return BeforeValidator(check)


_FLOAT = _no_bool_or_text("float_type", "a number")
_INT = _no_bool_or_text("int_type", "a whole number")


Units = Annotated[float, _FLOAT, Field(ge=0, le=MAX_UNITS, allow_inf_nan=False)]
"""A quantity of units: demand, stock, an order size, an MOQ [units]."""
UnitMoney = Annotated[float, _FLOAT, Field(ge=0, le=MAX_UNIT_MONEY, allow_inf_nan=False)]
"""Money per unit: a price, a unit cost, a deposit [currency/unit]."""
Money = Annotated[float, _FLOAT, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
"""An amount of money: a fixed cost [currency]."""
SignedMoney = Annotated[float, _FLOAT, Field(ge=-MAX_MONEY, le=MAX_MONEY, allow_inf_nan=False)]
"""An amount of money that may be negative: a cash balance [currency]."""
Capacity = Annotated[float, _FLOAT, Field(ge=0, le=MAX_CAPACITY, allow_inf_nan=False)]
"""An amount of a supplier's capacity unit (sewing minutes, units, …)."""
Count = Annotated[float, _FLOAT, Field(ge=0, le=MAX_COUNT, allow_inf_nan=False)]
"""A count of a demand signal: impressions, clicks, viewers, people."""
Factor = Annotated[float, _FLOAT, Field(ge=0, le=MAX_FACTOR, allow_inf_nan=False)]
"""A non-negative multiplier, cost factor, weight or spread [dimensionless]."""
Share = Annotated[float, _FLOAT, Field(ge=0, le=1, allow_inf_nan=False)]
"""A share between 0 and 1 [dimensionless]."""
OpenShare = Annotated[float, _FLOAT, Field(gt=0, lt=1, allow_inf_nan=False)]
"""A share strictly between 0 and 1 [dimensionless]."""
Period = Annotated[int, _INT, Field(ge=1, le=MAX_PERIODS)]
"""A 1-based period number [period]."""
Periods = Annotated[int, _INT, Field(ge=0, le=MAX_PERIODS)]
"""A number of periods: a lead time, a lag, a window [periods]."""
Whole = Annotated[int, _INT]
"""A whole number, never a bool or text; give its range with ``Field`` where it is used."""
Real = Annotated[float, _FLOAT]
"""A finite number, never a bool or text; give its range with ``Field`` where it is used."""
NonNegative = Annotated[float, _FLOAT, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
"""A finite non-negative number, at most ``MAX_MONEY``; prefer a typed range above."""


# Characters no one types on purpose inside an id: controls, zero-width and other format
# characters, line and paragraph separators, and surrogates.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def id_key(text: str) -> str:
    """Returns the form two ids are compared in: NFKC, case-folded, without spaces or invisibles.

    Two ids with the same key are the same to a person reading a table (``DRESS-01``,
    ``dress-01``, ``DRESS-01 `` and ``DRESS\u200b-01``), so a scenario may not use both.

    Returns:
        The normalised text.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        char
        for char in folded
        if not char.isspace() and unicodedata.category(char) not in _INVISIBLE
    )


def _check_id(text: str) -> str:
    invisible = sorted(
        {f"U+{ord(char):04X}" for char in text if unicodedata.category(char) in _INVISIBLE}
    )
    if invisible:
        raise ValueError(
            f"must not contain control or invisible characters, got {', '.join(invisible)} "
            f"in {text!r}"
        )
    if text != text.strip():
        raise ValueError(f"must not start or end with a space, got {text!r}")
    return text


Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH), AfterValidator(_check_id)]
"""An id of a product, supplier or demand scenario: visible characters, no outer spaces."""


def lone_surrogates(text: str) -> bool:
    """Returns whether ``text`` holds a lone surrogate (not Unicode text; no file can hold it)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class Model(BaseModel):
    """Base of every schema block: unknown keys are errors, docstrings become descriptions.

    No float of any block may be infinite or NaN (``allow_inf_nan``), and no text may hold a
    lone surrogate, which no output file could store. The attribute docstrings are read from
    each module's source once (pydantic's own ``use_attribute_docstrings`` reads it again for
    every class, a third of the import time of the schema), and the validators are built on
    first use (``defer_build``), after the descriptions are in place.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True, frozen=False, allow_inf_nan=False)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Gives each field without a description its attribute docstring."""
        super().__pydantic_init_subclass__(**kwargs)
        docs = attribute_docstrings(cls.__module__).get(cls.__qualname__, {})
        for name, field in cls.__pydantic_fields__.items():
            if field.description is None and name in docs:
                field.description = docs[name]

    @model_validator(mode="before")
    @classmethod
    def _unicode_text(cls, data: Any) -> Any:
        if isinstance(data, dict):
            texts = [*data, *data.values()]
            texts += [item for value in data.values() if isinstance(value, list) for item in value]
            texts += [key for value in data.values() if isinstance(value, dict) for key in value]
            if any(isinstance(text, str) and lone_surrogates(text) for text in texts):
                raise ValueError("text must be Unicode, got a lone surrogate (e.g. '\\ud800')")
        return data


@functools.cache
def attribute_docstrings(module: str) -> dict[str, dict[str, str]]:
    """Returns the attribute docstrings of each top-level class of ``module``, by class name.

    An attribute docstring is a string statement right after an annotated attribute, as
    pydantic reads them.
    """
    path = getattr(sys.modules.get(module), "__file__", None)
    if path is None:
        return {}
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}
        for before, after in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(before, ast.AnnAssign)
                and isinstance(before.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[before.target.id] = inspect.cleandoc(after.value.value)
        found[node.name] = docs
    return found


__all__ = [
    "MAX_CAPACITY",
    "MAX_COUNT",
    "MAX_FACTOR",
    "MAX_ID_LENGTH",
    "MAX_MONEY",
    "MAX_PERIODS",
    "MAX_UNITS",
    "MAX_UNIT_MONEY",
    "Capacity",
    "Count",
    "Factor",
    "Id",
    "Model",
    "Money",
    "NonNegative",
    "OpenShare",
    "Period",
    "Periods",
    "Real",
    "Share",
    "SignedMoney",
    "UnitMoney",
    "Units",
    "Whole",
    "attribute_docstrings",
    "id_key",
    "lone_surrogates",
]
