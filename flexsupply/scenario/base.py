"""The base of every scenario schema block and the constrained number types the blocks share.

Kept apart from ``schema.py`` so that schema blocks in other modules (``signals.py``)
can build on the same base without importing the scenario itself.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

NonNegative = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Period = Annotated[int, Field(ge=1)]


class Model(BaseModel):
    """Base of every schema block: unknown keys are errors, docstrings become descriptions.

    The attribute docstrings are read from each module's source once (pydantic's own
    ``use_attribute_docstrings`` reads it again for every class, a third of the import time of
    the schema), and the validators are built on first use (``defer_build``), after the
    descriptions are in place.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True, frozen=False)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Gives each field without a description its attribute docstring."""
        super().__pydantic_init_subclass__(**kwargs)
        docs = attribute_docstrings(cls.__module__).get(cls.__qualname__, {})
        for name, field in cls.__pydantic_fields__.items():
            if field.description is None and name in docs:
                field.description = docs[name]


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


__all__ = ["Model", "NonNegative", "Period", "Share", "attribute_docstrings"]
