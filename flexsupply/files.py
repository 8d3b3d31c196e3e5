"""Writing output files so that a reader never sees half a file, and checking where they go.

``check_folder`` and ``check_file`` say before any work whether an output can be written there,
so a command does not solve for minutes and then fail; ``write_atomic`` turns a failure while
writing (a full disk, a folder removed meanwhile) into an ``OutputError`` naming the file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flexsupply.errors import FlexsupplyError


class OutputError(FlexsupplyError):
    """An output file or folder that cannot be written; the message names it and says why."""

    exit_code = 1


def check_folder(path: str | Path) -> Path:
    """Checks that files can be written into the folder ``path`` (made later if missing).

    Nothing is created: the folder, or its nearest existing parent, must be a folder this
    process may write in.

    Returns:
        The path.

    Raises:
        OutputError: a file stands where the folder (or a parent) would be, or writing there
            is not allowed (permissions, read-only file system).
    """
    return _check_folder(Path(path), Path(path))


def _check_folder(folder: Path, named: Path) -> Path:
    """Checks the folder ``folder``; problems name ``named`` (the folder, or a file in it)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write to {named}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {named}: no permission to write in {existing}")
    return folder


def check_file(path: str | Path) -> Path:
    """Checks that the file ``path`` can be written (its folder made if missing).

    Returns:
        The path.

    Raises:
        OutputError: ``path`` is a folder, or its folder cannot be written (``check_folder``).
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write to {target}: it is a folder, not a file")
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"cannot write to {target}: no permission to replace it")
    _check_folder(target.parent, target)
    return target


def write_atomic(path: str | Path, write: Callable[[str], object]) -> Path:
    """Has ``write`` fill a fresh temporary file beside ``path``, then renames it over ``path``.

    ``write`` gets the temporary file's path (e.g. ``workbook.save``). Creates missing parent
    folders; the temporary file is removed if writing fails.

    Returns:
        The path written.

    Raises:
        OutputError: the file or its folder cannot be written; the message says why.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Writes ``text`` (UTF-8) to ``path`` through ``write_atomic``.

    Returns:
        The path written.

    Raises:
        OutputError: the file cannot be written.
    """
    return write_atomic(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


__all__ = ["OutputError", "check_file", "check_folder", "write_atomic", "write_text_atomic"]
