"""The alert-condition table itself: every entry is complete, and the table's own checks hold."""

from __future__ import annotations

import pytest

from bot.domain.conditions import CONDITIONS, OK, Condition, ConditionTable, NodeFacts, Reading, State, Texts

IDS = [c.name for c in CONDITIONS]


@pytest.mark.parametrize("condition", list(CONDITIONS), ids=IDS)
def test_every_condition_has_its_texts_setting_and_metric_label(condition: Condition) -> None:
    t = condition.texts
    assert t.title.strip() and t.what.strip() and t.cost.strip(), "what happened and what it costs"
    assert t.todo and all(line.strip() for line in t.todo), "what to do"
    assert t.recovery.strip(), "the recovery text"
    assert condition.setting.strip() and condition.setting.isidentifier(), "the setting it belongs to"
    assert condition.metric.strip() and condition.metric.replace("_", "").isalnum(), "its metric label"
    assert condition.confirm_polls >= 1


def test_metric_labels_are_unique() -> None:
    labels = [c.metric for c in CONDITIONS]
    assert len(labels) == len(set(labels))


def test_a_setting_shared_by_conditions_has_one_default() -> None:
    for s in CONDITIONS.settings:
        assert {c.default_on for c in CONDITIONS if c.setting == s.name} == {s.default_on}


def _texts() -> Texts:
    return Texts("T", "what", "cost", ("do",), "back")


def _fine(facts: NodeFacts) -> Reading:
    return OK


def test_the_table_refuses_a_duplicate_name_and_a_later_explanation() -> None:
    one = Condition("one", _fine, _texts(), "one", "one", urgent=False)
    with pytest.raises(ValueError, match="twice"):
        ConditionTable([one, one])
    late = Condition("two", _fine, _texts(), "two", "two", urgent=False, explained_by=("three",))
    with pytest.raises(ValueError, match="earlier"):
        ConditionTable([one, late])


def test_settings_are_listed_from_the_table_in_order() -> None:
    names = [s.name for s in CONDITIONS.settings]
    assert {"jailed", "offline", "unhealthy", "excluded", "chain_status", "cpoc_ratio"} <= set(names)
    assert set(names) == {c.setting for c in CONDITIONS}
    assert State.UNKNOWN.value == "unknown"
