"""The Grafana dashboard and the Prometheus alert rules in deploy/ parse, and every bot metric they
name exists in the registry the bot builds (so a renamed metric cannot leave a silent panel or rule)."""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import CollectorRegistry

import bot
from bot.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy/grafana/minegnk-bot.json"
RULES = ROOT / "deploy/prometheus/alerts.yml"
METRIC = re.compile(r"\bminegnk_[a-z0-9_]+")
SUFFIXES = {
    "counter": ("_total", "_created"),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
}


@functools.cache
def bot_names() -> frozenset[str]:
    return frozenset(exposed_names(bot_registry()))


def bot_registry() -> CollectorRegistry:
    """The process registry with every collector class of the bot's ``metrics`` modules on it, as the
    composition root builds it (a new ``*.metrics`` module is picked up without editing this test)."""
    metrics = Metrics()
    for mod in pkgutil.walk_packages(bot.__path__, "bot."):
        if not mod.name.endswith(".metrics") or mod.name == "bot.metrics":
            continue
        module = importlib.import_module(mod.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            params = list(inspect.signature(cls).parameters)
            if params == ["registry"]:
                cls(metrics.registry)
    return metrics.registry


def exposed_names(registry: CollectorRegistry) -> set[str]:
    """Every series name /metrics can carry for the registry's families."""
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def dashboard_exprs() -> list[str]:
    dash: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for panel in dash["panels"] for t in panel.get("targets", [])]


def rule_exprs() -> list[str]:
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [r["expr"] for group in rules["groups"] for r in group["rules"]]


def test_the_registry_holds_the_subsystems_metrics() -> None:
    names = bot_names()
    # one from each collector class: the process, the poller, the alert engine and delivery
    assert {"minegnk_up", "minegnk_poller_leader", "minegnk_outbox_depth"} <= names


def test_every_metric_the_dashboard_names_exists() -> None:
    exprs = dashboard_exprs()
    assert exprs
    used = {m for e in exprs for m in METRIC.findall(e)}
    assert used and used <= bot_names(), used - bot_names()


def test_every_metric_the_alert_rules_name_exists() -> None:
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert {"alert", "expr", "labels", "annotations"} <= rule.keys(), rule
            assert rule["labels"]["severity"] in {"critical", "warning"}, rule
    used = {m for e in rule_exprs() for m in METRIC.findall(e)}
    assert used and used <= bot_names(), used - bot_names()
