"""The whole-process harness the soak, fault and replica benches share.

One harness process hosts, on 127.0.0.1: the tracker (tests/fakes/tracker_server.py), the Bot API
(tests/fakes/telegram_api.py, Telegram's send limits enforced) and Discord REST + gateway
(tests/fakes/discord_api.py), and a throwaway PostgreSQL cluster it starts itself from the machine's
binaries (so the fault bench can stop and start it). The bot runs as ``python -m bot run`` subprocesses
configured only by ``MINEGNK_*`` env vars.

World: ``nodes`` synthetic participants ``rig-0 … rig-{n-1}``; ``users`` linked users, user ``i``
owning nodes ``2i`` and ``2i+1`` (even users linked on Telegram, odd ones on Discord); the first
``chat_users`` users send commands, the others only receive alerts. Alerts are made by jailing the
even node of a non-chat user in the tracker payload, so every alert and recovery has exactly one
expected recipient and one node name, and anything else is a false alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.tracker_proc import TrackerProcess  # noqa: E402
from bot.db.migrate import apply_migrations  # noqa: E402
from tests.fakes.discord_api import FakeDiscord, FakeUser, message_text  # noqa: E402
from tests.fakes.telegram_api import TOKEN, FakeTelegram  # noqa: E402
from tests.fakes.tracker_data import synthetic_address  # noqa: E402
from tests.pg import _pg_bindir  # noqa: E402

TG_BASE = 700_000_000
ALERT_RX = re.compile(r"\b(Jailed|Offline|Unhealthy|Recovered): (rig-\d+)\b")
TG_COMMANDS = ("/nodes", "/node {node}", "/earnings", "/mutes", "/help", "/whoami")
DC_COMMANDS = ("nodes", "node", "earnings", "mutes", "help", "whoami")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


# ------------------------------------------------------------------------------------------ database
class Cluster:
    """A throwaway PostgreSQL cluster (as the ``postgres`` OS user under root) that can be stopped."""

    def __init__(self) -> None:
        bindir = _pg_bindir()
        if bindir is None:
            raise SystemExit("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
        self.bindir = bindir
        self.tmp = Path(tempfile.mkdtemp(prefix="minegnk-soak-pg-"))
        self.data = self.tmp / "data"
        self.port = free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
        )

    def init(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        self.start()

    def start(self) -> None:
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.tmp} -F -c max_connections=200"
        self._ctl("-l", str(self.tmp / "log"), "-w", "-o", opts, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", "immediate", "stop")
        shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------ world
@dataclass
class World:
    nodes: int
    users: int
    chat_users: int
    #: the bots' ``trackers.poll_interval_s`` (production default 60; shorter to compress time)
    poll_interval_s: float = 5.0
    tracker: TrackerProcess = field(init=False)
    telegram: FakeTelegram = field(default_factory=FakeTelegram)
    discord: FakeDiscord = field(default_factory=lambda: FakeDiscord(rate_limit=100_000))
    cluster: Cluster = field(default_factory=Cluster)
    discord_users: dict[int, FakeUser] = field(default_factory=dict)  # user index -> fake user
    jailed: set[int] = field(default_factory=set)  # node indexes jailed now
    #: node index -> expected deliveries (kind -> count) for nodes the harness flipped
    expected: dict[int, Counter[str]] = field(default_factory=dict)
    #: node indexes whose owners cannot receive (closed DMs, blocked): not counted as lost
    unreachable: set[int] = field(default_factory=set)
    used: set[int] = field(default_factory=set)
    errors: int = 0
    #: how late a 50 ms timer fired in this (the harness's) event loop, which hosts both fake
    #: platforms: lateness here is added to every bot-side latency the bot measures
    lag: list[float] = field(default_factory=list)
    _lag_task: asyncio.Task[None] | None = None

    async def _sample_lag(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(0.05)
            self.lag.append(max(0.0, loop.time() - t - 0.05))

    async def start(self) -> None:
        await asyncio.to_thread(self.cluster.init)
        await asyncio.to_thread(apply_migrations, self.cluster.url)
        self.tracker = TrackerProcess(self.nodes)
        await self.tracker.start()
        await self.telegram.start()
        self.telegram.set_rate_limits(global_per_s=30.0, per_chat_per_s=1.0)
        await self.discord.start()
        for i in range(1, self.users, 2):
            self.discord_users[i] = self.discord.add_user(f"soak{i}")
        await self.seed()
        gc.collect()
        gc.freeze()  # as the bot does: the harness's long-lived heap out of the full collections
        self._lag_task = asyncio.create_task(self._sample_lag())

    async def stop(self) -> None:
        if self._lag_task is not None:
            self._lag_task.cancel()
        for srv in (self.tracker, self.telegram, self.discord):
            with contextlib.suppress(Exception):
                await srv.stop()
        await asyncio.to_thread(self.cluster.destroy)

    async def seed(self) -> None:
        """Set-based inserts: nodes, users (Telegram or Discord identity), two nodes per user."""
        conn = await asyncpg.connect(self.cluster.url)
        try:
            t = time.perf_counter()
            await conn.execute(
                "INSERT INTO nodes (identifier, identifier_type, display_name) "
                "SELECT a, 'wallet', 'rig-' || (o - 1) FROM unnest($1::text[]) WITH ORDINALITY AS x(a, o)",
                [synthetic_address(i) for i in range(self.nodes)],
            )
            discord_ids = [
                str(self.discord_users[i].id) if i in self.discord_users else None for i in range(self.users)
            ]
            await conn.execute(
                "INSERT INTO users (email, password_hash, telegram, discord) "
                "SELECT 'soak' || (o - 1) || '@soak.example', 'x', "
                "CASE WHEN (o - 1) % 2 = 0 THEN ($2::bigint + o - 1)::text END, d "
                "FROM unnest($1::text[]) WITH ORDINALITY AS x(d, o)",
                discord_ids,
                TG_BASE,
            )
            await conn.execute(
                "INSERT INTO user_nodes (user_id, node_id) "
                "SELECT u.id, n.id FROM users u JOIN nodes n "
                "ON substr(n.display_name, 5)::int / 2 = split_part(substr(u.email, 5), '@', 1)::int"
            )
            linked = await conn.fetchval("SELECT count(*) FROM user_nodes")
            print(
                f"seed:        {self.nodes} nodes, {self.users} users, {linked} links "
                f"in {time.perf_counter() - t:.1f}s (set-based SQL)"
            )
        finally:
            await conn.close()

    # -------------------------------------------------------------------------------- tracker edits
    def owner(self, node: int) -> int:
        return node // 2

    def flippable(self, count: int, platform: str | None = None) -> list[int]:
        """Unused even nodes of non-chat users (optionally only Telegram or only Discord owners)."""
        out: list[int] = []
        for u in range(self.chat_users, self.users):
            node = 2 * u
            if node in self.used or node >= self.nodes:
                continue
            if (platform == "telegram" and u % 2 == 1) or (platform == "discord" and u % 2 == 0):
                continue
            out.append(node)
            if len(out) == count:
                break
        self.used.update(out)
        return out

    async def set_jailed(self, nodes: list[int], jailed: bool) -> None:
        await self.tracker.jail(nodes, jailed)
        for n in nodes:
            exp = self.expected.setdefault(n, Counter())
            if jailed:
                self.jailed.add(n)
                exp["Jailed"] += 1
            else:
                self.jailed.discard(n)
                exp["Recovered"] += 1

    # -------------------------------------------------------------------------------- accounting
    def delivered(self) -> Counter[tuple[int, str]]:
        """(node, kind) -> alert messages that reached any chat at the fakes."""
        got: Counter[tuple[int, str]] = Counter()
        for msg in self.telegram.messages.values():
            if msg.from_bot and msg.chat_id >= TG_BASE:
                for kind, name in ALERT_RX.findall(msg.text or ""):
                    got[(int(name[4:]), kind)] += 1
        for msgs in self.discord.messages.values():
            for m in msgs:
                for kind, name in ALERT_RX.findall(message_text(m)):
                    got[(int(name[4:]), kind)] += 1
        return got

    def tally(self) -> tuple[int, int, int]:
        """(false alerts, lost, duplicates) over everything so far."""
        got = self.delivered()
        false = sum(n for (node, kind), n in got.items() if self.expected.get(node, Counter())[kind] == 0)
        lost = 0
        dups = 0
        for node, exp in self.expected.items():
            if node in self.unreachable:
                continue
            for kind, n in exp.items():
                have = got[(node, kind)]
                lost += max(0, n - have)
                dups += max(0, have - n)
        return false, lost, dups

    def expected_total(self) -> int:
        return sum(sum(c.values()) for n, c in self.expected.items() if n not in self.unreachable)


# ------------------------------------------------------------------------------------------ the bot
class BotProcess:
    def __init__(
        self, world: World, name: str, *, extra_env: dict[str, str] | None = None, log_dir: Path
    ) -> None:
        self.world = world
        self.name = name
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def env(self) -> dict[str, str]:
        w = self.world
        return {
            **os.environ,
            "MINEGNK_ALLOW_INSECURE_URLS": "true",  # the fakes speak plain http on loopback
            "MINEGNK_DATABASE__URL": w.cluster.url,
            "MINEGNK_HTTP__HOST": "127.0.0.1",
            "MINEGNK_HTTP__PORT": str(self.port),
            "MINEGNK_TELEGRAM__TOKEN": TOKEN,
            "MINEGNK_TELEGRAM__API_BASE": w.telegram.base_url,
            "MINEGNK_DISCORD__TOKEN": w.discord.token,
            "MINEGNK_DISCORD__API_BASE": w.discord.api_base,
            "MINEGNK_DISCORD__GATEWAY_URL": w.discord.gateway_url,
            "MINEGNK_DISCORD__GUILD_READY_TIMEOUT_S": "0.1",
            "MINEGNK_TRACKERS__POLL_INTERVAL_S": f"{w.poll_interval_s:g}",
            "MINEGNK_TRACKERS__REQUEST_TIMEOUT_S": "5",
            "MINEGNK_TRACKERS__RETRIES": "1",
            "MINEGNK_TRACKERS__BACKOFF_BASE_S": "0.2",
            "MINEGNK_TRACKERS__HYPERFUSION__BASE_URL": w.tracker.url,
            "MINEGNK_TRACKERS__GONKA_API__ENABLED": "false",
            "MINEGNK_TRACKERS__INCOME_LOOKUPS_PER_CYCLE": "0",
            "MINEGNK_ALERTS__SEND_STARTUP_MESSAGE": "false",
            "MINEGNK_ALERTS__RETRY_BACKOFF_BASE_S": "0.5",
            "MINEGNK_ALERTS__RETRY_BACKOFF_MAX_S": "5",
            "MINEGNK_ALERTS__OUTBOX_LEASE_S": "10",
            **self.extra_env,
        }

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env(), stdout=log, stderr=log
        )
        self.starts += 1

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    async def stop(self) -> int:
        if not self.alive():
            return self.proc.returncode if self.proc else 0
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        for _ in range(300):
            if self.proc.poll() is not None:
                return self.proc.returncode
            await asyncio.sleep(0.1)
        self.proc.kill()
        return self.proc.wait()

    def cpu_s(self) -> float:
        """User + system CPU seconds the process has used."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, AssertionError, IndexError):
            return float("nan")

    def rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except (OSError, AssertionError):
            pass
        return float("nan")

    async def metrics(self) -> str:
        try:
            async with (
                aiohttp.ClientSession() as s,
                s.get(f"http://127.0.0.1:{self.port}/metrics", timeout=aiohttp.ClientTimeout(total=3)) as r,
            ):
                return await r.text()
        except (aiohttp.ClientError, TimeoutError):
            return ""

    def log_problems(self) -> tuple[int, int]:
        """(ERROR/CRITICAL log lines, tracebacks) in this process's log."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        errors = len(re.findall(r"\b(ERROR|CRITICAL)\b", text))
        return errors, text.count("Traceback")


def metric_sum(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head.split("{")[0] != name:
            continue
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def histogram_quantile(text: str, name: str, q: float) -> float:
    """Prometheus' histogram_quantile over every label set of ``name`` (linear within a bucket)."""
    buckets: Counter[float] = Counter()
    for line in text.splitlines():
        if line.startswith(f"{name}_bucket{{"):
            head, _, value = line.rpartition(" ")
            le = re.search(r'le="([^"]+)"', head)
            if le:
                buckets[float(le.group(1))] += float(value)
    if not buckets:
        return float("nan")
    bounds = sorted(buckets)
    total = buckets[bounds[-1]]
    if total == 0:
        return float("nan")
    rank = q * total
    prev_bound, prev_count = 0.0, 0.0
    for b in bounds:
        if buckets[b] >= rank:
            if b == float("inf"):
                return prev_bound
            return prev_bound + (b - prev_bound) * (rank - prev_count) / max(buckets[b] - prev_count, 1e-9)
        prev_bound, prev_count = b, buckets[b]
    return bounds[-1]


# ------------------------------------------------------------------------------------------ load
@dataclass
class Load:
    """Chat users in closed loops: send a command, wait for the reply, think, repeat."""

    world: World
    think_s: tuple[float, float] = (1.0, 5.0)
    reply_timeout_s: float = 30.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"telegram": [], "discord": []})
    timeouts: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    stopping: bool = False
    skip: set[int] = field(default_factory=set)

    async def run(self) -> None:
        users = [i for i in range(self.world.chat_users) if i not in self.skip]
        await asyncio.gather(*(self._user(i) for i in users))

    async def _user(self, i: int) -> None:
        rnd = random.Random(i)
        await asyncio.sleep(rnd.uniform(0, self.think_s[1]))
        while not self.stopping:
            platform = "telegram" if i % 2 == 0 else "discord"
            try:
                took = await (self._telegram(i, rnd) if platform == "telegram" else self._discord(i, rnd))
                self.latencies[platform].append(took)
            except TimeoutError:
                self.timeouts[platform] += 1
            except Exception:  # the fake's gateway may be down between restarts
                self.timeouts[platform] += 1
                await asyncio.sleep(1)
            self.sent[platform] += 1
            await asyncio.sleep(rnd.uniform(*self.think_s))

    async def _telegram(self, i: int, rnd: random.Random) -> float:
        tg = self.world.telegram
        chat = TG_BASE + i
        before = len(tg.sent_to(chat, include_deleted=True))
        text = rnd.choice(TG_COMMANDS).format(node=synthetic_address(2 * i))
        t0 = time.monotonic()
        tg.message(chat, text)
        await tg.wait_sent(chat, before + 1, timeout=self.reply_timeout_s)
        for call in reversed(tg.calls):
            sent = call.status == 200 and call.method.lower() in ("sendmessage", "sendphoto")
            if sent and str(call.params.get("chat_id")) == str(chat):
                return call.at - t0
        return time.monotonic() - t0

    async def _discord(self, i: int, rnd: random.Random) -> float:
        dc = self.world.discord
        name = rnd.choice(DC_COMMANDS)
        opts = {"node": synthetic_address(2 * i)} if name == "node" else {}
        ix = await dc.slash(self.world.discord_users[i], name, dc.guild.channel("general"), **opts)
        await ix.reply(timeout=self.reply_timeout_s)
        return time.monotonic() - ix.at

    def summary(self, wall_s: float) -> list[str]:
        out = []
        for platform, lat in self.latencies.items():
            ms = [x * 1000 for x in lat]
            out.append(
                f"  {platform:<9} replies={len(lat)} p50={pct(ms, 0.5):.0f}ms "
                f"p99={pct(ms, 0.99):.0f}ms max={max(ms, default=float('nan')):.0f}ms "
                f"timeouts={self.timeouts[platform]} ({len(lat) / wall_s:.1f} commands/s)"
            )
        return out


async def wait_for(cond: Any, timeout: float, step: float = 0.25) -> float:
    """Seconds until ``await cond()`` is true (raises TimeoutError)."""
    t0 = time.monotonic()
    while True:
        if await cond():
            return time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise TimeoutError
        await asyncio.sleep(step)


async def polls_ok(world: World) -> int:
    try:
        conn = await asyncpg.connect(world.cluster.url, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return -1
    try:
        return int(await conn.fetchval("SELECT coalesce(sum(polls_ok), 0) FROM source_health") or 0)
    finally:
        await conn.close()


async def polls_at_least(world: World, n: int) -> bool:
    return await polls_ok(world) >= n


async def outbox_depth(world: World) -> int:
    try:
        conn = await asyncpg.connect(world.cluster.url, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return -1
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')")
        )
    finally:
        await conn.close()
