"""Soak: the whole bot process (both bots, poller, outbox workers, /metrics) under command load while
alerts flow, for a fixed number of poll cycles. See bench/harness.py for the world it runs in.

Each cycle the harness jails a fresh slice of nodes (owners on Telegram and Discord, none of them a
chat user) and un-jails the slice jailed two cycles earlier, so every slice yields one alert and one
recovery to one chat. Printed: command latency (see below), commands/s, notification throughput,
outbox depth and RSS over time, errors, false alerts / lost / duplicates.

Latency, two figures: *end to end* is measured by the harness from the moment the update is available
to the bot (pushed to the fake's getUpdates queue / dispatched on the Discord gateway) to the moment
the reply request reached the fake (Telegram: the sendMessage/sendPhoto call's arrival; Discord: the
reply seen by the harness). It includes the Bot API long-poll hop and the bot's own 28 msg/s Telegram
send limiter. *Bot-side* is the bot's ``minegnk_command_latency_seconds`` histogram (handler entry to
reply sent), read from /metrics.

    .venv/bin/python bench/soak.py --nodes 10000 --users 5000 --chat-users 200 --cycles 12
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    BotProcess,
    Load,
    World,
    histogram_quantile,
    metric_sum,
    outbox_depth,
    polls_at_least,
    polls_ok,
    wait_for,
)


async def wait_bot_ready(world: World, bot: BotProcess, timeout: float = 90) -> float:
    async def ready() -> bool:
        if not bot.alive():
            raise SystemExit(
                f"the bot exited with {bot.proc.returncode if bot.proc else '?'}; see {bot.log_path}"
            )
        return (
            bool(world.telegram.calls_of("getUpdates"))
            and bool(world.discord.ready_sessions)
            and (await polls_ok(world) >= 1)
        )

    return await wait_for(ready, timeout)


async def soak(args: argparse.Namespace) -> int:
    world = World(args.nodes, args.users, args.chat_users, poll_interval_s=args.poll_interval)
    log_dir = Path(tempfile.mkdtemp(prefix="minegnk-soak-"))
    await world.start()
    bot = BotProcess(world, "bot", log_dir=log_dir)
    samples: list[tuple[float, float, int]] = []
    load = Load(world, think_s=(args.think_min, args.think_max))
    try:
        bot.start()
        took = await wait_bot_ready(world, bot)
        print(f"start:       bot ready (both bots connected, first poll cycle done) in {took:.1f}s")
        t0 = time.monotonic()
        cpu0 = bot.cpu_s()

        async def sample() -> None:
            while True:
                samples.append((time.monotonic() - t0, bot.rss_mb(), await outbox_depth(world)))
                await asyncio.sleep(2)

        sampler = asyncio.create_task(sample())
        load_task = asyncio.create_task(load.run())
        base = await polls_ok(world)
        slices: list[list[int]] = []
        half = max(1, args.flip // 2)
        for c in range(args.cycles):
            await wait_for(lambda c=c: polls_at_least(world, base + c + 1), args.poll_interval + 60)
            if c >= 2 and slices[c - 2]:
                await world.set_jailed(slices[c - 2], False)
            new: list[int] = []
            if c < args.cycles - 4:
                new = world.flippable(half, "telegram") + world.flippable(half, "discord")
                await world.set_jailed(new, True)
            slices.append(new)
        load.stopping = True
        wall = time.monotonic() - t0
        cpu = (bot.cpu_s() - cpu0) / wall * 100
        await asyncio.wait_for(load_task, 60)

        async def drained() -> bool:
            return world.tally()[1] == 0 and await outbox_depth(world) == 0

        drain: float | str
        try:
            drain = await wait_for(drained, 90)
        except TimeoutError:
            drain = "timed out"
        sampler.cancel()
        text = await bot.metrics()
        false, lost, dups = world.tally()
        print(
            f"run:         {args.cycles} poll cycles of {args.poll_interval:g} s in {wall:.0f}s, "
            f"{args.chat_users} chat users "
            f"({args.chat_users // 2} Telegram, {args.chat_users - args.chat_users // 2} Discord), "
            f"each waiting {args.think_min:g}-{args.think_max:g}s between a reply and its next command"
        )
        print("latency end to end (update available -> reply at the fake):")
        for line in load.summary(wall):
            print(line)
        for platform in ("telegram", "discord"):
            print(
                f"latency bot-side {platform}: p50={_q(text, 0.5, platform)} p99={_q(text, 0.99, platform)} "
                f"(minegnk_command_latency_seconds, "
                f"{metric_sum(text, 'minegnk_commands_total', platform=platform):.0f} commands)"
            )
        for line in _per_command(text):
            print(line)
        lag_n = metric_sum(text, "minegnk_event_loop_lag_seconds_count")
        lag_ok = metric_sum(text, "minegnk_event_loop_lag_seconds_bucket", le="0.05")
        lag99 = histogram_quantile(text, "minegnk_event_loop_lag_seconds", 0.99) * 1000
        print(
            f"event loop lag (bot): p99={lag99:.0f}ms, {lag_n - lag_ok:.0f} of {lag_n:.0f} samples over "
            "50 ms (minegnk_event_loop_lag_seconds: how late a 100 ms timer fired)"
        )
        hl = sorted(world.lag)
        if hl:
            print(
                f"event loop lag (harness): p99={hl[int(0.99 * (len(hl) - 1))] * 1000:.0f}ms "
                f"max={hl[-1] * 1000:.0f}ms (it hosts both fake platforms and every chat user)"
            )
        total = sum(len(v) for v in load.latencies.values())
        print(f"commands/s:  {total / wall:.1f} answered ({sum(load.sent.values())} sent)")
        sent = metric_sum(text, "minegnk_notifications_sent_total")
        print(
            f"notifications: {sent:.0f} sent ({world.expected_total()} expected); "
            f"{await _throughput(world)}; drain after the last cycle {_s(drain)}"
        )
        nl50 = histogram_quantile(text, "minegnk_notification_latency_seconds", 0.5)
        nl99 = histogram_quantile(text, "minegnk_notification_latency_seconds", 0.99)
        print(f"notification latency (detection -> delivered): p50={nl50:.2f}s p99={nl99:.2f}s")
        print(
            "outbox depth: " + " ".join(f"{t:.0f}s:{d}" for t, _, d in samples[:: max(1, len(samples) // 12)])
        )
        rss = [r for _, r, _ in samples]
        # warm-up: the first poll interval of the run (at least 20 s): first chart drawn, caches filled
        warm_s = max(20.0, args.poll_interval)
        after = [r for t, r, _ in samples if t >= warm_s] or rss
        warm = after[0] if after else float("nan")
        print(
            "rss MB:      "
            + " ".join(f"{t:.0f}s:{r:.0f}" for t, r, _ in samples[:: max(1, len(samples) // 12)])
        )
        growth = (rss[-1] - warm) / warm * 100 if rss else float("nan")
        print(
            f"rss growth:  {growth:+.1f}% (from {warm:.0f} MB after a {warm_s:.0f} s warm-up "
            f"to {rss[-1] if rss else 0:.0f} MB; "
            f"peak {max(rss, default=0):.0f} MB)"
        )
        print(f"bot cpu:     {cpu:.0f}% of one core on average over the run (one Python process)")
        errors, tracebacks = bot.log_problems()
        print(
            f"errors:      {errors} ERROR log lines, {tracebacks} tracebacks, "
            f"{sum(load.timeouts.values())} commands unanswered"
        )
        print(f"alerts:      false={false} lost={lost} duplicates={dups}")
        ok = false == 0 and lost == 0 and dups == 0 and tracebacks == 0
        return 0 if ok or args.no_fail else 1
    finally:
        load.stopping = True
        rc = await bot.stop()
        print(f"stop:        SIGTERM exit code {rc}; log {bot.log_path}")
        await world.stop()


def _q(text: str, q: float, platform: str) -> str:
    lines = "\n".join(ln for ln in text.splitlines() if f'platform="{platform}"' in ln)
    v = histogram_quantile(lines, "minegnk_command_latency_seconds", q)
    return f"{v * 1000:.0f}ms"


def _per_command(text: str) -> list[str]:
    """Bot-side p50/p99 per platform and command, slowest p99 first."""
    seen: dict[tuple[str, str], list[str]] = {}
    for ln in text.splitlines():
        if ln.startswith("minegnk_command_latency_seconds_bucket{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', ln.partition(" ")[0]))
            seen.setdefault((labels["platform"], labels["command"]), []).append(ln)
    rows = []
    for (platform, command), lines in seen.items():
        body = "\n".join(lines)
        n = float(lines[-1].rpartition(" ")[2]) if lines else 0.0
        if n:
            p50 = histogram_quantile(body, "minegnk_command_latency_seconds", 0.5)
            p99 = histogram_quantile(body, "minegnk_command_latency_seconds", 0.99)
            line = f"  {platform:<9} {command:<16} n={n:<5.0f} p50={p50 * 1000:.0f}ms p99={p99 * 1000:.0f}ms"
            rows.append((p99, line))
    return ["bot-side by command:"] + [r for _, r in sorted(rows, reverse=True)]


def _s(v: float | str) -> str:
    return f"{v:.1f}s" if isinstance(v, float) else v


async def _throughput(world: World) -> str:
    import asyncpg

    conn = await asyncpg.connect(world.cluster.url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, extract(epoch FROM max(delivered_at) - min(created_at)) AS span "
            "FROM notifications WHERE status = 'delivered'"
        )
        per_cycle = await conn.fetchval(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM notifications "
            "GROUP BY date_trunc('second', created_at)) x"
        )
    finally:
        await conn.close()
    span = float(row["span"] or 0)
    rate = row["n"] / span if span else float("nan")
    return f"{row['n']} delivered over {span:.0f}s ({rate:.1f}/s average, largest batch {per_cycle})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--chat-users", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--flip", type=int, default=40, help="nodes jailed per cycle (half per platform)")
    parser.add_argument(
        "--poll-interval", type=float, default=60.0, help="trackers.poll_interval_s (production: 60)"
    )
    parser.add_argument("--think-min", type=float, default=3.0, help="seconds a chat user waits, at least")
    parser.add_argument("--think-max", type=float, default=10.0, help="… at most, between commands")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a target is missed")
    args = parser.parse_args()
    sys.exit(asyncio.run(soak(args)))


if __name__ == "__main__":
    main()
