"""SolveSettings: one object for every solve, checked against the backend's capabilities first."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import flexsupply as fs
from flexsupply.backends import BACKENDS, DEFAULT_BACKEND
from flexsupply.cli import main
from flexsupply.errors import BackendError
from flexsupply.solve import engine
from flexsupply.solve.deadline import Deadline
from flexsupply.solve.profiles import find_profile, resolve_settings
from flexsupply.solve.settings import DEFAULT_GAP, SolveSettings

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


def _no_threads_engine() -> tuple[str, str]:
    """Returns a (backend, engine) whose engine cannot be given a thread count."""
    for name, info in BACKENDS.items():
        for option in info.engines:
            if not option.threads:
                return name, option.name
    pytest.skip("every engine takes a thread count")


def test_settings_an_engine_cannot_honour_fail_before_any_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backend, engine_name = _no_threads_engine()

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the settings were checked")

    monkeypatch.setattr(engine, "demand_scenarios", no_work)
    monkeypatch.setattr(engine, "build_program", no_work)

    with pytest.raises(fs.BackendError, match="cannot be given a thread count; drop --threads"):
        fs.solve(fs.load(SMALL), backend, engine=engine_name, threads=1, time_limit=30)


def test_cli_refuses_unusable_settings_with_the_reason_and_exit_1() -> None:
    backend, engine_name = _no_threads_engine()
    args = ["solve", str(SMALL), "--solver", backend, "--engine", engine_name, "--threads", "1"]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 1
    assert "cannot be given a thread count" in result.output
    assert "elapsed" not in result.output  # no progress line: nothing was solved
    assert "Traceback" not in result.output


def test_unknown_engine_and_method_name_the_choices() -> None:
    with pytest.raises(fs.BackendError, match="unknown ortools engine 'gurobi'; choose one of"):
        SolveSettings(engine="gurobi").check()
    with pytest.raises(fs.BackendError, match="unknown solve method 'magic'; choose one of auto"):
        fs.solve(fs.load(SMALL), method="magic")


def test_profiles_load_into_settings_and_flags_override_them() -> None:
    settings = resolve_settings("fast", time_limit=5, threads=None, seed=3)

    profile = find_profile("fast")
    assert settings == SolveSettings(
        backend=profile.backend,
        engine=profile.engine,
        time_limit=5,
        gap=profile.gap,
        seed=3,
        method=profile.method,
    )
    assert resolve_settings(settings) == settings
    assert resolve_settings(settings, gap=0.1).gap == 0.1
    assert SolveSettings().effective_gap == DEFAULT_GAP


def test_options_give_the_engine_only_the_time_left() -> None:
    now = [0.0]
    deadline = Deadline(10.0, lambda: now[0])
    now[0] = 7.5

    options = SolveSettings(time_limit=10.0, gap=0.02, seed=4).options(deadline)

    engine = BACKENDS[DEFAULT_BACKEND].default_engine
    assert options.time_limit == pytest.approx(max(2.5 - engine.stop_seconds, 1.25))
    assert options.time_limit <= 2.5
    assert (options.gap, options.seed) == (0.02, 4)
    assert options.engine == engine.name


def test_solve_takes_settings_a_backend_name_or_a_profile() -> None:
    scenario = fs.load(SMALL)
    by_settings = fs.solve(scenario, SolveSettings(engine="highs"))
    by_name = fs.solve(scenario, "ortools", engine="highs")
    by_profile = fs.solve(scenario, "ortools-highs")

    assert by_settings.objective == pytest.approx(by_name.objective)
    assert by_profile.objective == pytest.approx(by_name.objective)
    assert by_profile.engine == "highs"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"time_limit": math.inf}, "the time limit must be a number of seconds above 0"),
        ({"time_limit": math.nan}, "got nan"),
        ({"time_limit": -1.0}, "above 0"),
        ({"time_limit": 1e300}, "at most 10,000,000"),
        ({"gap": math.nan}, "the gap must be a fraction from 0 up to 1"),
        ({"gap": math.inf}, "the gap must be a fraction"),
    ],
)
def test_non_finite_or_absurd_limits_are_refused_before_any_work(
    flags: dict[str, float], message: str
) -> None:
    with pytest.raises(BackendError, match=re.escape(message)):
        SolveSettings().with_flags(**flags).check()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e300"])
@pytest.mark.parametrize("flag", ["--time-limit", "--gap"])
def test_the_command_line_refuses_non_finite_limits_as_usage_errors(flag: str, value: str) -> None:
    result = CliRunner().invoke(main, ["solve", "no-such-file.yaml", flag, value])

    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{flag}'" in result.output
    assert "Traceback" not in result.output
