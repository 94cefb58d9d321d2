"""Lenient payload modelling shared by the clients.

The recordings show numbers both as JSON numbers and as strings (``"inference_count": "6"``), keys in
snake_case and camelCase (``epochPerformanceSummary``, ``confirmationPoCRatio``) and ``null`` for
anything unknown. Every payload model is a frozen, slotted pydantic dataclass using :data:`LENIENT`:
lax numeric coercion, both key spellings, unknown keys ignored, ``None`` defaults.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar, get_args

from pydantic import AliasChoices, AliasGenerator, ConfigDict, TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel

from bot.domain.node_stats import SkippedRows

T = TypeVar("T")


def _either_case(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


LENIENT = ConfigDict(
    extra="ignore",
    alias_generator=AliasGenerator(validation_alias=_either_case),
    populate_by_name=True,
    coerce_numbers_to_str=False,
)


async def read_all(chunks: AsyncIterator[bytes], limit: int = 32 << 20) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise ValueError(f"response larger than {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


def whole(adapter: TypeAdapter[T]) -> Callable[[AsyncIterator[bytes]], Awaitable[T]]:
    """A parser for small payloads: read the body, validate it against ``adapter``."""

    async def parse(chunks: AsyncIterator[bytes]) -> T:
        return adapter.validate_json(await read_all(chunks))

    return parse


# -- tolerance: one bad row is skipped and counted, never the reason a page fails ---------------------

#: a row's reason label when the failing field cannot be named (the row is not an object, ...)
INVALID = "invalid"


@dataclasses.dataclass(frozen=True, slots=True)
class FieldLabels:
    """Every key a payload model accepts (snake, camel, explicit aliases) -> its field name, and the
    labels of nested models: what turns a validation error's ``loc`` into a bounded metric label."""

    names: Mapping[str, str]
    nested: Mapping[str, FieldLabels]


def _model_of(annotation: Any) -> type | None:
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


@functools.cache
def field_labels(model: type, _depth: int = 0) -> FieldLabels:
    names: dict[str, str] = {}
    nested: dict[str, FieldLabels] = {}
    pyd_fields = getattr(model, "__pydantic_fields__", {})
    for f in dataclasses.fields(model):
        keys = {f.name, to_camel(f.name)}
        alias = getattr(pyd_fields.get(f.name), "validation_alias", None)
        if isinstance(alias, AliasChoices):
            keys |= {c for c in alias.choices if isinstance(c, str)}
        elif isinstance(alias, str):
            keys.add(alias)
        for k in keys:
            names[k] = f.name
        sub = _model_of(pyd_fields[f.name].annotation) if f.name in pyd_fields else None
        if sub is not None and _depth < 2:
            nested[f.name] = field_labels(sub, _depth + 1)
    return FieldLabels(names, nested)


def skip_reason(exc: ValidationError, labels: FieldLabels) -> tuple[str, str]:
    """(bounded label, detail for the log) of a row's first validation error.

    The label is the dotted field name (``weight``, ``current_epoch_stats.confirmation_poc_ratio``)
    when every part names a field of the model, else the known prefix, else :data:`INVALID`; never a
    key or value from the payload itself."""
    err = exc.errors(include_url=False, include_input=False)[0]
    loc = err.get("loc", ())
    parts: list[str] = []
    node: FieldLabels | None = labels
    for part in loc:
        if node is None or not isinstance(part, str) or part not in node.names:
            break
        name = node.names[part]
        parts.append(name)
        node = node.nested.get(name)
    label = ".".join(parts) or INVALID
    path = ".".join(str(p) for p in loc) or "(row)"
    return label, f"{path}: {err.get('msg', 'invalid')}"[:200]


def row_address(item: Any) -> str | None:
    """The participant address of a raw row, when it has a readable one."""
    if not isinstance(item, dict):
        return None
    for key in ("address", "index", "participant_id", "operator_address"):
        value = item.get(key)
        if isinstance(value, str) and 0 < len(value) <= 200:
            return value
    return None


def tolerant(
    validate: Callable[[Any], T], labels: FieldLabels, skipped: SkippedRows
) -> Callable[[Any], T | None]:
    """``validate`` that records a row failing validation in ``skipped`` (and returns None)."""

    def one(item: Any) -> T | None:
        try:
            return validate(item)
        except ValidationError as exc:
            label, detail = skip_reason(exc, labels)
            skipped.add(label, row_address(item), detail)
            return None

    return one


def validate_items_tolerant(
    adapter: TypeAdapter[T], model: type, into: list[T], skipped: SkippedRows
) -> Callable[[Any], None]:
    """An ``on_item`` for :func:`~integrations.jsonstream.parse_object_streaming` that validates each
    row against ``adapter`` and skips (and records) a row failing validation."""
    one = tolerant(adapter.validate_python, field_labels(model), skipped)

    def on_item(item: Any) -> None:
        got = one(item)
        if got is not None:
            into.append(got)

    return on_item
