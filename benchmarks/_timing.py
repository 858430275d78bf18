"""Shared timing helper for the benchmark scripts."""

from __future__ import annotations

import time


def best_of(fn, repeat: int = 3):
    """Run ``fn`` ``repeat`` times; return the best wall time (s) and the last result."""
    best, value = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t)
    return best, value
