"""The long benches, in miniature: each runs the whole bot process against the local fakes with tiny
sizes, exits 0 and prints its figure lines (the figures themselves are not asserted: they are timings
on a shared machine). The full runs and their figures are in docs/performance.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# minutes each: a step of its own (`scripts/test.sh -m slow`)
pytestmark = pytest.mark.slow


def run_bench(script: str, *args: str, timeout: float) -> str:
    proc = subprocess.run(
        [sys.executable, f"bench/{script}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    return out


@pytest.mark.timeout(300)
def test_soak_smoke() -> None:
    out = run_bench(
        "soak.py",
        "--nodes",
        "50",
        "--users",
        "20",
        "--chat-users",
        "6",
        "--cycles",
        "5",
        "--flip",
        "2",
        "--poll-interval",
        "5",
        timeout=280,
    )
    for line in (
        "latency end to end",
        "latency bot-side telegram",
        "commands/s:",
        "notifications:",
        "outbox depth:",
        "rss MB:",
        "rss growth:",
        "errors:",
    ):
        assert line in out, out[-4000:]
    assert "alerts:      false=0 lost=0 duplicates=0" in out


@pytest.mark.timeout(600)
def test_faults_smoke() -> None:
    out = run_bench(
        "faults.py",
        "--quick",
        "--nodes",
        "400",
        "--users",
        "200",
        "--chat-users",
        "4",
        "--flip",
        "2",
        "--pg-down",
        "3",
        "--hold-cycles",
        "1",
        "--no-fail",
        timeout=580,
    )
    for name in (
        "baseline",
        "tracker 5xx",
        "Bot API 5xx",
        "Discord closed DMs",
        "PostgreSQL down",
        "bot SIGKILLed",
        "total:",
    ):
        assert name in out, out[-4000:]
    assert "did not recover" not in out and "died" not in out, out[-4000:]
    assert "total:       false=0 lost=0" in out, out[-4000:]


@pytest.mark.timeout(300)
def test_replicas_smoke() -> None:
    out = run_bench(
        "replicas.py",
        "--replicas",
        "2",
        "--nodes",
        "100",
        "--users",
        "50",
        "--cycles",
        "6",
        "--flip",
        "2",
        timeout=280,
    )
    assert "double polls: 0" in out, out[-4000:]
    assert "duplicate sends=0" in out and "false=0 lost=0" in out
    assert "fail-over:" in out


@pytest.mark.timeout(300)
def test_ledger_smoke() -> None:
    out = run_bench("ledger.py", "--nodes", "50", timeout=280)
    assert "summary requests 1 (epoch 104 settled; ledger rows 50)" in out, out[-4000:]
    assert "steady cycle" in out
