"""Timing helpers shared by the benchmark scripts (run by hand, never in tests)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_us(step: Callable[[], object], *, calls: int, rounds: int) -> float:
    """The median over ``rounds`` of the mean µs per call of ``calls`` calls, after a warm-up."""
    for _ in range(calls):
        step()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(calls):
            step()
        samples.append((time.perf_counter_ns() - start) / calls / 1000)
    return statistics.median(samples)
