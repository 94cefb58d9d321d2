"""Multi-replica: two or three whole bot processes on one database, poller and outbox workers in each.

Every replica runs everything (both bots, the poller, both delivery workers). Telegram runs in webhook
mode in all of them (polling replicas would fight over getUpdates with 409 by design); the local Bot
API posts updates to the first replica's /telegram/webhook, as a load balancer would to one of them.
Each replica connects to the Discord gateway; the local Discord dispatches each interaction to one
session. Only the replica holding the PostgreSQL advisory lock polls; delivery workers claim outbox
rows with leases, so each notification is sent by exactly one replica. Halfway through, the polling
replica is stopped (SIGTERM) and another must take over.

Printed: poll cycles per replica, tracker requests vs cycles (double polls), alerts expected /
delivered / duplicates / false, and the fail-over time.

    .venv/bin/python bench/replicas.py --replicas 2 --nodes 10000 --users 5000 --cycles 10

``--fanout N``: instead, N jail alerts to N Telegram owners in one cycle, sent by every replica's
worker at once; printed: the most sends any one-second window holds at the Bot API (the replicas share
one budget through PostgreSQL: never over ``telegram.global_rate_per_s``), 429s, lost, duplicates.
``--no-shared-budget`` gives each replica its own budget (what they did before), for comparison.

    .venv/bin/python bench/replicas.py --replicas 2 --fanout 2000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import BotProcess, World, metric_sum, outbox_depth, polls_at_least, polls_ok, wait_for

SECRET = "soak-webhook-secret"


async def replicas(args: argparse.Namespace) -> int:
    world = World(args.nodes, args.users, 0)
    log_dir = Path(tempfile.mkdtemp(prefix="minegnk-replicas-"))
    await world.start()
    bots: list[BotProcess] = []
    try:
        first_port = 0
        for r in range(args.replicas):
            bot = BotProcess(world, f"replica{r}", log_dir=log_dir)
            if r == 0:
                first_port = bot.port
            bot.extra_env = {
                "MINEGNK_TELEGRAM__MODE": "webhook",
                "MINEGNK_TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{first_port}/telegram/webhook",
                "MINEGNK_TELEGRAM__WEBHOOK_SECRET": SECRET,
            }
            bots.append(bot)
            bot.start()

        async def up() -> bool:
            for b in bots:
                if not b.alive():
                    raise SystemExit(f"{b.name} exited; see {b.log_path}")
            ready = [b for b in bots if "minegnk_up 1.0" in await b.metrics()]
            return len(ready) == len(bots) and await polls_ok(world) >= 1

        took = await wait_for(up, 120)
        print(f"start:       {args.replicas} replicas up, first poll cycle done in {took:.1f}s")
        t0 = time.monotonic()
        base = await polls_ok(world)
        req0 = (await world.tracker.requests()).get("hf_current", 0)
        slices: list[list[int]] = []
        failover = "not measured"
        stopped: BotProcess | None = None
        half = max(1, args.flip // 2)
        done_cycles = 0
        for c in range(args.cycles):
            await wait_for(lambda c=c: polls_at_least(world, base + c + 1), 120)
            done_cycles = c + 1
            if c >= 2 and slices[c - 2]:
                await world.set_jailed(slices[c - 2], False)
            new: list[int] = []
            if c < args.cycles - 4:
                new = world.flippable(half, "telegram") + world.flippable(half, "discord")
                await world.set_jailed(new, True)
            slices.append(new)
            if c == args.cycles // 2 and stopped is None:
                leader = await _leader(bots)
                if leader is not None:
                    seen = await polls_ok(world)
                    t = time.monotonic()
                    await leader.stop()
                    stopped = leader
                    await wait_for(lambda seen=seen: polls_at_least(world, seen + 1), 120)
                    failover = f"{time.monotonic() - t:.1f}s from SIGTERM of {leader.name} to the next cycle"
        wall = time.monotonic() - t0

        async def drained() -> bool:
            return world.tally()[1] == 0 and await outbox_depth(world) == 0

        with contextlib.suppress(TimeoutError):
            await wait_for(drained, 90)
        req = (await world.tracker.requests()).get("hf_current", 0) - req0
        cycles = await polls_ok(world) - base
        per = []
        for b in bots:
            text = await b.metrics()
            per.append(
                f"{b.name}={metric_sum(text, 'minegnk_poll_cycles_total'):.0f}"
                if text
                else f"{b.name}=stopped"
            )
        false, lost, dups = world.tally()
        print(
            f"run:         {done_cycles} cycles in {wall:.0f}s; "
            f"poll cycles per replica (running ones): {', '.join(per)}"
        )
        print(f"double polls: {max(0, req - cycles)} (tracker requests {req} for {cycles} successful cycles)")
        print(f"fail-over:   {failover}")
        sent = 0.0
        for b in bots:
            sent += metric_sum(await b.metrics(), "minegnk_notifications_sent_total")
        print(
            f"alerts:      expected={world.expected_total()} false={false} lost={lost} duplicate sends={dups}"
        )
        errs = [b.log_problems() for b in bots]
        print(f"errors:      {sum(e for e, _ in errs)} ERROR log lines, {sum(t for _, t in errs)} tracebacks")
        ok = false == 0 and lost == 0 and dups == 0 and req <= cycles
        return 0 if ok or args.no_fail else 1
    finally:
        for b in bots:
            await b.stop()
        print(f"logs:        {log_dir}")
        await world.stop()


def most_in_one_second(stamps: list[float]) -> int:
    """The most sends any one-second window [t, t + 1) holds (t at each send)."""
    ordered = sorted(stamps)
    best, j = 0, 0
    for i, start in enumerate(ordered):
        j = max(j, i)
        while j < len(ordered) and ordered[j] < start + 1.0:
            j += 1
        best = max(best, j - i)
    return best


async def fanout(args: argparse.Namespace) -> int:
    """Every replica's delivery worker fans out ``--fanout`` jail alerts at once, to as many Telegram
    owners: together they must stay within ``telegram.global_rate_per_s`` in every one-second window
    at the Bot API (the shared budget), losing and duplicating nothing."""
    count = args.fanout
    world = World(4 * count, 2 * count, 0)
    log_dir = Path(tempfile.mkdtemp(prefix="minegnk-replicas-fanout-"))
    await world.start()
    bots: list[BotProcess] = []
    try:
        first_port = 0
        for r in range(args.replicas):
            bot = BotProcess(world, f"replica{r}", log_dir=log_dir)
            first_port = first_port or bot.port
            bot.extra_env = {
                "MINEGNK_TELEGRAM__MODE": "webhook",
                "MINEGNK_TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{first_port}/telegram/webhook",
                "MINEGNK_TELEGRAM__WEBHOOK_SECRET": SECRET,
                "MINEGNK_DISCORD__TOKEN": "",
            }
            if args.rate is not None:
                bot.extra_env["MINEGNK_TELEGRAM__GLOBAL_RATE_PER_S"] = f"{args.rate:g}"
            if args.no_shared_budget:
                bot.extra_env["MINEGNK_TELEGRAM__SHARED_SEND_BUDGET"] = "false"
            bots.append(bot)
            bot.start()

        async def up() -> bool:
            for b in bots:
                if not b.alive():
                    raise SystemExit(f"{b.name} exited; see {b.log_path}")
            ready = [b for b in bots if "minegnk_up 1.0" in await b.metrics()]
            return len(ready) == len(bots) and await polls_ok(world) >= 1

        took = await wait_for(up, 180)
        print(f"start:       {args.replicas} replicas up, first poll cycle done in {took:.1f}s")
        nodes = world.flippable(count, "telegram")
        calls_before = len(world.telegram.calls)
        lag_before = len(world.lag)
        await world.set_jailed(nodes, True)
        t0 = time.monotonic()

        async def drained() -> bool:
            return world.tally()[1] == 0 and await outbox_depth(world) == 0

        await wait_for(drained, count / 10 + 120)
        wall = time.monotonic() - t0
        calls = world.telegram.calls[calls_before:]
        ok = [c.at for c in calls if c.method == "sendMessage" and c.status == 200]
        flood = sum(1 for c in calls if c.status == 429)
        sent = [metric_sum(await b.metrics(), "minegnk_notifications_sent_total") for b in bots]
        false, lost, dups = world.tally()
        rate = args.rate if args.rate is not None else 30.0
        span = max(ok) - min(ok) if len(ok) > 1 else float("nan")
        print(
            f"fan-out:     {len(ok)} messages in {span:.1f}s ({(len(ok) - 1) / span:.2f}/s), "
            f"sent per replica: {', '.join(f'{n:.0f}' for n in sent)}; drained in {wall:.1f}s"
        )
        most = most_in_one_second(ok)
        print(f"window:      at most {most} sends in any one-second window at the Bot API (rate {rate:g}/s)")
        lag = max(world.lag[lag_before:], default=0.0)
        print(
            f"             (the Bot API stamps a send when its event loop reads it; that loop stalled up "
            f"to {lag * 1000:.0f} ms meanwhile, bunching the stamps of what arrived during a stall)"
        )
        print(f"429s:        {flood}")
        print(
            f"alerts:      expected={world.expected_total()} false={false} lost={lost} duplicate sends={dups}"
        )
        ok_run = most <= rate and lost == 0 and dups == 0 and false == 0
        return 0 if ok_run or args.no_fail else 1
    finally:
        for b in bots:
            await b.stop()
        print(f"logs:        {log_dir}")
        await world.stop()


async def _leader(bots: list[BotProcess]) -> BotProcess | None:
    for b in bots:
        if b.alive() and metric_sum(await b.metrics(), "minegnk_poller_leader") == 1:
            return b
    return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--flip", type=int, default=40)
    parser.add_argument("--no-fail", action="store_true")
    parser.add_argument(
        "--fanout", type=int, default=0, help="instead: N jail alerts fanned out by every replica at once"
    )
    parser.add_argument("--rate", type=float, default=None, help="telegram.global_rate_per_s (fan-out)")
    parser.add_argument(
        "--no-shared-budget", action="store_true", help="fan-out with a budget per replica (comparison)"
    )
    args = parser.parse_args()
    sys.exit(asyncio.run(fanout(args) if args.fanout else replicas(args)))


if __name__ == "__main__":
    main()
