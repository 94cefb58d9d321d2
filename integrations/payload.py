"""Lenient payload modelling shared by the clients.

The recordings show numbers both as JSON numbers and as strings (``"inference_count": "6"``), keys in
snake_case and camelCase (``epochPerformanceSummary``, ``confirmationPoCRatio``) and ``null`` for
anything unknown. Every payload model is a frozen, slotted pydantic dataclass using :data:`LENIENT`:
lax numeric coercion, both key spellings, unknown keys ignored, ``None`` defaults.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from pydantic import AliasChoices, AliasGenerator, ConfigDict, TypeAdapter
from pydantic.alias_generators import to_camel

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


def validate_items(adapter: TypeAdapter[T], into: list[T]) -> Callable[[Any], None]:
    """An ``on_item`` for :func:`~integrations.jsonstream.parse_object_streaming`."""

    def on_item(item: Any) -> None:
        into.append(adapter.validate_python(item))

    return on_item
