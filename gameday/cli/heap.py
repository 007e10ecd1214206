"""Tell glibc's allocator to keep freed memory for a short batch computation.

Whole-range rule evaluation makes and drops thousands of numpy arrays of a few hundred
kilobytes. glibc serves blocks that size with ``mmap`` and gives them back on ``free``
(its threshold only rises once a block that size has been freed), and it returns the top
of the heap to the system past a trim threshold; every new array then costs fresh page
faults, about a fifth of the CPU time of ``gameday rules test`` on a month of data. A
short-lived command that holds its data until it exits loses nothing by keeping the
pages: the two ``mallopt`` settings below are glibc's own tunables
(``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` in the environment do the same
before a process starts). Elsewhere (musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's ceiling for the threshold on 64-bit
_TRIM_THRESHOLD = 2 * _MMAP_THRESHOLD


def keep_freed_memory() -> bool:
    """Serve blocks under 32 MiB from the heap and do not trim it; True when applied."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (no mallopt), or no libc handle
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
    return mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1 and ok
