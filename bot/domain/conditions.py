"""The alert conditions: one table that the engine, recipients, settings, messages and ``/node`` read.

A :class:`Condition` is a name, a *detector* (a pure function of one node's :class:`NodeFacts`: this
cycle's merged observation, the network and its chain thresholds, and whatever other collectors add
under :attr:`NodeFacts.extra`), how it is confirmed, whether it is urgent, its texts (what happened,
what it costs, what to do, the recovery), the user setting it belongs to and its metric label.

Adding a condition is one :class:`Condition` entry in :data:`CONDITIONS` and its detector; nothing else
lists the kinds (docs/architecture.md, "Adding an alert condition").

Conditions of one *group* are one state machine per node: the first member (in table order) that reads
warning or failing is the group's value, so a node that goes from offline to jailed is a change of
the open incident rather than a second one. Every other condition is a group of its own.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from bot.domain.chain_params import EpochThresholds
from bot.domain.network import NetworkState
from bot.domain.probes import FACTS_KEY as PROBE_FACTS
from bot.domain.probes import (
    Finding,
    ProbeFacts,
    ProbeState,
    collateral,
    mlnode_down,
    model_participation,
    version_lag,
)
from bot.domain.status import NodeStatus, Observation
from bot.domain.tracker import UNJAIL_HINT
from bot.i18n.catalogs import L_, N_, LazyText, Text


class State(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILING = "failing"
    #: the data to judge is missing: never fires, never recovers, never resets a count
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reading:
    """What a detector says about one node this cycle, with the numbers behind it."""

    state: State
    #: what happened to this node, in plain words (None: the condition's own ``texts.what``); texts
    #: are catalogue source strings or :class:`~bot.i18n.catalogs.LazyText`, translated per reader
    summary: Text | None = None
    #: ``(label, value)`` pairs shown in alerts and ``/node``: ``("cPoC ratio", "0.41 (threshold 0.5)")``
    numbers: tuple[tuple[str, Text], ...] = ()
    #: what it costs when that depends on the facts (an exclusion's reason); None: ``texts.cost``
    cost: Text | None = None
    #: while failing, a new episode is a new incident (an exclusion is once per epoch: the epoch id)
    episode: str | None = None


UNKNOWN = Reading(State.UNKNOWN)
OK = Reading(State.OK)


@dataclass(frozen=True, slots=True)
class Options:
    """Knobs detectors read (``alerts.*`` in the configuration)."""

    #: share of an SPRT threshold (``invalidLLR`` / ``inactiveLLR``) past which the early warning fires
    llr_warning_share: Decimal = Decimal("0.6")


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """Everything a detector may read about one node in one cycle."""

    obs: Observation
    #: as the alert engine hands it: without its ``observed_at`` and ``schedule`` (which move every
    #: cycle); a detector is a pure function of these facts, so a node whose facts did not change
    #: since the last cycle is not judged again
    network: NetworkState | None = None
    options: Options = field(default_factory=Options)
    #: data other collectors add per node, keyed by collector name (e.g. per-host probes); a detector
    #: reading a key that is absent returns unknown
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def thresholds(self) -> EpochThresholds | None:
        return self.network.thresholds if self.network is not None else None


Detector = Callable[[NodeFacts], Reading]


@dataclass(frozen=True, slots=True)
class Texts:
    """A condition's texts: English catalogue source strings (marked ``N_``), translated when a message
    is rendered for its reader."""

    #: short name, used in titles and in ``/settings`` (``Jailed``, ``Excluded from the epoch``)
    title: str
    #: what happened (a reading's ``summary`` says it for one node when it can)
    what: str
    #: what it costs the host
    cost: str
    #: what to do, one line each
    todo: tuple[str, ...]
    #: the recovery message's line
    recovery: str
    #: a shell command shown verbatim under what to do
    command: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    name: str
    detector: Detector
    texts: Texts
    #: the user setting that switches it (several conditions may share one)
    setting: str
    #: the ``condition`` label of its metrics
    metric: str
    #: urgent: delivered first, shown as critical; otherwise a warning batched with the cycle's others
    urgent: bool
    #: consecutive polls before a problem is confirmed (``alerts.confirm_polls`` overrides by name)
    confirm_polls: int = 1
    #: reminded while it lasts (``alerts.reminder_interval_s``, at most ``alerts.reminder_max``)
    reminders: bool = False
    #: held (neither confirmed nor reset) during PoC and confirmation PoC, when nodes look absent
    held_in_poc: bool = False
    #: the state machine it belongs to (None: its own)
    group: str | None = None
    #: a problem of one of these conditions (read earlier in the table) explains this one: it reads
    #: unknown meanwhile, so the owner hears the cause once
    explained_by: tuple[str, ...] = ()
    #: the setting's default for users who never changed it
    default_on: bool = True

    @property
    def group_name(self) -> str:
        return self.group or self.name


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    label: str
    default_on: bool


#: the value of a group with no problem
OK_VALUE = "ok"


def value_of(condition: str, state: State) -> str:
    """A group's stored value: ``ok``, ``<condition>`` (failing) or ``<condition>:warning``."""
    if state is State.OK:
        return OK_VALUE
    return condition if state is State.FAILING else f"{condition}:{state.value}"


def parse_value(value: str) -> tuple[str | None, State]:
    """``(condition, state)`` of a stored value (``(None, OK)`` for ``ok``)."""
    if value == OK_VALUE:
        return None, State.OK
    name, _, level = value.partition(":")
    return name, State(level) if level else State.FAILING


@dataclass(frozen=True, slots=True)
class GroupReading:
    group: str
    #: the member that decided the value (None: ok or unknown)
    condition: Condition | None
    reading: Reading

    @property
    def value(self) -> str | None:
        """The group's value this cycle; None when unknown."""
        if self.reading.state is State.UNKNOWN:
            return None
        if self.condition is None:
            return OK_VALUE
        return value_of(self.condition.name, self.reading.state)


class ConditionTable:
    """The conditions in order (stronger first within a group), with the checks every entry passes."""

    def __init__(self, conditions: Sequence[Condition]) -> None:
        names: dict[str, Condition] = {}
        for c in conditions:
            if c.name in names:
                raise ValueError(f"condition {c.name!r} is listed twice")
            if not c.name.isidentifier() or ":" in c.name:
                raise ValueError(f"condition name {c.name!r} must be a plain identifier")
            for other in c.explained_by:
                if other not in names:
                    raise ValueError(f"{c.name!r} is explained by {other!r}, which must come earlier")
            names[c.name] = c
        self._by_name = names
        groups: dict[str, list[Condition]] = {}
        for c in conditions:
            groups.setdefault(c.group_name, []).append(c)
        self._groups = {g: tuple(cs) for g, cs in groups.items()}
        settings: dict[str, Setting] = {}
        for c in conditions:
            settings.setdefault(c.setting, Setting(c.setting, c.texts.title, c.default_on))
        self._settings = tuple(settings.values())

    def __iter__(self) -> Iterator[Condition]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def __getitem__(self, name: str) -> Condition:
        return self._by_name[name]

    def get(self, name: str) -> Condition | None:
        return self._by_name.get(name)

    @property
    def groups(self) -> Mapping[str, tuple[Condition, ...]]:
        return self._groups

    @property
    def settings(self) -> tuple[Setting, ...]:
        """The per-user switches, in table order."""
        return self._settings

    def read(self, facts: NodeFacts) -> dict[str, Reading]:
        """Every condition's reading, a problem explained by an earlier one reading unknown."""
        out: dict[str, Reading] = {}
        for c in self:
            if any(out[o].state in (State.WARNING, State.FAILING) for o in c.explained_by):
                out[c.name] = UNKNOWN
                continue
            out[c.name] = c.detector(facts)
        return out

    def read_groups(self, readings: Mapping[str, Reading]) -> list[GroupReading]:
        """Each group's value: its first member reading a problem, else unknown if any member is
        unknown, else ok."""
        out: list[GroupReading] = []
        for group, members in self._groups.items():
            problem = next(
                (c for c in members if readings[c.name].state in (State.WARNING, State.FAILING)), None
            )
            if problem is not None:
                out.append(GroupReading(group, problem, readings[problem.name]))
            elif any(readings[c.name].state is State.UNKNOWN for c in members):
                out.append(GroupReading(group, None, UNKNOWN))
            else:
                out.append(GroupReading(group, None, OK))
        return out


# --- detectors ---------------------------------------------------------------------------------


def _status_is(status: NodeStatus) -> Detector:
    """Failing when the merged status is ``status``; ok when the node is in the epoch without that
    problem; unknown when a stronger status hides it (a jailed node cannot tell whether it is also
    offline) or nothing is known."""

    def detect(facts: NodeFacts) -> Reading:
        obs = facts.obs
        if obs.status is NodeStatus.UNKNOWN:
            return UNKNOWN
        if obs.status is status:
            return Reading(State.FAILING, summary=None, numbers=_status_numbers(obs))
        if obs.status in (NodeStatus.HEALTHY, NodeStatus.UNHEALTHY) or status is NodeStatus.UNHEALTHY:
            return OK
        return UNKNOWN

    return detect


#: the label of a status reason among a reading's numbers (``/node`` shows the reason on its own)
REASON = N_("Reason")


def _status_numbers(obs: Observation) -> tuple[tuple[str, Text], ...]:
    out: list[tuple[str, Text]] = []
    if obs.reason:
        source = L_("{reason} (source: {source})", reason=obs.reason, source=obs.source)
        out.append((REASON, source if obs.source else obs.reason))
    if obs.jailed_until is not None:
        out.append((N_("Jailed until"), obs.jailed_until.strftime("%Y-%m-%d %H:%M UTC")))
    if obs.ready_to_unjail is not None:
        out.append((N_("Unjail"), N_("ready now") if obs.ready_to_unjail else N_("not ready yet")))
    return tuple(out)


def _unhealthy(facts: NodeFacts) -> Reading:
    obs = facts.obs
    if obs.status is NodeStatus.UNKNOWN:
        return UNKNOWN
    if obs.status is NodeStatus.UNHEALTHY:
        return Reading(State.FAILING, numbers=_status_numbers(obs))
    return OK


def _status_conditions() -> list[Condition]:
    return [
        Condition(
            name="jailed",
            detector=_status_is(NodeStatus.JAILED),
            texts=Texts(
                title=N_("Jailed"),
                what=N_("The validator was jailed on-chain: it signed too few of the recent blocks."),
                cost=(
                    N_(
                        "It is out of block production until unjailed; it keeps most of its reward while "
                        "it stays active in inference, and collateral may be slashed for the downtime."
                    )
                ),
                todo=(
                    N_("1. Fix the cause: check the node is running, synced and reachable."),
                    N_("2. When the jail period is over, unjail it from the operator key:"),
                ),
                recovery=N_("The validator is no longer jailed."),
                command=UNJAIL_HINT,
            ),
            setting="jailed",
            metric="jailed",
            urgent=True,
            confirm_polls=1,
            reminders=True,
            group="status",
        ),
        Condition(
            name="offline",
            detector=_status_is(NodeStatus.OFFLINE),
            texts=Texts(
                title=N_("Offline"),
                what=N_(
                    "The node is not taking part in the current epoch or its public /health check fails."
                ),
                cost=N_("It does no work and earns nothing while it is out."),
                todo=(
                    N_(
                        "Check that the node and its ML nodes are running and reachable, and that it passed "
                        "the epoch's PoC; it rejoins at the next PoC once healthy."
                    ),
                ),
                recovery=N_("The node is back in the epoch and reachable."),
            ),
            setting="offline",
            metric="offline",
            urgent=True,
            confirm_polls=3,
            reminders=True,
            held_in_poc=True,
            group="status",
        ),
        Condition(
            name="unhealthy",
            detector=_unhealthy,
            texts=Texts(
                title=N_("Unhealthy"),
                what=(
                    N_(
                        "The node is in the epoch but reports problems (missed or invalidated inferences, "
                        "failed health checks)."
                    )
                ),
                cost=N_("Missed and invalidated work pays nothing and can lead to an exclusion."),
                todo=(N_("Check its logs and GPUs."),),
                recovery=N_("The node reports no problems."),
            ),
            setting="unhealthy",
            metric="unhealthy",
            urgent=False,
            confirm_polls=3,
            group="status",
            default_on=False,
        ),
    ]


# --- what costs a host its epoch reward (the 2026 chain) ----------------------------------------

#: an exclusion's reason in plain words, and only what it really costs (reasons seen in real data,
#: plus ``downtime`` from the chain's code). INVALID reasons slash collateral and reset reputation; a
#: failed confirmation PoC slashes nothing (``confirmation_poc_params.slash_fraction`` is 0); downtime
#: is slashed at settlement.
_REWARD_ZEROED = N_("The whole reward of this epoch is zeroed.")
_ZEROED_AND_SLASHED = N_(
    "The whole reward of this epoch is zeroed. Collateral is slashed and the node's reputation is reset."
)
EXCLUSION_REASONS: Mapping[str, tuple[str, str]] = {
    "failed_confirmation_poc": (
        N_("it failed the epoch's confirmation PoC (its confirmation ratio fell under the threshold)"),
        N_("The whole reward of this epoch is zeroed. Nothing is slashed for this reason."),
    ),
    "statistical_invalidations": (
        N_("too many of its inferences were invalidated (the chain marked it INVALID)"),
        _ZEROED_AND_SLASHED,
    ),
    "consecutive_failures": (
        N_("too many of its inferences failed in a row (the chain marked it INVALID)"),
        _ZEROED_AND_SLASHED,
    ),
    "downtime": (
        N_("it missed too many of the inferences it was given (downtime)"),
        N_(
            "The whole reward of this epoch is zeroed. Collateral is slashed for the downtime when the "
            "epoch settles."
        ),
    ),
}


def _lazy(text: Text) -> LazyText:
    """A text as a value of another (a source string inside a sentence is translated with it)."""
    return text if isinstance(text, LazyText) else L_(text)


def _sentences(*parts: Text) -> Text:
    """Sentences one after the other, each translated on its own."""
    out = parts[0]
    for part in parts[1:]:
        out = L_("{first} {second}", first=_lazy(out), second=_lazy(part))
    return out


def _epoch(obs: Observation) -> str | None:
    return None if obs.epoch_id is None else str(obs.epoch_id)


def _excluded(facts: NodeFacts) -> Reading:
    obs = facts.obs
    if obs.status is NodeStatus.UNKNOWN:
        return UNKNOWN
    reason = obs.excluded_reason
    if reason is None:
        return OK
    known = EXCLUSION_REASONS.get(reason)
    words: Text = known[0] if known else L_("the chain gave the reason “{reason}”", reason=reason)
    cost = known[1] if known else _REWARD_ZEROED
    summary = (
        L_("Excluded from epoch {epoch}: {words}.", epoch=obs.epoch_id, words=_lazy(words))
        if obs.epoch_id is not None
        else L_("Excluded from the current epoch: {words}.", words=_lazy(words))
    )
    return Reading(
        State.FAILING,
        summary=summary,
        numbers=((N_("Exclusion reason"), reason),),
        cost=cost,
        episode=_epoch(obs),
    )


_CHAIN_STATUS: Mapping[str, tuple[str, str]] = {
    "INACTIVE": (
        N_(
            "The chain marked the node INACTIVE: it missed too many of the inferences it was given. It "
            "stays INACTIVE until the epoch ends."
        ),
        N_("It gets no more work this epoch, so it earns nothing more until the next one."),
    ),
    "INVALID": (
        N_(
            "The chain marked the node INVALID: too many of its inferences failed validation. It stays "
            "INVALID until the epoch ends."
        ),
        _ZEROED_AND_SLASHED,
    ),
}


def _chain_status(facts: NodeFacts) -> Reading:
    obs = facts.obs
    if obs.status is NodeStatus.UNKNOWN or obs.chain_status is None:
        return UNKNOWN
    known = _CHAIN_STATUS.get(obs.chain_status)
    if known is None:
        return Reading(State.OK, numbers=((N_("Chain status"), obs.chain_status),))
    summary, cost = known
    return Reading(
        State.FAILING,
        summary=summary,
        numbers=((N_("Chain status"), obs.chain_status),),
        cost=cost,
        episode=_epoch(obs),
    )


def _fmt(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


def _cpoc_ratio(facts: NodeFacts) -> Reading:
    obs, t = facts.obs, facts.thresholds
    ratio = obs.confirmation_poc_ratio
    if obs.status is NodeStatus.UNKNOWN or ratio is None or t is None:
        return UNKNOWN  # the ratio is null before the epoch's first confirmation PoC
    value = L_(
        "{ratio} (the epoch's threshold: {threshold})", ratio=_fmt(ratio), threshold=_fmt(t.cpoc_alpha)
    )
    numbers: tuple[tuple[str, Text], ...] = ((N_("Confirmation PoC ratio"), value),)
    if ratio > t.cpoc_alpha:
        return Reading(State.OK, numbers=numbers)
    network = facts.network
    # DERIVED: confirmation PoCs run during the epoch's inference phase; once the next PoC phase has
    # begun (and no confirmation PoC is running) no event is left that could lift this epoch's ratio
    final = network is not None and network.poc_phase and not network.offline_held_by_cpoc
    if final:
        return Reading(
            State.FAILING,
            summary=N_("The confirmation PoC ratio ended the epoch at or under the threshold."),
            numbers=numbers,
            cost=N_(
                "The whole reward of this epoch is zeroed. Nothing is slashed for a failed confirmation PoC."
            ),
            episode=_epoch(obs),
        )
    return Reading(
        State.WARNING,
        summary=N_(
            "The confirmation PoC ratio is at or under the threshold. The epoch can still recover if "
            "the next confirmation PoCs of this epoch pass."
        ),
        numbers=numbers,
        cost=N_(
            "If it is still under the threshold when the epoch's confirmation PoCs are over, the "
            "whole reward of this epoch is lost."
        ),
        episode=_epoch(obs),
    )


def _llr_warning(facts: NodeFacts) -> Reading:
    obs, t = facts.obs, facts.thresholds
    if obs.status is NodeStatus.UNKNOWN or t is None:
        return UNKNOWN
    share = facts.options.llr_warning_share
    numbers: list[tuple[str, Text]] = []
    over: list[Text] = []
    for label, value, threshold, becomes in (
        ("invalidLLR", obs.invalid_llr, t.invalidation_h, "INVALID"),
        ("inactiveLLR", obs.inactive_llr, t.downtime_h, "INACTIVE"),
    ):
        if value is None or threshold <= 0:
            continue
        part = value / threshold
        numbers.append(
            (
                label,
                L_(
                    "{value} of {threshold} ({percent} %)",
                    value=_fmt(value),
                    threshold=_fmt(threshold),
                    percent=f"{part * 100:.0f}",
                ),
            )
        )
        if part >= share:
            over.append(
                L_(
                    "{label} is past {percent} % of the threshold that makes the node {becomes}.",
                    label=label,
                    percent=f"{share * 100:.0f}",
                    becomes=becomes,
                )
            )
    if not numbers:
        return UNKNOWN
    if not over:
        return Reading(State.OK, numbers=tuple(numbers))
    return Reading(
        State.WARNING,
        summary=_sentences(*over),
        numbers=tuple(numbers),
        episode=_epoch(obs),
    )


def _reward_conditions() -> list[Condition]:
    return [
        Condition(
            name="excluded",
            detector=_excluded,
            texts=Texts(
                title=N_("Excluded from the epoch"),
                what=N_("The chain excluded the node from the current epoch."),
                cost=_REWARD_ZEROED,
                todo=(
                    N_(
                        "Fix the cause named above (check the node's logs, its ML nodes and GPUs, and that "
                        "it is reachable) before the next PoC: the node can take part again from the next "
                        "epoch."
                    ),
                ),
                recovery=N_("The node is no longer excluded: it takes part in the epoch again."),
            ),
            setting="excluded",
            metric="excluded",
            urgent=True,
        ),
        Condition(
            name="chain_status",
            detector=_chain_status,
            texts=Texts(
                title=N_("Chain status"),
                what=N_("The chain marked the node INACTIVE or INVALID for the rest of the epoch."),
                cost=N_("It earns nothing more this epoch."),
                todo=(
                    N_("INACTIVE: make sure the node and its ML nodes answer the inferences they are given."),
                    N_(
                        "INVALID: check the ML nodes' models, versions and GPUs: their results fail "
                        "validation."
                    ),
                ),
                recovery=N_("The chain no longer marks the node INACTIVE or INVALID."),
            ),
            setting="chain_status",
            metric="chain_status",
            urgent=True,
            explained_by=("excluded",),
        ),
        Condition(
            name="cpoc_ratio",
            detector=_cpoc_ratio,
            texts=Texts(
                title=N_("Low confirmation PoC"),
                what=N_("The node's confirmation PoC ratio is at or under the chain's threshold."),
                cost=(
                    N_(
                        "Under the threshold when the epoch's confirmation PoCs are over, the epoch's "
                        "reward is lost."
                    )
                ),
                todo=(
                    N_(
                        "Check that every ML node is up and serving its model with the weight it claimed, "
                        "and keep it up through the confirmation PoCs."
                    ),
                ),
                recovery=N_("The confirmation PoC ratio is above the threshold again."),
            ),
            setting="cpoc_ratio",
            metric="cpoc_ratio",
            urgent=True,
            explained_by=("excluded",),
        ),
        Condition(
            name="llr_warning",
            detector=_llr_warning,
            texts=Texts(
                title=N_("Early warning (SPRT)"),
                what=(
                    N_(
                        "The chain's log-likelihood ratio (invalidLLR or inactiveLLR) is approaching the "
                        "threshold that marks the node INVALID or INACTIVE."
                    )
                ),
                cost=(
                    N_(
                        "Nothing yet. At the threshold the node is marked INVALID (reward lost, collateral "
                        "slashed, reputation reset) or INACTIVE (no more work this epoch)."
                    )
                ),
                todo=(
                    N_("invalidLLR: check the ML nodes' models, versions and GPUs for wrong results."),
                    N_("inactiveLLR: check that the node answers every inference (load, network, ML nodes)."),
                ),
                recovery=N_("The log-likelihood ratios are back under the warning share."),
            ),
            setting="llr_warning",
            metric="llr_warning",
            urgent=False,
            explained_by=("excluded", "chain_status"),
        ),
    ]


# --- conditions e-h: per-host probes and chain look-ups (bot.domain.probes) ----------------------

_PROBE_LABELS = {
    "epoch": N_("Epoch"),
    "no_participation_penalty": N_("Non-participation penalty"),
    "models_due": N_("Models with a penalty"),
    "models_without_participation": N_("Neither run, delegated nor refused"),
    "delegates_without_poc": N_("Delegated to a host without PoC"),
    "penalty_starts_soon": N_("Penalty starts"),
    "models_unknown": N_("Not known for"),
    "weight": N_("Weight"),
    "deposited_gnk": N_("Collateral deposited"),
    "required_gnk": N_("Collateral required"),
    "shortfall_gnk": N_("Short by"),
    "margin_gnk": N_("Margin"),
    "weight_at_risk": N_("Weight not backed"),
    "grace_period_end_epoch": N_("Grace period until epoch"),
    "api_version": N_("API version"),
    "network_api_version": N_("Network's API version"),
    "network_share": N_("Weight on it"),
    "mlnodes_behind": N_("ML nodes behind"),
    "mlnode_versions": N_("ML-node versions"),
    "network_mlnode_version": N_("Network's ML-node version"),
    "mlnodes_up": N_("ML nodes up"),
    "mlnodes_down": N_("ML nodes down"),
    "mlnodes_unknown": N_("ML nodes not reporting"),
    "down": N_("Down"),
}
_GNK = frozenset({"deposited_gnk", "required_gnk", "shortfall_gnk", "margin_gnk"})
_SHARE = frozenset({"no_participation_penalty", "network_share"})


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _probe_number(label: str, value: object) -> tuple[str, Text]:
    if label in _GNK and isinstance(value, Decimal):
        text = f"{value.normalize():f} GNK"
    elif label in _SHARE and isinstance(value, Decimal):
        text = _percent(value)
    elif isinstance(value, LazyText):
        return _PROBE_LABELS.get(label, label), value
    else:
        text = str(value)
    return _PROBE_LABELS.get(label, label), text


def _probe_reading(finding: Finding, summary: Text | None = None, cost: Text | None = None) -> Reading:
    numbers = tuple(_probe_number(k, v) for k, v in finding.numbers)
    return Reading(State(finding.state.value), summary=summary, numbers=numbers, cost=cost)


def _probe_facts(facts: NodeFacts) -> ProbeFacts | None:
    got = facts.extra.get(PROBE_FACTS)  # filled by bot.poller.probes.ProbeFactsCollector
    return got if isinstance(got, ProbeFacts) else None


def _model_participation(facts: NodeFacts) -> Reading:
    pf = _probe_facts(facts)
    if pf is None:
        return UNKNOWN
    f = model_participation(pf.node, pf.network, warn_epochs=pf.warn_epochs)
    summary: Text | None = None
    cost: Text | None = None
    if f.state is ProbeState.FAILING:
        if f.number("models_without_participation") is not None:
            summary = L_(
                "No run, delegation or refusal for {models} although its penalty has started.",
                models=f.number("models_without_participation"),
            )
        else:
            summary = L_(
                "A delegate did not commit PoC to the model: {delegates}; that counts as no participation.",
                delegates=f.number("delegates_without_poc"),
            )
    elif f.state is ProbeState.WARNING:
        summary = L_(
            "A model's penalty starts soon: {models}, and it is neither run, delegated nor refused.",
            models=f.number("penalty_starts_soon"),
        )
    penalty = pf.network.no_participation_penalty
    if penalty is not None and f.state in (ProbeState.FAILING, ProbeState.WARNING):
        cost = L_(
            "The chain's non-participation penalty ({penalty} in its params) is taken from the host's "
            "weight, and its reward with it, for every epoch this lasts.",
            penalty=_percent(penalty),
        )
    return _probe_reading(f, summary, cost)


def _collateral(facts: NodeFacts) -> Reading:
    pf = _probe_facts(facts)
    if pf is None:
        return UNKNOWN
    f = collateral(pf.node, pf.network, warn_margin=pf.collateral_margin)
    summary: Text | None = None
    cost: Text | None = None
    if f.state is ProbeState.FAILING:
        deposited = _probe_number("deposited_gnk", f.number("deposited_gnk"))[1]
        required = _probe_number("required_gnk", f.number("required_gnk"))[1]
        summary = L_(
            "Collateral {deposited} is under the {required} its weight {weight} requires.",
            deposited=deposited,
            required=required,
            weight=f.number("weight"),
        )
        cost = L_(
            "At the epoch boundary the chain cuts the weight the collateral does not back ({at_risk} of "
            "{weight}), and the reward with it.",
            at_risk=f.number("weight_at_risk"),
            weight=f.number("weight"),
        )
    elif f.state is ProbeState.WARNING:
        summary = N_("Collateral barely covers what the weight requires; weight moves between epochs.")
    return _probe_reading(f, summary, cost)


def _version_lag(facts: NodeFacts) -> Reading:
    pf = _probe_facts(facts)
    if pf is None:
        return UNKNOWN
    f = version_lag(pf.node, pf.network)
    summary: Text | None = None
    if f.state is ProbeState.FAILING:
        parts: list[Text] = []
        if f.reason and "API behind" in f.reason:
            parts.append(
                L_(
                    "The host's API {version} is behind {network}, which most of the network's weight runs.",
                    version=f.number("api_version"),
                    network=f.number("network_api_version"),
                )
            )
        if f.number("mlnodes_behind") is not None:
            parts.append(
                L_(
                    "ML nodes behind {version}: {mlnodes}.",
                    version=f.number("network_mlnode_version"),
                    mlnodes=f.number("mlnodes_behind"),
                )
            )
        if f.reason and "host not patched" in f.reason:
            parts.append(N_("The host is not patched (its /v1/versions lists no ML nodes)."))
        summary = _sentences(*parts) if parts else None
    return _probe_reading(f, summary)


def _mlnode_down(facts: NodeFacts) -> Reading:
    pf = _probe_facts(facts)
    if pf is None:
        return UNKNOWN
    f = mlnode_down(pf.node)
    summary = (
        L_("ML node {mlnode} is down (mlnode_up 0 on the host).", mlnode=f.number("down"))
        if f.fires
        else None
    )
    return _probe_reading(f, summary)


def _probe_conditions() -> list[Condition]:
    return [
        Condition(
            name="model_participation",
            detector=_model_participation,
            texts=Texts(
                title=N_("Model participation"),
                what=N_(
                    "A model whose penalty has started is neither run, delegated nor refused by the node."
                ),
                cost=N_(
                    "The chain's non-participation penalty is taken from the host's weight, and its reward."
                ),
                todo=(
                    N_(
                        "Run the model on an ML node, delegate it to a host that commits PoC to it, or "
                        "refuse it (a refusal costs less than doing nothing)."
                    ),
                ),
                recovery=N_(
                    "Every model with a penalty is now run, delegated to a host that committed PoC, "
                    "or refused."
                ),
            ),
            setting="model_participation",
            metric="model_participation",
            urgent=False,
        ),
        Condition(
            name="collateral",
            detector=_collateral,
            texts=Texts(
                title=N_("Collateral short"),
                what=N_("The deposited collateral is under what the node's weight requires."),
                cost=N_(
                    "At the epoch boundary the chain cuts the weight the collateral does not back, and the "
                    "reward with it."
                ),
                todo=(
                    N_(
                        "Deposit at least the shortfall before the next epoch starts (more as a buffer: "
                        "weight moves between epochs):"
                    ),
                ),
                recovery=N_("The collateral covers what the weight requires."),
                command="inferenced tx collateral deposit-collateral <amount>ngonka --from <your-key>",
            ),
            setting="collateral",
            metric="collateral",
            urgent=False,
        ),
        Condition(
            name="version_lag",
            detector=_version_lag,
            texts=Texts(
                title=N_("Version behind"),
                what=N_("The host or an ML node runs an older version than most of the network's weight."),
                cost=N_(
                    "Nothing is lost yet; a node behind the network risks failing PoC, confirmation PoC or "
                    "validation after an upgrade, which costs the epoch's reward."
                ),
                todo=(
                    N_(
                        "Upgrade outside PoC and confirmation PoC, one machine at a time: the few hundred "
                        "blocks before PoC with no confirmation PoC running are the safe window."
                    ),
                ),
                recovery=N_("The host and its ML nodes run what most of the network runs."),
            ),
            setting="version_lag",
            metric="version_lag",
            urgent=False,
        ),
        Condition(
            name="mlnode_down",
            detector=_mlnode_down,
            texts=Texts(
                title=N_("ML node down"),
                what=N_("An ML node of the host is down: the host reaches it but it fails (mlnode_up 0)."),
                cost=N_(
                    "It does no inference while down; down during a confirmation PoC or the next PoC, the "
                    "weight it carries is not confirmed, and the reward with it."
                ),
                todo=(
                    N_(
                        "Check the ML node's container, GPUs and logs; the host's /v1/mlnodes/metrics shows "
                        "mlnode_up 1 once it is back."
                    ),
                ),
                recovery=N_("The ML node is up again."),
            ),
            setting="mlnode_down",
            metric="mlnode_down",
            urgent=False,
            confirm_polls=2,
        ),
    ]


def _table() -> ConditionTable:
    status = {c.name: c for c in _status_conditions()}
    # an exclusion, INACTIVE/INVALID and a low cPoC ratio explain an offline or unhealthy status
    status["offline"] = replace(status["offline"], explained_by=("excluded", "chain_status"))
    status["unhealthy"] = replace(
        status["unhealthy"], explained_by=("excluded", "chain_status", "cpoc_ratio")
    )
    return ConditionTable([*_reward_conditions(), *status.values(), *_probe_conditions()])


#: every alert condition, in order (an explaining condition before the ones it explains; within a
#: group, stronger first)
CONDITIONS = _table()
