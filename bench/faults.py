"""Fault injection against the whole bot process (bench/harness.py's world), one fault at a time.

Tracker faults (timeouts, 5xx, an HTML page, a truncated body, participants missing from the list)
run while no node changes, so any alert they cause is a false one; after each the harness measures
the time from the fault ending to the next good poll cycle, then jails and recovers a slice of nodes
to prove alerting works again. Delivery faults (Bot API 429 storms, 5xx, timeouts; Discord 429s and
closed DMs) run while a slice's alerts are being delivered: nothing may be lost or sent twice.
PostgreSQL is stopped for ``--pg-down`` seconds and started again (the harness's own cluster, never
the machine's server); recovery is the time from PostgreSQL accepting connections again to the bot
answering /nodes from the database, completing a poll cycle, and delivering a new alert. Finally the
bot is SIGKILLed while a slice's alerts are in flight and started again.

Printed per fault: false alerts, lost notifications, duplicates, time to recover.

    .venv/bin/python bench/faults.py --nodes 10000 --users 5000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import TG_BASE, BotProcess, Load, World, outbox_depth, polls_ok, wait_for

INTERVAL = 5.0
#: the faults ``--quick`` runs (CI): one of each kind
QUICK = ("baseline", "tracker 5xx", "Bot API 5xx", "Discord closed", "PostgreSQL", "bot SIGKILLed")


class Faults:
    def __init__(self, world: World, bot: BotProcess, flip: int, hold: int) -> None:
        self.hold = hold
        self.quick = False
        self.world = world
        self.bot = bot
        self.flip = flip
        self.rows: list[tuple[str, int, int, int, str]] = []
        self.failed = False

    # ------------------------------------------------------------------------------------ helpers
    async def cycles(self) -> int:
        return await polls_ok(self.world)

    async def next_cycle(self, timeout: float = 60) -> float:
        seen = await self.cycles()
        return await wait_for(lambda: _gt(self.cycles(), seen), timeout)

    async def nodes_answered(self, timeout: float = 3.0) -> bool:
        """/nodes from a probe chat (user 0, a linked Telegram user) answered with its nodes."""
        tg = self.world.telegram
        chat = TG_BASE
        before = len(tg.sent_to(chat, include_deleted=True))
        tg.message(chat, "/nodes")
        try:
            msgs = await tg.wait_sent(chat, before + 1, timeout=timeout)
        except (TimeoutError, AssertionError):  # the fake raises AssertionError on its timeout
            return False
        return "rig-0" in (msgs[-1].text or "")

    async def delivered_all(self, timeout: float) -> float | None:
        async def done() -> bool:
            return self.world.tally()[1] == 0 and await outbox_depth(self.world) == 0

        try:
            return await wait_for(done, timeout)
        except TimeoutError:
            return None

    async def alert_round(self, platform: str | None, timeout: float = 60) -> float | None:
        """Jail a slice, wait for its alerts, recover it, wait for the recoveries; seconds taken."""
        t0 = time.monotonic()
        nodes = self.flippable(platform)
        await self.world.set_jailed(nodes, True)
        if await self.delivered_all(timeout) is None:
            return None
        await self.world.set_jailed(nodes, False)
        if await self.delivered_all(timeout) is None:
            return None
        return time.monotonic() - t0

    def flippable(self, platform: str | None) -> list[int]:
        if platform is None:
            half = max(1, self.flip // 2)
            return self.world.flippable(half, "telegram") + self.world.flippable(half, "discord")
        return self.world.flippable(self.flip, platform)

    async def record(self, name: str, body: Callable[[], Awaitable[str]]) -> None:
        if self.quick and not name.startswith(QUICK):
            return
        before = self.world.tally()
        t0 = time.monotonic()
        try:
            recover = await body()
        except TimeoutError:
            recover = "did not recover"
        after = self.world.tally()
        false, lost, dups = (a - b for a, b in zip(after, before, strict=True))
        if not self.bot.alive() and "SIGKILL" not in name:
            recover += " (bot process died)"
        self.rows.append((name, false, lost, dups, recover))
        bad = false or lost or "did not" in recover or "died" in recover
        self.failed = self.failed or bool(bad) or (dups > 0 and "SIGKILL" not in name)
        print(
            f"  {name:<34} false={false} lost={lost} dup={dups} recover: {recover} "
            f"[{time.monotonic() - t0:.0f}s]",
            flush=True,
        )

    # ------------------------------------------------------------------------------------ tracker
    async def tracker_fault(self, kind: str, **kw: object) -> str:
        await self.world.tracker.fault(kind, **kw)
        await asyncio.sleep(self.hold * INTERVAL)  # that many cycles see it
        await self.world.tracker.clear()
        took = await self.next_cycle()
        rnd = await self.alert_round(None)
        return f"{took:.1f}s to a good poll cycle; alert round {_s(rnd)}"

    async def tracker_partial(self) -> str:
        """Participants missing from the list for longer than offline confirmation takes."""
        w = self.world
        # by design (trackers README: absent from participants[] -> offline) these owners get an
        # Offline alert after offline confirmation, and a recovery once the nodes are listed again
        gone = [i for i in range(3, min(w.nodes, 2 * w.users), 10)]
        await w.tracker.drop(10, 3)
        await asyncio.sleep(4 * INTERVAL)
        await w.tracker.drop()
        for n in gone:
            w.expected.setdefault(n, Counter()).update(["Offline", "Recovered"])
        took = await self.next_cycle()
        if await self.delivered_all(300) is None:  # a tenth of the fleet: hundreds of messages at 28/s
            return "offline alerts and recoveries not delivered"
        rnd = await self.alert_round(None)
        return f"{took:.1f}s to a full poll cycle; alert round {_s(rnd)}"

    # ------------------------------------------------------------------------------------ delivery
    async def delivery_fault(self, platform: str, inject: Callable[[], None]) -> str:
        inject()
        rnd = await self.alert_round(platform, timeout=90)
        return f"slice delivered (alerts + recoveries) in {_s(rnd)}"

    # ------------------------------------------------------------------------------------ postgres
    async def postgres_restart(self, down_s: float) -> str:
        nodes = self.flippable(None)
        await asyncio.to_thread(self.world.cluster.stop)
        await self.world.set_jailed(nodes, True)  # changes during the outage are seen once it is back
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.world.cluster.start)
        back = time.monotonic()

        async def answered() -> bool:
            return await self.nodes_answered(2.0)

        cmd = await wait_for(answered, 60, step=0.1)
        seen = await self.cycles()
        await wait_for(lambda: _gt(self.cycles(), seen), 60)
        cycle_s = time.monotonic() - back
        if await self.delivered_all(60) is None:
            return "alerts not delivered"
        alerts_s = time.monotonic() - back
        await self.world.set_jailed(nodes, False)
        if await self.delivered_all(60) is None:
            return "recoveries not delivered"
        return (
            f"/nodes answered {cmd:.1f}s, poll cycle {cycle_s:.1f}s, "
            f"outage alerts delivered {alerts_s:.1f}s after PostgreSQL came back"
        )

    # ------------------------------------------------------------------------------------ sigkill
    async def sigkill(self) -> str:
        nodes = self.flippable(None)
        await self.world.set_jailed(nodes, True)
        await self.next_cycle()  # the detecting cycle committed its alerts
        await asyncio.sleep(0.3)  # some are being sent
        self.bot.kill()
        t0 = time.monotonic()
        self.bot.start()

        async def answered() -> bool:
            if not self.bot.alive():
                raise TimeoutError
            return await self.nodes_answered(2.0)

        cmd = await wait_for(answered, 90, step=0.2)
        if await self.delivered_all(90) is None:
            return "alerts not delivered after restart"
        alerts_s = time.monotonic() - t0
        await self.world.set_jailed(nodes, False)
        if await self.delivered_all(60) is None:
            return "recoveries not delivered"
        return f"/nodes answered {cmd:.1f}s after restart; in-flight alerts delivered {alerts_s:.1f}s"


async def faults(args: argparse.Namespace) -> int:
    world = World(args.nodes, args.users, max(2, args.chat_users))
    log_dir = Path(tempfile.mkdtemp(prefix="minegnk-faults-"))
    await world.start()
    # short client timeouts so the Bot API hang below is a timeout the bot sees
    timeouts = {"MINEGNK_TELEGRAM__REQUEST_TIMEOUT_S": "3", "MINEGNK_DISCORD__REQUEST_TIMEOUT_S": "3"}
    bot = BotProcess(world, "bot", log_dir=log_dir, extra_env=timeouts)
    load = Load(world, think_s=(2.0, 6.0), reply_timeout_s=15, skip={0})  # user 0 is the probe
    f = Faults(world, bot, args.flip, args.hold_cycles)
    f.quick = args.quick
    try:
        bot.start()
        from bench.soak import wait_bot_ready

        took = await wait_bot_ready(world, bot)
        print(f"start:       bot ready in {took:.1f}s; {args.chat_users} chat users send commands throughout")
        load_task = asyncio.create_task(load.run())
        tg, dc = world.telegram, world.discord
        print("faults (false alerts / lost notifications / duplicates / time to recover):")
        await f.record("baseline (no fault)", lambda: _round(f))
        await f.record(f"tracker timeouts ({f.hold} cycles)", lambda: f.tracker_fault("timeout", delay_s=8))
        await f.record(f"tracker 5xx ({f.hold} cycles)", lambda: f.tracker_fault("status", status=502))
        await f.record(f"tracker HTML garbage ({f.hold} cycles)", lambda: f.tracker_fault("garbage"))
        await f.record(f"tracker truncated JSON ({f.hold} cycles)", lambda: f.tracker_fault("truncated"))
        await f.record(f"tracker empty list ({f.hold} cycles)", lambda: f.tracker_fault("empty"))
        await f.record("tracker 10% absent (4 cycles) [a]", f.tracker_partial)
        await f.record(
            "Bot API 429 storm (60 × retry 1s)",
            lambda: f.delivery_fault(
                "telegram",
                lambda: tg.fail(
                    "sendMessage", 429, "Too Many Requests: retry after 1", times=60, retry_after=1
                ),
            ),
        )
        await f.record(
            "Bot API 5xx (30 × 502)",
            lambda: f.delivery_fault(
                "telegram", lambda: tg.fail("sendMessage", 502, "Bad Gateway", times=30)
            ),
        )
        await f.record(
            "Bot API timeouts (5 × 5s hang)",
            lambda: f.delivery_fault("telegram", lambda: tg.hang("sendMessage", 5, times=5)),
        )
        await f.record(
            "Discord 429s (30 × 0.5s)",
            lambda: f.delivery_fault(
                "discord", lambda: dc.fail_next("POST", r"/channels/\d+/messages", times=30, retry_after=0.5)
            ),
        )

        def close_some() -> None:
            for node in world.flippable(5, "discord"):
                world.used.discard(node)  # the slice below takes them
                world.unreachable.add(node)
                dc.close_dms(world.discord_users[world.owner(node)])

        await f.record("Discord closed DMs (5 users)", lambda: f.delivery_fault("discord", close_some))
        await f.record(
            f"PostgreSQL down {args.pg_down:.0f}s, restarted", lambda: f.postgres_restart(args.pg_down)
        )
        await f.record("bot SIGKILLed and restarted", f.sigkill)
        load.stopping = True
        await asyncio.wait_for(load_task, 60)
        errors, tracebacks = bot.log_problems()
        unanswered = sum(load.timeouts.values())
        print(
            f"commands:    {sum(len(v) for v in load.latencies.values())} answered, {unanswered} unanswered "
            f"(while faults ran); log: {errors} ERROR lines, {tracebacks} tracebacks"
        )
        total = world.tally()
        print(f"total:       false={total[0]} lost={total[1]} duplicates={total[2]}")
        return 1 if f.failed and not args.no_fail else 0
    finally:
        load.stopping = True
        rc = await bot.stop()
        print(f"stop:        SIGTERM exit code {rc}; log {bot.log_path}")
        await world.stop()


async def _round(f: Faults) -> str:
    return f"alert round {_s(await f.alert_round(None))}"


async def _gt(value: Awaitable[int], n: int) -> bool:
    return await value > n


def _s(v: float | None) -> str:
    return "not delivered" if v is None else f"{v:.1f}s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--chat-users", type=int, default=20)
    parser.add_argument("--flip", type=int, default=20, help="nodes per alert slice")
    parser.add_argument("--pg-down", type=float, default=8.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--hold-cycles", type=int, default=3, help="poll cycles each tracker fault lasts")
    parser.add_argument("--quick", action="store_true", help="one fault of each kind (the CI smoke run)")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args()
    sys.exit(asyncio.run(faults(args)))


if __name__ == "__main__":
    main()
