"""The one exception family of flexsupply, and the CLI exit code of each member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self


class FlexsupplyError(Exception):
    """Base of every error flexsupply raises on purpose.

    Each member pickles with the arguments it was made with, whatever its ``__init__`` takes,
    so one raised in a worker process reaches the parent with its fields intact.
    """

    exit_code = 1
    _made_with: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        """Returns a new error that remembers the arguments it is made with, for ``__reduce__``."""
        error = super().__new__(cls, *args)
        error._made_with = (args, kwargs)
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        """Returns how pickle rebuilds this error: its class called with its first arguments."""
        args, kwargs = self._made_with
        return (_rebuild, (type(self), args, kwargs), self.__dict__)


def _rebuild(cls: type[FlexsupplyError], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Returns ``cls(*args, **kwargs)``; pickle calls it to rebuild a ``FlexsupplyError``."""
    return cls(*args, **kwargs)


@dataclass(frozen=True)
class Problem:
    """One problem found in a scenario file: where it is and what is wrong."""

    loc: tuple[str | int, ...]
    """Location in the scenario data, e.g. ``("suppliers", 2, "moq")`` (empty: the whole file)."""
    message: str
    """What was expected and what was found."""
    file: str | None = None
    """File the problem is in, when the scenario came from a file."""
    line: int | None = None
    """1-based line number in ``file``."""
    column: int | None = None
    """1-based column number in ``file``."""
    sheet: str | None = None
    """Sheet of a workbook, or table of data frames, the problem is in."""
    cell: str | None = None
    """Cell in ``sheet``, e.g. ``D7`` (or ``row 4, moq`` in a data frame); None: the whole sheet."""

    @property
    def path(self) -> str:
        """Returns the field path in dotted form, e.g. ``suppliers[2].terms[0].moq``."""
        return format_loc(self.loc)

    def __str__(self) -> str:
        where = ""
        if self.sheet is not None:
            where = "!".join(part for part in (self.file, self.sheet, self.cell) if part) + "  "
        elif self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += "  "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"


def format_loc(loc: tuple[str | int, ...]) -> str:
    """Returns a location tuple as a field path: ``("suppliers", 2, "moq")`` → ``suppliers[2].moq``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class ScenarioError(FlexsupplyError):
    """A scenario that cannot be used; carries every problem found, not only the first."""

    exit_code = 1

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        head = f"{count} {noun} in {self.source}" if self.source else f"{count} {noun}"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])


class BackendError(FlexsupplyError):
    """An unknown solver, or one whose library is not installed (the message says how to install)."""

    exit_code = 1


class SolveError(FlexsupplyError):
    """No plan could be made; ``status`` says why in solver terms, the message in business terms."""

    exit_code = 3

    def __init__(self, message: str, status: str, reasons: list[str] | None = None) -> None:
        self.status = status
        self.reasons = reasons or []
        lines = [message, *(f"  - {reason}" for reason in self.reasons)]
        super().__init__("\n".join(lines))


class MethodError(FlexsupplyError):
    """An unknown solve method or executor, or one that cannot run here (e.g. Dask missing)."""

    exit_code = 1
