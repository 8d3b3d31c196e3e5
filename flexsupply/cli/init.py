"""`flexsupply init`: write a commented starter scenario and the schema editors read."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors
from flexsupply.scenario.starter import TEMPLATES


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--template",
    type=click.Choice(TEMPLATES),
    default=TEMPLATES[0],
    show_default=True,
    help="Which starter: a spring drop with a livestream, a Double-11 deposit presale, a "
    "community group-buy, or a minimal one-style season.",
)
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@friendly_errors
def init(folder: Path, template: str, force: bool) -> None:
    """Write a commented starter scenario into FOLDER, with scenario.schema.json beside it.

    The scenario's first line points editors (VS Code with the YAML extension) at the schema,
    for completion and checks as you type. Existing files are kept unless --force is given.

    Example: flexsupply init --template double11 my-season/
    """
    from flexsupply.scenario.starter import write_starter

    files = write_starter(folder, template, force=force)
    for path, written in files:
        click.echo(f"Wrote {path}" if written else f"Kept {path} (already up to date)")
    click.echo(f"\nNext: flexsupply solve {files[0].path}")
