"""Pointing a file descriptor elsewhere for a while: C code (HiGHS) writes to fd 1 directly."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def fd_redirected(fd: int, target: int) -> Iterator[None]:
    """Makes ``fd`` write where ``target`` writes until the block ends, then restores it.

    C code buffers what it prints (HiGHS's banner sits in the C library's stdout buffer), so
    the buffers are flushed before ``fd`` points back: otherwise the text would leave later,
    through the restored descriptor.
    """
    _flush_c_streams()
    saved = os.dup(fd)
    os.dup2(target, fd)
    try:
        yield
    finally:
        _flush_c_streams()
        os.dup2(saved, fd)
        os.close(saved)


def _flush_c_streams() -> None:
    """Flushes every C ``FILE`` stream of the process (``fflush(NULL)``), where there is a libc."""
    try:
        libc = ctypes.CDLL(None)
        libc.fflush(None)
    except (OSError, AttributeError):  # no C library to reach (some platforms)
        return


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Sends what is written to stdout, by Python or by C code, to stderr until the block ends.

    Commands print their result on stdout; engines such as HiGHS print a banner or a log from C
    code straight to file descriptor 1, so the descriptor itself is redirected where there is
    one (``sys.stdout`` alone for in-memory streams, as under a test runner).
    """
    sys.stdout.flush()
    try:
        stdout_fd, stderr_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        with contextlib.redirect_stdout(sys.stderr):
            yield
        return
    with fd_redirected(stdout_fd, stderr_fd), contextlib.redirect_stdout(sys.stderr):
        try:
            yield
        finally:
            sys.stderr.flush()
