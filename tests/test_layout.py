"""The package layout: stage folders, documented module paths, shipped profiles."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import flexsupply
from flexsupply.solve.profiles import bundled_profiles

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(flexsupply.__file__).parent
STAGES = [
    "scenario",
    "demand",
    "model",
    "heuristics",
    "backends",
    "solve",
    "plan",
    "report",
    "batch",
    "cli",
]


def test_folder_listing_shows_the_stages() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}

    assert set(STAGES) <= folders


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("flexsupply.overrides", "flexsupply.scenario.overrides", "load_with_overrides"),
        ("flexsupply.profiles", "flexsupply.solve.profiles", "find_profile"),
        ("flexsupply.outputs", "flexsupply.plan.outputs", "write_outputs"),
        ("flexsupply.compare", "flexsupply.plan.compare", "compare_plans"),
        ("flexsupply.report_html", "flexsupply.report", "write_report"),
        ("flexsupply.batch", "flexsupply.batch.run", "run_batch"),
        ("flexsupply.batch", "flexsupply.batch.variants", "sweep_variants"),
        ("flexsupply.scenario", "flexsupply.scenario.sources", "load"),
    ],
)
def test_documented_module_paths_still_import(old: str, new: str, name: str) -> None:
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name
    )


def test_shipped_profiles_are_the_top_level_solvers_folder() -> None:
    shipped = {path.stem for path in (ROOT / "solvers").glob("*.yaml")}

    assert shipped
    assert set(bundled_profiles()) == shipped


MAX_MODULE_LINES = 450
# The data flow of DESIGN.md: a module imports only from its own stage or the stages before it.
# Shared helpers (errors, arrays, files, fds) come first; the former module paths kept for old
# scripts and the docs generator sit on top with the CLI.
STAGE_ORDER = [
    ["errors", "arrays", "files", "fds"],
    ["scenario"],
    ["demand"],
    ["model"],
    ["backends"],
    ["heuristics"],
    ["plan"],
    ["solve"],
    ["report"],
    ["batch"],
    [
        "cli",
        "docs_gen",
        "docs_tables",
        "overrides",
        "profiles",
        "outputs",
        "compare",
        "report_html",
        "__init__",
    ],
]
STAGE_OF = {name: rank for rank, names in enumerate(STAGE_ORDER) for name in names}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Returns the flexsupply modules ``path`` imports anywhere (function bodies included).

    Imports under ``if TYPE_CHECKING:`` are left out: they never run.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for child in node.body
        for inner in ast.walk(child)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in modules}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_import_graph_has_no_cycle_even_counting_function_level_imports() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])

    assert len(graph) > 50
    assert cycles == []


def test_imports_follow_the_data_flow() -> None:
    def stage(module: str) -> int:
        parts = module.split(".")
        return STAGE_OF[parts[1] if len(parts) > 1 else "__init__"]

    backwards = sorted(
        f"{source} -> {target}"
        for source, targets in _graph().items()
        for target in targets
        if stage(target) > stage(source)
    )

    assert backwards == []


def test_no_module_is_over_450_lines() -> None:
    long = {
        name: count
        for name, path in _modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }

    assert long == {}


def test_importing_the_package_loads_no_solver_library_and_solve_is_the_function() -> None:
    code = (
        "import sys, flexsupply as fs\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'ortools', 'pulp', 'highspy'}))\n"
        "print(fs.solve.__module__, fs.SolveSettings.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.splitlines() == ["[]", "flexsupply.solve.engine flexsupply.solve.settings"]


APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
"""SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt, the text the project is under."""


def test_the_license_file_is_apache_2_and_the_metadata_says_so() -> None:
    import hashlib
    import tomllib

    license_text = (ROOT / "LICENSE").read_bytes()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

    assert hashlib.sha256(license_text).hexdigest() == APACHE_2_SHA256
    assert project["project"]["license"] == {"text": "Apache-2.0"}
    assert "LICENSE" in project["tool"]["setuptools"]["license-files"]
