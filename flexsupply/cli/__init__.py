"""The ``flexsupply`` command: a thin shell over the library, one module per command.

Exit codes: 0 ok, 1 bad input (scenario or solver choice), 2 usage error, 3 no plan.
"""

from __future__ import annotations

import click

from flexsupply.cli.batch import batch
from flexsupply.cli.compare import compare
from flexsupply.cli.forecast import forecast
from flexsupply.cli.init import init
from flexsupply.cli.replan import replan
from flexsupply.cli.report import report
from flexsupply.cli.schema import schema
from flexsupply.cli.simulate import simulate
from flexsupply.cli.solve import solve
from flexsupply.cli.solvers import solvers
from flexsupply.cli.validate import validate


@click.group()
@click.version_option(package_name="flexsupply")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def main(debug: bool) -> None:
    """Plan presale production, supplier choice and reorders from scenario files.

    Exit codes: 0 ok, 1 bad input, 2 usage error, 3 no plan.

    Example: flexsupply init season && flexsupply solve season/spring-drop.yaml
    """


for _command in (validate, solve, forecast, simulate, replan):
    main.add_command(_command)
for _command in (init, schema, solvers):
    main.add_command(_command)
main.add_command(compare)
main.add_command(report)
main.add_command(batch)
