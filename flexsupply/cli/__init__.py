"""The ``flexsupply`` command: a thin shell over the library, one module per command.

Commands load on demand: ``flexsupply --version`` and ``--help`` import no command module (and so
neither numpy, scipy nor pydantic); ``flexsupply solve`` imports only ``cli/solve.py`` and what it
uses. Exit codes: 0 ok, 1 bad input (scenario or solver choice), 2 usage error, 3 no plan.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "validate": "Check scenario FILES and report every problem with file:line.",
    "solve": "Solve scenario FILE and print a summary of the plan.",
    "forecast": "Print per style the season demand forecast of FILE's signals or distributions.",
    "simulate": "Evaluate a plan's first stage on fresh demand samples of FILE.",
    "replan": "Replan the rest of the season of FILE from its actuals.",
    "convert": "Convert scenario IN to OUT: YAML, workbook (.xlsx) or a folder of CSV files.",
    "init": "Write a commented starter scenario into FOLDER, with scenario.schema.json beside it.",
    "schema": "Print the JSON Schema of scenario files, with a description of every field.",
    "solvers": "List the solver profiles for --solver and the engines installed here.",
    "compare": "Compare plans side by side, one column per input.",
    "report": "Write an HTML report of a plan: KPIs, charts and the orders, viewable offline.",
    "batch": "Solve what-if variants of scenario FILE and compare their KPIs side by side.",
}
"""Each command's name and the first paragraph of its help, shown by ``flexsupply --help``
without importing the command (``tests/test_cli_lazy.py`` checks they match)."""


class LazyGroup(click.Group):
    """A group that imports ``flexsupply.cli.<name>`` only when command ``name`` is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Returns the command names, sorted."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Returns the command ``cmd_name``, importing its module (None if there is none)."""
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(f"flexsupply.cli.{cmd_name}")
        command: click.Command = getattr(module, cmd_name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Writes the command list of ``--help`` from ``COMMANDS``, importing no command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # A bare Command shortens the summary exactly as the real command would its help.
        rows = [
            (name, click.Command(name, help=COMMANDS[name]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.version_option(package_name="flexsupply")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def main(debug: bool) -> None:
    """Plan presale production, supplier choice and reorders from scenario files.

    A scenario is a YAML file, a workbook (.xlsx) or a folder of CSV files.

    Exit codes: 0 ok, 1 bad input, 2 usage error, 3 no plan.

    Example: flexsupply init season && flexsupply solve season/spring-drop.yaml
    """
