"""The supervisor: failures contained and retried with capped, jittered backoff; alerts once down too
long and once back; cancellation (SIGTERM) still ends everything. Clock and sleep are injected."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import ComponentsConfig
from bot.metrics import Metrics
from bot.supervisor import ComponentChange, Supervisor


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Failing:
    """Fails at start ``fail_times`` times, then runs until cancelled."""

    def __init__(self, name: str, fail_times: int) -> None:
        self.name = name
        self.fail_times = fail_times
        self.starts = 0
        self.running = asyncio.Event()

    async def run(self) -> None:
        self.starts += 1
        if self.starts <= self.fail_times:
            raise PermissionError("401: Unauthorized")
        self.running.set()
        await asyncio.Event().wait()


def test_backoff_doubles_is_capped_and_jittered() -> None:
    sup = Supervisor(ComponentsConfig(restart_backoff_base_s=1, restart_backoff_max_s=60), Metrics())
    for n in range(1, 20):
        ideal = min(2.0 ** (n - 1), 60)
        delays = {sup.backoff(n) for _ in range(20)}
        assert all(0.8 * ideal <= d <= 1.2 * ideal for d in delays)
        assert len(delays) > 1  # jittered: replicas do not retry in step


async def test_a_failing_component_is_retried_while_the_others_run_and_cancel_ends_all() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    metrics = Metrics()
    sup = Supervisor(
        ComponentsConfig(restart_backoff_base_s=1, restart_backoff_max_s=4), metrics, sleep=sleep
    )
    healthy, broken = Failing("telegram", 0), Failing("discord", 5)
    tasks = [asyncio.create_task(sup.supervise(c)) for c in (healthy, broken)]
    async with asyncio.timeout(5):
        await broken.running.wait()
    assert healthy.starts == 1  # never disturbed
    assert broken.starts == 6
    for delay, ideal in zip(slept, [1, 2, 4, 4, 4], strict=True):
        assert 0.8 * ideal <= delay <= 1.2 * ideal
    assert sup.down() == []
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)
    assert metrics.component_up.labels("discord")._value.get() == 0


async def test_admins_are_alerted_once_when_down_too_long_and_once_when_back() -> None:
    clock = FakeClock()
    changes: list[ComponentChange] = []

    async def sink(change: ComponentChange) -> None:
        changes.append(change)

    gate = asyncio.Event()

    async def sleep(seconds: float) -> None:
        await gate.wait()

    metrics = Metrics()
    sup = Supervisor(
        ComponentsConfig(alert_after_s=300, healthy_after_s=60), metrics, alert=sink, clock=clock, sleep=sleep
    )
    broken = Failing("discord", 1)
    task = asyncio.create_task(sup.supervise(broken))
    await asyncio.sleep(0.01)  # failed once, waiting for its backoff
    assert sup.down() == ["discord"]
    assert metrics.component_up.labels("discord")._value.get() == 0
    clock.now += 299
    await sup.check_alerts()
    assert changes == []
    clock.now += 2
    await sup.check_alerts()
    await sup.check_alerts()
    assert [(c.component, c.back) for c in changes] == [("discord", False)]
    assert changes[0].error == "PermissionError: 401: Unauthorized"
    gate.set()  # restart
    await asyncio.wait_for(broken.running.wait(), 5)
    await sup.check_alerts()
    assert len(changes) == 1  # not back until it has stayed up
    clock.now += 61
    await sup.check_alerts()
    await sup.check_alerts()
    assert [(c.component, c.back) for c in changes] == [("discord", False), ("discord", True)]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
