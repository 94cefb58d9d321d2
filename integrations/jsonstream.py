"""Incremental JSON: walk an object arriving in chunks and hand each element of one array to a callback.

A tracker's bulk payload is one object with one big array (``participants``). Parsing it whole keeps
the raw bytes and a full tree of every participant alive at once (docs/performance.md: the peak);
here each element is decoded on its own by the C scanner of :mod:`json`, given to ``on_item`` (which
validates it into a compact record) and dropped. Everything outside the array is returned as a dict,
with the array replaced by an empty list. A truncated or malformed body raises :class:`ValueError`.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

_WS = " \t\r\n"
_DECODER = json.JSONDecoder()
_COMPACT_AT = 1 << 16


class _Reader:
    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.buf = ""
        self.pos = 0
        self.eof = False

    async def fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            self.eof = True
            self.buf += self._utf8.decode(b"", final=True)
            return False
        if self.pos > _COMPACT_AT:
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += self._utf8.decode(chunk)
        return True

    async def peek(self) -> str:
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return buf[pos]
            if not await self.fill():
                return ""

    async def expect(self, char: str) -> None:
        got = await self.peek()
        if got != char:
            raise ValueError(f"expected {char!r} at offset {self.pos}, got {got[:1]!r}")
        self.pos += 1

    async def value(self) -> Any:
        await self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                end = -1
            # a number or literal that touches the end of the buffer may continue in the next chunk
            if end != -1 and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            if self.eof:
                raise ValueError(f"truncated or malformed JSON at offset {self.pos}")
            # grow the buffer geometrically before retrying, so a large value is scanned O(n) times
            target = 2 * max(len(self.buf) - self.pos, 1 << 16)
            while len(self.buf) - self.pos < target and await self.fill():
                pass


async def parse_object_streaming(
    chunks: AsyncIterator[bytes], path: tuple[str, ...], on_item: Callable[[Any], None]
) -> dict[str, Any]:
    """Parse the object in ``chunks``; every element of the array at ``path`` goes to ``on_item``."""
    reader = _Reader(chunks)
    result = await _object(reader, path, on_item)
    if await reader.peek() != "":
        raise ValueError("trailing data after the JSON object")
    return result


async def _object(reader: _Reader, path: tuple[str, ...], on_item: Callable[[Any], None]) -> dict[str, Any]:
    await reader.expect("{")
    result: dict[str, Any] = {}
    if await reader.peek() == "}":
        reader.pos += 1
        return result
    while True:
        key = await reader.value()
        if not isinstance(key, str):
            raise ValueError("object key is not a string")
        await reader.expect(":")
        nxt = await reader.peek()
        if path and key == path[0] and len(path) == 1 and nxt == "[":
            await _array(reader, on_item)
            result[key] = []
        elif path and key == path[0] and len(path) > 1 and nxt == "{":
            result[key] = await _object(reader, path[1:], on_item)
        else:
            result[key] = await reader.value()
        sep = await reader.peek()
        reader.pos += 1
        if sep == "}":
            return result
        if sep != ",":
            raise ValueError(f"expected ',' or '}}' at offset {reader.pos - 1}")


async def _array(reader: _Reader, on_item: Callable[[Any], None]) -> None:
    await reader.expect("[")
    if await reader.peek() == "]":
        reader.pos += 1
        return
    while True:
        on_item(await reader.value())
        sep = await reader.peek()
        reader.pos += 1
        if sep == "]":
            return
        if sep != ",":
            raise ValueError(f"expected ',' or ']' at offset {reader.pos - 1}")
