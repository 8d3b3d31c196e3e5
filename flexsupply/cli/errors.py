"""Library errors shown as one message and a documented exit code, never a traceback."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from flexsupply.errors import FlexsupplyError

INTERRUPTED_EXIT = 130
"""Exit code of a command stopped by Ctrl-C (128 + SIGINT)."""

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(command: F) -> F:
    """Returns ``command`` wrapped so a ``FlexsupplyError`` prints and exits with its code.

    Ctrl-C that reaches the command (``KeyboardInterrupt``) prints ``Interrupted.`` and exits
    with 130. The root option ``--debug`` adds the traceback.
    """

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except FlexsupplyError as error:
            if debug:
                traceback.print_exc()
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            if debug:
                traceback.print_exc()
            click.echo("\nInterrupted.", err=True)
            sys.exit(INTERRUPTED_EXIT)

    return wrapper  # type: ignore[return-value]
