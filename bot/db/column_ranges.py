"""What ``node_stats_cache`` can hold, and the values of a cycle that it cannot.

A tracker may send a number no column takes (a weight of 10^15 into ``voting_weight DECIMAL(20,8)``, a
job count of 2^40 into ``jobs_day INTEGER``, a NaN rate into the ``details`` JSON). One such value
must never fail the cycle's transaction: :func:`fit_to_columns` stores it as unknown (NULL) instead,
which keeps its meaning (nothing believable was said), and returns what it changed so the poller
counts it. Status, reason and every other field of that node are written as usual.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from bot.domain.node_stats import NodeStats, ParticipantView

INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1
#: DECIMAL(20, 8): 12 digits before the point
DECIMAL_20_8_LIMIT = 10**12


def _int_in(value: int | None, low: int, high: int) -> bool:
    return value is None or low <= value <= high


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def out_of_range(v: ParticipantView) -> dict[str, None]:
    """The fields of ``v`` that no column can hold, each mapped to its stored value (unknown)."""
    bad: dict[str, None] = {}
    if not _int_in(v.weight, -INT8_MAX, DECIMAL_20_8_LIMIT - 1):  # voting_weight (and $7::int8[])
        bad["weight"] = None
    if not _int_in(v.inference_count, -INT4_MAX, INT4_MAX):  # jobs_day INTEGER
        bad["inference_count"] = None
    if not _finite(v.missed_rate):  # uptime_percent and details
        bad["missed_rate"] = None
    if not _finite(v.invalidation_rate):
        bad["invalidation_rate"] = None
    return bad


def fit_to_columns(stats: Sequence[NodeStats]) -> Counter[tuple[str, str]]:
    """Replace, in place, every view value no column can hold by None; (source, field) -> values.

    A view shared by several watched nodes is fixed (and counted) once."""
    counts: Counter[tuple[str, str]] = Counter()
    fixed: dict[int, ParticipantView] = {}
    for s in stats:
        v = s.view
        if v is None:
            continue
        done = fixed.get(id(v))
        if done is None:
            bad = out_of_range(v)
            done = replace(v, **bad) if bad else v  # type: ignore[arg-type]
            for name in bad:
                counts[(s.source or "-", name)] += 1
            fixed[id(v)] = done
        s.view = done
    return counts
