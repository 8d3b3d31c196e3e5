"""Solver profiles: shipped with the package, found by name or path, flags override them."""

from __future__ import annotations

from pathlib import Path

import pytest

from flexsupply.errors import BackendError
from flexsupply.solve.profiles import (
    ProfileError,
    SolverProfile,
    bundled_profiles,
    find_profile,
    installed_engines,
    load_profile,
)


def test_the_package_ships_the_named_profiles() -> None:
    assert set(bundled_profiles()) == {
        "ortools-scip",
        "ortools-highs",
        "pulp-cbc",
        "pulp-highs",
        "fast",
        "exact",
    }


@pytest.mark.parametrize(
    ("name", "backend", "engine", "time_limit", "gap"),
    [
        ("ortools-scip", "ortools", "scip", None, None),
        ("ortools-highs", "ortools", "highs", None, None),
        ("pulp-cbc", "pulp", "cbc", None, None),
        ("pulp-highs", "pulp", "highs", None, None),
        ("fast", "ortools", "highs", 30, 0.02),
        ("exact", "ortools", "highs", None, 0),
    ],
)
def test_each_bundled_profile_loads_with_its_settings(
    name: str, backend: str, engine: str, time_limit: float | None, gap: float | None
) -> None:
    profile = find_profile(name)

    assert (profile.name, profile.backend, profile.engine) == (name, backend, engine)
    assert (profile.time_limit, profile.gap) == (time_limit, gap)
    assert profile.description


@pytest.mark.parametrize("backend", ["ortools", "pulp"])
def test_a_backend_name_is_a_profile_with_only_the_backend(backend: str) -> None:
    assert find_profile(backend) == SolverProfile(name=backend, backend=backend)  # type: ignore[arg-type]


def test_a_profile_file_is_found_by_its_path_and_named_after_it(tmp_path: Path) -> None:
    path = tmp_path / "nightly.yaml"
    path.write_text("backend: pulp\nengine: cbc\ntime_limit: 600\nthreads: 2\nseed: 7\n")

    profile = find_profile(str(path))

    assert profile == SolverProfile(
        name="nightly", backend="pulp", engine="cbc", time_limit=600, threads=2, seed=7
    )


def test_flags_replace_only_the_settings_they_give() -> None:
    profile = find_profile("fast").with_flags(time_limit=5, threads=None, engine="scip")

    assert (profile.engine, profile.time_limit, profile.gap) == ("scip", 5, 0.02)


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        (
            "backend: ortools\nengine: cplex\n",
            ["bad.yaml:2:9  engine: unknown engine 'cplex' for ortools; choose scip, highs"],
        ),
        (
            "backend: gurobi\n",
            ["bad.yaml:1:10  backend: input should be 'ortools' or 'pulp', got 'gurobi'"],
        ),
        (
            "backend: pulp\ngap: -0.1\ntime_limt: 60\n",
            [
                "bad.yaml:2:6  gap: must be ≥ 0, got -0.1",
                "bad.yaml:3:1  time_limt: unknown setting 'time_limt' (did you mean 'time_limit'?)",
            ],
        ),
        (
            "gap: 2\nthreads: two\n",
            [
                "bad.yaml:1:6  gap: must be < 1, got 2 (the gap is a fraction: 0.02 is 2 %)",
                "bad.yaml:2:10  threads: expected a whole number, got 'two'",
            ],
        ),
        ("backend: [ortools\n", ["bad.yaml:2:1  not valid YAML"]),
        ("- ortools\n", ["bad.yaml:1:1  expected a mapping of settings"]),
    ],
)
def test_a_bad_profile_lists_each_problem_with_file_and_line(
    tmp_path: Path, text: str, problems: list[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)

    with pytest.raises(ProfileError) as caught:
        load_profile(path)

    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{len(problems)} problem")
    assert lines[0].endswith(f"in solver profile {path}")
    for line, expected in zip(lines[1:], problems, strict=True):
        assert line.strip().startswith(str(tmp_path / expected.split("  ")[0]))
        assert expected.split("  ", 1)[1] in line


def test_a_missing_profile_file_is_a_profile_error(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read file"):
        find_profile(str(tmp_path / "missing.yaml"))


def test_an_unknown_name_says_what_exists() -> None:
    with pytest.raises(BackendError) as caught:
        find_profile("fsat")

    message = str(caught.value)
    assert message.startswith("unknown solver 'fsat' (did you mean 'fast'?)")
    assert "ortools, pulp" in message
    assert "exact, fast, ortools-highs" in message


def test_the_summary_says_the_settings_in_words() -> None:
    assert find_profile("fast").summary() == "ortools/highs, 30 s, gap 2 %"
    assert find_profile("pulp").summary() == "pulp/default, no time limit"


def test_installed_engines_see_the_core_dependencies() -> None:
    engines = installed_engines()

    assert engines["ortools"] == {"scip": True, "highs": True}
    assert engines["pulp"]["cbc"] is True
