"""The base of every scenario schema block and the constrained number types the blocks share.

Kept apart from ``schema.py`` so that schema blocks in other modules (``signals.py``)
can build on the same base without importing the scenario itself.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NonNegative = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]
Period = Annotated[int, Field(ge=1)]


class Model(BaseModel):
    """Base of every schema block: unknown keys are errors, docstrings become descriptions."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True, frozen=False)


__all__ = ["Model", "NonNegative", "Period", "Share"]
