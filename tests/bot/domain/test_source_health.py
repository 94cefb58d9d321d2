"""One source's health across cycles: the rule the poller writes and the alert engine reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.source_health import SourceHealth, SourcePoll, Transition, advance

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def run(outcomes: list[bool], degraded_after: int = 3) -> list[tuple[SourceHealth, Transition | None]]:
    health: SourceHealth | None = None
    out = []
    for minute, ok in enumerate(outcomes):
        at = T0 + timedelta(minutes=minute)
        poll = SourcePoll(
            "hyperfusion", ok, None if ok else "HTTP 503", 105 if ok else None, at if ok else None
        )
        health, transition = advance(health, poll, at, degraded_after)
        out.append((health, transition))
    return out


def test_degraded_once_after_the_threshold_and_restored_once() -> None:
    steps = run([True, False, False, False, False, True, True])
    assert [t for _, t in steps] == [None, None, None, Transition.DEGRADED, None, Transition.RESTORED, None]
    degraded = steps[3][0]
    assert degraded.degraded and degraded.degraded_since == T0 + timedelta(minutes=3)
    assert degraded.consecutive_failures == 3 and degraded.last_error == "HTTP 503"
    restored = steps[5][0]
    assert not restored.degraded and restored.degraded_since is None and restored.consecutive_failures == 0


def test_counters_epoch_and_freshness_move_only_forward() -> None:
    final = run([True, False, True])[-1][0]
    assert (final.polls_ok, final.polls_failed) == (2, 1)
    assert final.last_epoch_id == 105
    assert final.last_fetched_at == T0 + timedelta(minutes=2)  # the last successful snapshot
    assert final.last_ok_at == T0 + timedelta(minutes=2) and final.last_failure_at == T0 + timedelta(
        minutes=1
    )


def test_a_failure_keeps_the_last_snapshot_time() -> None:
    steps = run([True, False])
    assert steps[1][0].last_fetched_at == steps[0][0].last_fetched_at == T0
