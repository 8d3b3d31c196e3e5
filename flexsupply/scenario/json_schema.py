"""The JSON Schema of scenario files, for editors (completion, hover help, checks as you type).

Built from the pydantic schema: every field's description is its docstring, and its title the
docstring's first phrase (``moq`` → "Minimum order quantity").
"""

from __future__ import annotations

import json
import re
from typing import Any

from flexsupply.scenario.schema import Scenario

SCHEMA_FILE = "scenario.schema.json"
"""File name ``flexsupply init`` and the README use for the schema."""

_FIRST_PHRASE = re.compile(r"(?<!e\.g)(?<!i\.e)[.:;](?=\s|$)|\s\[|, (?:e\.g|or|else)\b")
_ASIDE = re.compile(r"\s*\([^()]*\)")


def scenario_schema() -> dict[str, Any]:
    """Returns the JSON Schema (draft 2020-12) of a scenario file as plain data."""
    schema = Scenario.model_json_schema()
    for block in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in block.get("properties", {}).items():
            if prop.get("description"):
                prop["title"] = _title(name, prop["description"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "flexsupply scenario",
    }


def schema_text() -> str:
    """Returns the scenario JSON Schema as indented JSON text ending in a newline."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


def _title(name: str, description: str) -> str:
    """Returns a description's first phrase, without asides or markup, as a short title.

    A description that starts with a quoted value (``forbidden``: …) is titled by the field name.
    """
    if description.startswith("``"):
        return name.replace("_", " ").capitalize()
    text = " ".join(_ASIDE.sub("", description).split())
    phrase = _FIRST_PHRASE.split(text, maxsplit=1)[0].replace("``", "").strip()
    return phrase[:1].upper() + phrase[1:]


__all__ = ["SCHEMA_FILE", "scenario_schema", "schema_text"]
