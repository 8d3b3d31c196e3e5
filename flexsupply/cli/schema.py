"""`flexsupply schema`: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

from pathlib import Path

import click

from flexsupply.cli.errors import friendly_errors


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the schema to this file instead of printing it.",
)
@friendly_errors
def schema(output: Path | None) -> None:
    """Print the JSON Schema of scenario files, with a description of every field.

    Point your editor at it for completion and checks: in VS Code with the YAML extension, put
    `# yaml-language-server: $schema=scenario.schema.json` on a scenario's first line.

    Example: flexsupply schema -o scenario.schema.json
    """
    from flexsupply.files import check_file, write_text_atomic
    from flexsupply.scenario.json_schema import schema_text

    if output is not None:
        check_file(output)
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
        return
    write_text_atomic(output, text)
    click.echo(f"Wrote {output}")
