"""Pointing a file descriptor elsewhere for a while: C code (HiGHS) writes to fd 1 directly."""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import re
import sys
import threading
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


@contextlib.contextmanager
def c_stdout_hidden() -> Iterator[None]:
    """Sends what C code writes to stdout (file descriptor 1) to /dev/null until the block ends.

    HiGHS prints a banner when created. Descriptor 1 itself is redirected, whatever
    ``sys.stdout`` is: inside ``stdout_to_stderr`` it is ``sys.stderr``, while C code still
    writes to descriptor 1 (which then leads to stderr).
    """
    sys.stdout.flush()
    try:
        os.fstat(1)
    except OSError:  # pragma: no cover - no file descriptor 1 at all
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        with fd_redirected(1, devnull):
            yield
    finally:
        os.close(devnull)


@contextlib.contextmanager
def fd_filtered(fd: int, drop: re.Pattern[bytes]) -> Iterator[None]:
    """Drops the lines matching ``drop`` from what is written to ``fd`` until the block ends.

    Everything else is passed on as it comes (a progress line without its newline too), by a
    thread reading a pipe that ``fd`` points to meanwhile; only a line starting with ``[``
    waits for its newline, to be matched whole. Where ``fd`` is not open the block runs
    unchanged.
    """
    try:
        os.fstat(fd)
    except OSError:  # pragma: no cover - no such descriptor (some embedded interpreters)
        yield
        return
    _flush_c_streams()
    sys.stderr.flush()
    saved = os.dup(fd)
    reader, writer = os.pipe()
    os.dup2(writer, fd)
    os.close(writer)
    forwarder = threading.Thread(target=_forward, args=(reader, saved, drop), daemon=True)
    forwarder.start()
    try:
        yield
    finally:
        _flush_c_streams()
        sys.stderr.flush()
        os.dup2(saved, fd)  # closes the pipe's last write end: the forwarder reads its end
        forwarder.join(timeout=5.0)
        os.close(saved)


def _forward(reader: int, out: int, drop: re.Pattern[bytes]) -> None:
    """Copies ``reader`` to ``out`` until end of file, leaving out lines that match ``drop``."""
    held = b""
    mid_line = False
    try:
        while chunk := os.read(reader, 65536):
            held += chunk
            while held:
                if mid_line or not held.startswith(b"["):
                    end = held.find(b"\n")
                    part, held = (held, b"") if end < 0 else (held[: end + 1], held[end + 1 :])
                    os.write(out, part)
                    mid_line = end < 0
                    continue
                end = held.find(b"\n")
                if end < 0:
                    break
                line, held = held[: end + 1], held[end + 1 :]
                if not drop.match(line):
                    os.write(out, line)
        if held:
            os.write(out, held)
    finally:
        os.close(reader)
