"""Pointing a file descriptor elsewhere for a while: C code (HiGHS) writes to fd 1 directly."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def fd_redirected(fd: int, target: int) -> Iterator[None]:
    """Makes ``fd`` write where ``target`` writes until the block ends, then restores it."""
    saved = os.dup(fd)
    os.dup2(target, fd)
    try:
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
