"""Exponential backoff with full jitter, the rule of the .NET and JavaScript clients."""

from __future__ import annotations

import random


def backoff_bounds(attempt: int, min_delay: float, max_delay: float) -> tuple[float, float]:
    """The range (seconds) the delay before retry number ``attempt`` (0 for the first retry after a loss) is drawn
    from: ``min_delay`` .. ``min(max_delay, min_delay * 2 ** (attempt + 1))``."""
    if attempt < 0:
        raise ValueError("attempt must be 0 or more")
    low = max(0.0, min_delay)
    high = max(low, max_delay)
    # Capped exponent: retrying forever must not overflow.
    ceiling = min(high, low * 2 ** (min(attempt, 61) + 1))
    return low, max(ceiling, low)


def backoff_delay(attempt: int, min_delay: float, max_delay: float, rand: float | None = None) -> float:
    """The delay before retry number ``attempt``: a uniformly random point in :func:`backoff_bounds`, so that the
    clients of a restarted server do not all come back at the same moment. ``rand`` in [0, 1) makes it pure."""
    low, high = backoff_bounds(attempt, min_delay, max_delay)
    jitter = random.random() if rand is None else min(1.0, max(0.0, rand))
    return low + (high - low) * jitter
