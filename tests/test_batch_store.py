"""A batch's output folder: resume only with the same fingerprint, folders that never collide."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from flexsupply.batch import BatchError, Variant, run_batch, sweep_variants, variant_folder
from flexsupply.batch.store import FINGERPRINT_FILE, PLAN_FILE, fingerprint
from flexsupply.scenario.overrides import load_with_overrides
from flexsupply.solve.settings import SolveSettings

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"
PRICES = "products.DRESS-01.price=[90, 120]"


def _rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "batch.csv").read_text(encoding="utf-8"))))


@pytest.fixture
def solved(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the small scenario and a batch folder with its three variants solved."""
    scenario = tmp_path / "season.yaml"
    scenario.write_text(SMALL.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    run_batch(scenario, sweep_variants([PRICES]), workers=1, out_dir=out)
    return scenario, out


def test_every_plan_has_its_fingerprint_beside_it(solved: tuple[Path, Path]) -> None:
    scenario, out = solved

    for variant in sweep_variants([PRICES]):
        record = json.loads((out / variant_folder(variant) / FINGERPRINT_FILE).read_text())
        expected = fingerprint(
            variant, load_with_overrides(scenario, variant.overrides), SolveSettings()
        )
        assert record["fingerprint"] == expected
        assert record["variant"] == variant.name


def test_resume_reuses_plans_of_the_same_scenario_and_settings(solved: tuple[Path, Path]) -> None:
    scenario, out = solved

    again = run_batch(scenario, sweep_variants([PRICES]), workers=1, out_dir=out, resume=True)

    assert [r.reused for r in again] == [True, True, True]
    assert [r.note for r in again] == ["", "", ""]


def test_resume_solves_again_when_the_scenario_changed(solved: tuple[Path, Path]) -> None:
    scenario, out = solved
    before = json.loads((out / "base" / PLAN_FILE).read_text())
    text = scenario.read_text(encoding="utf-8")
    scenario.write_text(text.replace("price: 100", "price: 140", 1), encoding="utf-8")

    again = run_batch(scenario, sweep_variants([PRICES]), workers=1, out_dir=out, resume=True)

    assert [r.reused for r in again] == [False, True, True]
    assert "the scenario or the solve settings changed" in again[0].note
    after = json.loads((out / "base" / PLAN_FILE).read_text())
    assert after["objective"] != before["objective"]
    assert again[0].plan is not None
    assert {k: v for k, v in again[0].plan.items() if k != "run"} == after


def test_resume_solves_again_when_the_settings_changed(solved: tuple[Path, Path]) -> None:
    scenario, out = solved

    again = run_batch(
        scenario,
        sweep_variants([PRICES]),
        workers=1,
        out_dir=out,
        resume=True,
        overrides={"gap": 0.05},
    )

    assert [r.reused for r in again] == [False, False, False]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda place: (place / PLAN_FILE).write_text("{not json"), id="corrupt-plan"),
        pytest.param(lambda place: (place / PLAN_FILE).write_text('{"a": 1}'), id="not-a-plan"),
        pytest.param(lambda place: (place / FINGERPRINT_FILE).unlink(), id="no-fingerprint"),
        pytest.param(
            lambda place: (place / FINGERPRINT_FILE).write_text("[]"), id="bad-fingerprint"
        ),
    ],
)
def test_a_damaged_earlier_plan_is_solved_again_and_the_summary_keeps_every_row(
    solved: tuple[Path, Path], damage: object
) -> None:
    scenario, out = solved
    damage(out / "price=90")  # type: ignore[operator]
    seen: list[int] = []

    again = run_batch(
        scenario,
        sweep_variants([PRICES]),
        workers=1,
        out_dir=out,
        resume=True,
        on_result=lambda _: seen.append(len(_rows(out))),
    )

    assert [r.reused for r in again] == [True, False, True]
    assert again[1].status == "optimal"
    assert "solved again" in again[1].note
    assert seen == [3, 3, 3]
    assert [row["status"] for row in _rows(out)] == ["optimal", "optimal", "optimal"]


def test_the_summary_lists_variants_not_finished_yet_as_pending(tmp_path: Path) -> None:
    seen: list[list[str]] = []

    run_batch(
        SMALL,
        sweep_variants([PRICES]),
        workers=1,
        out_dir=tmp_path,
        on_result=lambda _: seen.append([row["status"] for row in _rows(tmp_path)]),
    )

    assert seen == [
        ["optimal", "pending", "pending"],
        ["optimal", "optimal", "pending"],
        ["optimal", "optimal", "optimal"],
    ]


@pytest.mark.parametrize(
    "names",
    [
        ["a/b", "a b", "a_b"],
        [".", "..", "variant"],
        ["A", "a"],
        ["con", "CON", "con.txt"],
        ["x" * 100 + "1", "x" * 100 + "2"],
        ["moq=50 lead=4", "moq=50_lead=4", "moq=50/lead=4"],
    ],
)
def test_variant_folders_never_collide(names: list[str]) -> None:
    folders = [variant_folder(Variant(name)) for name in names]

    assert len({folder.casefold() for folder in folders}) == len(names)
    for folder in folders:
        assert folder not in (".", "..")
        assert "/" not in folder
        assert len(folder) <= 91


@pytest.mark.parametrize("name", ["base", "price=90", "moq=50", "a_b", "lead.time=4"])
def test_plain_names_are_their_own_folder(name: str) -> None:
    assert variant_folder(Variant(name)) == name


def test_variants_that_would_share_a_folder_are_refused_before_solving(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from flexsupply.batch import run as batch_run

    monkeypatch.setattr(batch_run, "variant_folder", lambda variant: variant.name.upper())

    with pytest.raises(BatchError, match="would share the folder 'A'"):
        run_batch(SMALL, [Variant("a"), Variant("A")], out_dir=tmp_path)
    assert not any(tmp_path.iterdir())
