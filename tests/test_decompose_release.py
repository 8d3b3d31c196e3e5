"""Freed heap memory goes back to the system (glibc), and the call is safe anywhere."""

from __future__ import annotations

import sys

import pytest

from flexsupply.solve.decompose.release import release_freed


def resident_kib() -> int:
    """Returns this process's resident memory [KiB]."""
    with open("/proc/self/status", encoding="ascii") as stream:
        for line in stream:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_memory_freed_by_small_objects_goes_back_to_the_system() -> None:
    release_freed()
    before = resident_kib()
    # 200 MB of small objects (below glibc's mmap threshold): freed, they stay on the heap.
    kept = [bytearray(1000) for _ in range(200_000)]
    grown = resident_kib()
    del kept
    freed = release_freed()
    after = resident_kib()
    assert grown - before > 150_000
    assert freed
    assert after - before < (grown - before) / 2
