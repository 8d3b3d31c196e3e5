"""Writing output files so that a reader never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | Path, write: Callable[[str], object]) -> Path:
    """Has ``write`` fill a fresh temporary file beside ``path``, then renames it over ``path``.

    ``write`` gets the temporary file's path (e.g. ``workbook.save``). Creates missing parent
    folders; the temporary file is removed if writing fails.

    Returns:
        The path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Writes ``text`` (UTF-8) to ``path`` through ``write_atomic``.

    Returns:
        The path written.
    """
    return write_atomic(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))
