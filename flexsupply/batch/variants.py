"""What-if variants: a scenario file with ``--set`` overrides, and sweeps over a few values."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from flexsupply.errors import FlexsupplyError
from flexsupply.scenario.reader import read_value

SOLVER_KEY = "solver"
"""A sweep over this key varies the solver (backend or profile name) instead of a field."""


class BatchError(FlexsupplyError):
    """A batch that cannot run as asked: a malformed sweep, repeated names, a missing extra."""

    exit_code = 1


FOLDER_LENGTH = 80
"""Most characters of a variant's name kept in its folder name."""
_PLAIN = re.compile(r"[a-z0-9][a-z0-9._=+-]{0,79}")
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
)
"""Names Windows keeps for devices, whatever the extension."""


@dataclass(frozen=True)
class Variant:
    """One what-if: the scenario with ``overrides`` applied, solved with ``solver``."""

    name: str
    """Label of the variant in tables and its folder name under the output folder."""
    overrides: tuple[str, ...] = ()
    """``PATH=VALUE`` texts as ``--set`` takes them, applied in order."""
    solver: str | None = None
    """Backend or solver profile name; None uses the batch's solver."""


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """Returns ``(path, values)`` of a sweep written ``PATH=[VALUE, VALUE, ...]``.

    Values are read as YAML, as ``--set`` reads them; a list-valued field is swept with a list
    of lists (``suppliers.QR-HZ.capacity=[[60000, 30000], [90000, 45000]]``).

    Raises:
        BatchError: the text is not ``PATH=[...]`` with at least one value.
    """
    path, equals, raw = text.partition("=")
    path = path.strip()
    try:
        values = read_value(raw) if equals else None
    except yaml.YAMLError:
        values = None
    if not path or not isinstance(values, list) or not values:
        raise BatchError(
            f"--sweep {text}: expected PATH=[VALUE, VALUE, ...], "
            "e.g. presale.deposit_share=[0.1, 0.2, 0.3]"
        )
    return path, values


def sweep_variants(
    sweeps: Sequence[str], include_base: bool = True, overrides: Sequence[str] = ()
) -> list[Variant]:
    """Returns one variant per combination of the swept values, the first sweep varying slowest.

    Each variant is named by its values, e.g. ``deposit_share=0.2 moq=50``: the shortest ending
    of each path that tells the sweeps apart. ``include_base`` puts the scenario as it is first,
    named ``base``. ``overrides`` (``--set`` texts) apply to every variant, before its values.

    Raises:
        BatchError: a sweep is malformed or a path is swept twice.
    """
    parsed = [parse_sweep(text) for text in sweeps]
    paths = [path for path, _ in parsed]
    repeated = sorted({path for path in paths if paths.count(path) > 1})
    if repeated:
        raise BatchError(f"--sweep {repeated[0]} is given twice; give all its values in one list")
    labels = _short_labels(paths)
    common = tuple(overrides)
    variants = [Variant("base", common)] if include_base else []
    combinations = itertools.product(*(values for _, values in parsed)) if parsed else ()
    for combination in combinations:
        changes: list[str] = []
        solver = None
        for path, value in zip(paths, combination, strict=True):
            if path == SOLVER_KEY:
                solver = str(value)
            else:
                changes.append(f"{path}={_yaml_value(value)}")
        name = " ".join(
            f"{label}={_yaml_value(value)}"
            for label, value in zip(labels, combination, strict=True)
        )
        variants.append(Variant(name, (*common, *changes), solver))
    return variants


def variant_folder(variant: Variant) -> str:
    """Returns the folder name of a variant's plan under the output folder (safe on any OS).

    A name of lower-case letters, digits and ``._=+-`` that is not a reserved device name is
    its own folder; any other name becomes those characters followed by ``-`` and the first
    ten hex digits of the SHA-256 of the name, so ``a/b``, ``a b`` and ``a_b``, or ``.`` and
    ``..``, get folders of their own.
    """
    name = variant.name
    slug = re.sub(r"[^A-Za-z0-9._=+-]+", "_", name).strip("._")[:FOLDER_LENGTH] or "variant"
    plain = _PLAIN.fullmatch(name) and slug == name and name.split(".")[0] not in _RESERVED
    if plain:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{slug}-{digest}"


def _short_labels(paths: list[str]) -> list[str]:
    """Returns for each path its shortest ending of dot-separated parts that no other shares."""
    parts = [path.split(".") for path in paths]
    labels = []
    for own in parts:
        for size in range(1, len(own) + 1):
            ending = own[-size:]
            if all(other[-size:] != ending for other in parts if other is not own):
                break
        labels.append(".".join(ending))
    return labels


def _yaml_value(value: Any) -> str:
    """Returns a value as YAML flow text, as ``--set`` reads it back."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()
