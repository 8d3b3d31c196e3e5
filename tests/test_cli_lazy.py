"""The command line starts at once: commands load on demand; scenarios in any form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import flexsupply as fs
from flexsupply.cli import COMMANDS, main

HEAVY = ("numpy", "scipy", "pydantic")
CHECK = """
import sys
from flexsupply.cli import main
try:
    main([{args}], prog_name="flexsupply")
except SystemExit:
    pass
print("heavy:", [name for name in {heavy} if name in sys.modules])
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_neither_numpy_scipy_nor_pydantic(args: list[str]) -> None:
    code = CHECK.format(args=", ".join(map(repr, args)), heavy=HEAVY)

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.strip().splitlines()[-1] == "heavy: []"


def test_importing_flexsupply_imports_no_engine() -> None:
    code = "import sys, flexsupply; print(sorted(set(sys.modules) & {'numpy', 'pydantic'}))"

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_list_says_what_each_command_says_of_itself(name: str) -> None:
    command = main.get_command(click.Context(main), name)

    assert command is not None
    assert (command.help or "").split("\n\n")[0].replace("\n", " ") == COMMANDS[name]


def test_an_unknown_command_is_a_usage_error() -> None:
    code, output = run("solv")

    assert code == 2
    assert "No such command 'solv'" in output


def test_convert_yaml_to_workbook_to_csv_to_yaml_keeps_the_scenario(tmp_path: Path) -> None:
    source = Path(__file__).parent / "data" / "cli" / "small.yaml"

    assert run("convert", str(source), str(tmp_path / "s.xlsx"))[0] == 0
    assert run("convert", str(tmp_path / "s.xlsx"), str(tmp_path / "csv"))[0] == 0
    code, output = run("convert", str(tmp_path / "csv"), str(tmp_path / "back.yaml"))

    assert code == 0
    assert output == f"Wrote {tmp_path / 'back.yaml'}\n"
    assert fs.load(tmp_path / "back.yaml") == fs.load(source)


def test_convert_a_bad_file_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    source = Path(__file__).parent / "data" / "cli" / "bad.yaml"

    code, output = run("convert", str(source), str(tmp_path / "s.xlsx"))

    assert code == 1
    assert "must be ≥ 0, got -5" in output
    assert not (tmp_path / "s.xlsx").exists()


def test_init_format_xlsx_writes_a_workbook_that_validates_and_solves(tmp_path: Path) -> None:
    code, output = run("init", "--template", "minimal", "--format", "xlsx", str(tmp_path))

    assert code == 0
    assert output.startswith(f"Wrote {tmp_path / 'minimal.xlsx'}\n")
    assert run("validate", str(tmp_path / "minimal.xlsx")) == (
        0,
        f"{tmp_path / 'minimal.xlsx'}: ok (1 product, 1 supplier, 4 periods, 1 demand scenario)\n",
    )
    code, output = run("solve", str(tmp_path / "minimal.xlsx"), "--set", "products.0.price=50")
    assert code == 0
    assert output.startswith("minimal: optimal")


def test_validate_a_bad_workbook_names_the_cell(tmp_path: Path) -> None:
    run("init", "--template", "minimal", "--format", "xlsx", str(tmp_path))
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "minimal.xlsx")
    header = [cell.value for cell in book["supplier_terms"][1]]
    column = header.index("moq") + 1
    book["supplier_terms"].cell(row=2, column=column, value=-5)
    book.save(tmp_path / "minimal.xlsx")

    code, output = run("validate", str(tmp_path / "minimal.xlsx"))

    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[column - 1]
    assert code == 1
    assert output.splitlines()[1] == (
        f"  {tmp_path / 'minimal.xlsx'}!supplier_terms!{letter}2  "
        "suppliers[0].terms[0].moq: must be ≥ 0, got -5"
    )


@pytest.mark.parametrize("form", ["minimal.xlsx", "minimal-csv"])
def test_commands_that_read_a_scenario_take_a_workbook_or_a_csv_folder(
    tmp_path: Path, form: str
) -> None:
    template = Path(fs.__file__).parent / "scenario" / "templates" / "minimal.yaml"
    run("convert", str(template), str(tmp_path / form))
    scenario = str(tmp_path / form)

    code, compared = run("compare", scenario, str(template))
    assert code == 0
    assert compared.splitlines()[1].split()[-2:] == ["23,872", "23,872"]
    code, batch = run("batch", scenario, "--sweep", "products.0.price=[50]", "--workers", "1")
    assert code == 0
    assert "price=50: optimal" in batch
    code, simulated = run("simulate", scenario, "--samples", "5")
    assert code == 0
    assert simulated.startswith("minimal: 5 samples")


def test_public_names_stay_what_they_were_after_their_subpackage_is_imported() -> None:
    code = (
        "import flexsupply as fs, flexsupply.solve.engine, flexsupply.scenario.sources\n"
        "print(type(fs.solve).__name__, type(fs.load).__name__, fs.solve is fs.solve)"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert done.stdout.split() == ["function", "function", "True"]
