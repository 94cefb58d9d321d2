"""Per-person limits on what reaches the bot: commands, button presses and form answers.

One :class:`Throttle` per process, shared by the Telegram middleware and the Discord gate, keeps a
token bucket per platform identity: a burst of ``limits.actions_burst``, then ``limits.actions_per_min``
a minute. Over the limit, the first refusal of a minute asks the person to slow down
(:func:`slow_down`), the rest are dropped without an answer, so a flood costs the bot neither send
budget nor handler time and the alerts and the other users' replies go on. Memory is bounded: the
least recently seen identities are forgotten beyond ``limits.max_tracked_identities``.

Support requests have their own limit per account (``limits.requests_per_hour``), kept in PostgreSQL
by :class:`~bot.services.requests.RequestsService` (it holds across replicas and restarts).
"""

from __future__ import annotations

import enum
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import LimitsConfig
from bot.i18n.catalogs import N_, Translator
from bot.render.message import Message

SLOW_DOWN_TITLE = N_("Slow down")
SLOW_DOWN_TEXT = N_(
    "You are sending commands faster than I can answer them. Please wait a minute, then try again."
)


def slow_down(t: Translator) -> Message:
    """The "slow down" notice in the person's language (a button press shows only the title)."""
    return Message.text(t(SLOW_DOWN_TEXT), title=t(SLOW_DOWN_TITLE), severity="warning")


class Verdict(enum.Enum):
    ALLOW = "allow"
    #: refused; tell the person to slow down (at most once per ``slow_down_notice_s``)
    SLOW_DOWN = "slow_down"
    #: refused silently
    DROP = "drop"


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    told_at: float = -math.inf


class Throttle:
    def __init__(self, config: LimitsConfig, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_s = config.actions_per_min / 60.0
        self._burst = float(config.actions_burst)
        self._notice_s = config.slow_down_notice_s
        self._max = config.max_tracked_identities
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        #: refusals by verdict since start (for metrics and benches)
        self.refused = {Verdict.SLOW_DOWN: 0, Verdict.DROP: 0}

    def __len__(self) -> int:
        return len(self._buckets)

    def check(self, platform: str, identity: str) -> Verdict:
        """Whether one more action of ``identity`` on ``platform`` is handled now."""
        now = self._clock()
        key = (platform, identity)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(tokens=self._burst, stamp=now)
            if len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.stamp) * self._per_s)
            bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        verdict = Verdict.DROP
        if now - bucket.told_at >= self._notice_s:
            bucket.told_at = now
            verdict = Verdict.SLOW_DOWN
        self.refused[verdict] += 1
        return verdict
