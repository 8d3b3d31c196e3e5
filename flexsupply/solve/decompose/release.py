"""Hands memory the process has freed back to the system, between the big steps at scale.

glibc keeps the heap memory of freed small and medium objects for reuse; the big arrays of
later steps are mapped apart from it, so what the model build and the partition freed stayed
resident beside them. At 500x20x26x2 the build left 103 MiB resident for a program of 12 MiB;
``malloc_trim`` gave back 62 MiB of it (``benchmarks/results/decompose-scale.md``, memory).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any


@functools.cache
def _libc() -> Any:
    """Returns the C library when it is glibc (it has ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def release_freed() -> bool:
    """Returns freed heap memory to the system where the C library can (glibc).

    Returns:
        Whether any memory was given back (False on other C libraries, where it is a no-op).
    """
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
