"""Model building: a Scenario and its demand scenarios become one LinearProgram of arrays."""

from flexsupply.model.build import ModelMap, build_program
from flexsupply.model.program import LinearProgram

__all__ = ["LinearProgram", "ModelMap", "build_program"]
