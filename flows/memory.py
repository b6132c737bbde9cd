"""The process's memory between the steps of a run (issue 16: a 5,000-unit run within 2 GiB)."""

from __future__ import annotations

import ctypes


def release_free_memory() -> None:
    """Give the free pages of the C heap back to the system (glibc's `malloc_trim`): the
    lists and strings a step makes of a million rows (matching, the bulletin's layout) are
    freed into the heap, which otherwise keeps them for the rest of the process while the
    statements are rendered beside it. Nothing where the C library has no such call."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
