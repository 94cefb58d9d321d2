"""Per-person limits: a burst, then a steady rate; over it, one "slow down" a minute, then silence;
nobody else is affected; memory stays bounded."""

from __future__ import annotations

from bot.config import LimitsConfig
from bot.services.throttle import Throttle, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, **limits: object) -> Throttle:
    return Throttle(LimitsConfig(**limits), clock=clock)  # type: ignore[arg-type]


def test_a_flood_gets_its_burst_then_one_slow_down_then_nothing() -> None:
    clock = Clock()
    t = throttle(clock, actions_burst=5, actions_per_min=60)
    verdicts = [t.check("telegram", "7") for _ in range(500)]  # 500 commands in the same instant
    assert verdicts[:5] == [Verdict.ALLOW] * 5
    assert verdicts[5] is Verdict.SLOW_DOWN
    assert set(verdicts[6:]) == {Verdict.DROP}


def test_the_slow_down_notice_comes_again_only_after_a_minute() -> None:
    clock = Clock()
    t = throttle(clock, actions_burst=1, actions_per_min=1, slow_down_notice_s=60)
    assert t.check("discord", "7") is Verdict.ALLOW
    assert t.check("discord", "7") is Verdict.SLOW_DOWN
    clock.now += 30
    assert t.check("discord", "7") is Verdict.DROP
    clock.now += 29
    assert t.check("discord", "7") is Verdict.DROP
    clock.now += 2  # a minute after the notice, and the bucket has refilled one
    assert t.check("discord", "7") is Verdict.ALLOW
    assert t.check("discord", "7") is Verdict.SLOW_DOWN


def test_the_limit_refills_at_the_configured_rate() -> None:
    clock = Clock()
    t = throttle(clock, actions_burst=2, actions_per_min=30)  # one every 2 s
    assert [t.check("telegram", "7") for _ in range(2)] == [Verdict.ALLOW] * 2
    clock.now += 1.9
    assert t.check("telegram", "7") is not Verdict.ALLOW
    clock.now += 0.2
    assert t.check("telegram", "7") is Verdict.ALLOW


def test_one_person_flooding_does_not_limit_another() -> None:
    clock = Clock()
    t = throttle(clock, actions_burst=3)
    for _ in range(100):
        t.check("telegram", "flooder")
    assert t.check("telegram", "someone-else") is Verdict.ALLOW
    assert t.check("discord", "flooder") is Verdict.ALLOW  # another platform is another identity


def test_memory_is_bounded_by_the_identities_kept() -> None:
    clock = Clock()
    t = throttle(clock, max_tracked_identities=100)
    for i in range(1000):
        t.check("telegram", str(i))
    assert len(t) == 100
