"""Supervision: one failing component never takes the others down.

Each component (the Telegram bot, the Discord bot, the poller, each delivery worker, the HTTP
server...) runs under :meth:`Supervisor.supervise`. A component whose ``run()`` raises (a revoked
Discord token answered 401 at login, Telegram unreachable at start) or returns is logged, marked
down (``minegnk_component_up{component} 0``, named by ``/readyz``) and started again after an
exponential, capped, jittered backoff, while every other component keeps running. A run that lasted
``components.healthy_after_s`` resets the backoff. ``CancelledError`` (SIGTERM) always propagates.
A component with ``oneshot = True`` (the startup message) is done when ``run()`` returns.

A component down longer than ``components.alert_after_s`` gets one alert to the admin channels of
the platforms still running (through the outbox), and one more when it is back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.config import ComponentsConfig
from bot.metrics import Metrics

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class Component(Protocol):
    name: str

    async def run(self) -> None: ...


@dataclass(slots=True)
class ComponentState:
    name: str
    #: running, and ready when the component says when it is (a ``ready`` event)
    up: bool = False
    up_since: float = 0.0
    #: monotonic time it went down; kept through failed restarts until it has stayed up
    #: ``healthy_after_s`` (None while healthy)
    down_since: float | None = None
    #: wall-clock time it went down (for the alert text)
    down_since_at: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    alerted: bool = False


@dataclass(frozen=True, slots=True)
class ComponentChange:
    """What the alert for a component going down (``back=False``) or coming back says."""

    component: str
    back: bool
    down_since: datetime
    at: datetime
    failures: int
    error: str | None
    #: the platforms whose chat components are running now (the alert can only go there)
    platforms_up: tuple[str, ...]


AlertSink = Callable[[ComponentChange], Awaitable[None]]

#: the chat platform a component belongs to (a platform's admin chat can carry alerts only while
#: both its bot and its delivery worker run)
PLATFORM_COMPONENTS = {
    "telegram": ("telegram", "delivery-telegram"),
    "discord": ("discord", "delivery-discord"),
}


class Supervisor:
    def __init__(
        self,
        config: ComponentsConfig,
        metrics: Metrics,
        *,
        alert: AlertSink | None = None,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._cfg = config
        self._metrics = metrics
        self._alert = alert
        self._clock = clock
        self._sleep = sleep
        self.states: dict[str, ComponentState] = {}

    # ------------------------------------------------------------------ state
    def register(self, names: Sequence[str]) -> None:
        for name in names:
            self.states.setdefault(name, ComponentState(name))

    def down(self) -> list[str]:
        """The components not running now (sorted)."""
        return sorted(s.name for s in self.states.values() if not s.up)

    def report(self) -> dict[str, str]:
        return {s.name: "up" if s.up else "down" for s in sorted(self.states.values(), key=lambda s: s.name)}

    def platforms_up(self) -> tuple[str, ...]:
        return tuple(
            platform
            for platform, names in PLATFORM_COMPONENTS.items()
            if all(n in self.states and self.states[n].up for n in names)
        )

    def backoff(self, failures: int) -> float:
        """Seconds before restart number ``failures`` (1, 2, ...): base * 2^(n-1), capped, +-20 %."""
        delay = min(
            self._cfg.restart_backoff_base_s * 2.0 ** max(failures - 1, 0), self._cfg.restart_backoff_max_s
        )
        return delay * random.uniform(0.8, 1.2)

    def _set_up(self, state: ComponentState) -> None:
        state.up = True
        state.up_since = self._clock()
        self._metrics.component_up.labels(state.name).set(1)

    def _set_down(self, state: ComponentState, error: str | None) -> None:
        if state.down_since is None:
            state.down_since = self._clock()
            state.down_since_at = datetime.now(UTC)
        state.up = False
        state.last_error = error
        self._metrics.component_up.labels(state.name).set(0)

    # ------------------------------------------------------------------ running
    async def supervise(self, component: Component) -> None:
        """Run ``component`` until cancelled, restarting it with backoff whenever it fails."""
        state = self.states.setdefault(component.name, ComponentState(component.name))
        extra = {"component": component.name}
        while True:
            ready = getattr(component, "ready", None)
            waiter: asyncio.Task[None] | None = None
            if isinstance(ready, asyncio.Event):  # up once the component says it is ready
                ready.clear()
                waiter = asyncio.create_task(self._up_when(ready, state), name=f"{component.name}-ready")
            else:
                self._set_up(state)
            try:
                await component.run()
            except asyncio.CancelledError:
                self._metrics.component_up.labels(state.name).set(0)
                state.up = False
                raise
            except Exception as exc:
                error = f"{exc.__class__.__name__}: {exc}"
                log.error("component %s failed: %s", component.name, error, exc_info=exc, extra=extra)
            else:
                if getattr(component, "oneshot", False):  # its work is done: it leaves the report
                    self.states.pop(component.name, None)
                    self._metrics.component_up.remove(component.name)
                    return
                error = "stopped unexpectedly"
                log.error("component %s returned; restarting it", component.name, extra=extra)
            finally:
                if waiter is not None:
                    waiter.cancel()
            if state.up and self._clock() - state.up_since >= self._cfg.healthy_after_s:
                state.failures = 0
            state.failures += 1
            self._set_down(state, error)
            delay = self.backoff(state.failures)
            log.warning(
                "component %s down (failure %d in a row); restarting in %.1fs",
                component.name,
                state.failures,
                delay,
                extra=extra,
            )
            await self._sleep(delay)

    async def _up_when(self, ready: asyncio.Event, state: ComponentState) -> None:
        await ready.wait()
        self._set_up(state)

    async def watch(self) -> None:
        """Alert admins about components down longer than ``alert_after_s``, and when they are back."""
        while True:
            await self.check_alerts()
            await self._sleep(self._cfg.check_interval_s)

    async def check_alerts(self) -> None:
        now = self._clock()
        for state in list(self.states.values()):
            if state.down_since is None:
                continue
            recovered = state.up and now - state.up_since >= self._cfg.healthy_after_s
            if recovered:
                if not state.alerted or await self._send(state, back=True):
                    state.alerted = False
                    state.down_since = state.down_since_at = None
            elif (
                not state.alerted
                and now - state.down_since >= self._cfg.alert_after_s
                and await self._send(state, back=False)
            ):
                state.alerted = True

    async def _send(self, state: ComponentState, *, back: bool) -> bool:
        assert state.down_since_at is not None
        change = ComponentChange(
            component=state.name,
            back=back,
            down_since=state.down_since_at,
            at=datetime.now(UTC),
            failures=state.failures,
            error=state.last_error,
            platforms_up=self.platforms_up(),
        )
        if back:
            log.info("component %s is back (down since %s)", state.name, state.down_since_at)
        else:
            log.error(
                "component %s down for more than %s: alerting admins",
                state.name,
                timedelta(seconds=self._cfg.alert_after_s),
                extra={"component": state.name},
            )
        if self._alert is None:
            return True
        try:
            await self._alert(change)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("could not enqueue the component alert for %s", state.name, exc_info=True)
            return False
        return True
