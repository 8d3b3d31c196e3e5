"""Output locations: checked before any work, and a failed write is a message, not a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from flexsupply.cli import main
from flexsupply.files import OutputError, check_file, check_folder, write_text_atomic

SMALL = Path(__file__).parent / "data" / "cli" / "small.yaml"


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "taken"
    path.write_text("a file, not a folder", encoding="utf-8")
    return path


def test_a_missing_folder_under_a_writable_one_is_fine(tmp_path: Path) -> None:
    target = tmp_path / "new" / "deeper"

    assert check_folder(target) == target
    assert check_file(target / "plan.json") == target / "plan.json"
    assert not (tmp_path / "new").exists()


def test_a_file_where_a_folder_must_be_is_refused(a_file: Path) -> None:
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_folder(a_file / "out")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        check_file(a_file / "out" / "plan.json")


def test_a_folder_where_a_file_must_be_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder, not a file"):
        check_file(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_without_write_permission_is_refused(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="no permission"):
            check_folder(tmp_path / "out")
    finally:
        tmp_path.chmod(0o755)


def test_a_write_that_fails_is_an_output_error_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)

    with pytest.raises(OutputError, match=r"cannot write .*plan.json: No space left on device"):
        write_text_atomic(tmp_path / "plan.json", "{}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["solve", str(SMALL), "--out-dir", "{file}/out"], id="solve"),
        pytest.param(
            [
                "batch",
                str(SMALL),
                "--sweep",
                "products.DRESS-01.price=[90]",
                "--out-dir",
                "{file}/o",
            ],
            id="batch",
        ),
        pytest.param(["init", "{file}/season"], id="init"),
        pytest.param(["schema", "-o", "{file}/schema.json"], id="schema"),
        pytest.param(
            ["simulate", str(SMALL), "--samples", "2", "--out", "{file}/r.json"], id="simulate"
        ),
        pytest.param(["report", str(SMALL), "-o", "{file}/report.html"], id="report"),
    ],
)
def test_every_command_checks_where_it_writes_before_solving(
    command: list[str], a_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flexsupply.solve import engine

    def no_solve(*_: object, **__: object) -> None:
        pytest.fail("solved before checking where the output goes")

    monkeypatch.setattr(engine, "solve", no_solve)
    arguments = [part.replace("{file}", str(a_file)) for part in command]

    result = CliRunner().invoke(main, arguments)

    assert result.exit_code == 1, result.output
    assert "Error: cannot write to" in result.output
    assert f"{a_file} is a file, not a folder" in result.output
    assert "Traceback" not in result.output
