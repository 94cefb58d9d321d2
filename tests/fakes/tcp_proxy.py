"""A loopback TCP proxy a test puts between the bot and PostgreSQL to stage a failover.

``cut()`` closes every open connection at once (a FIN, as a failover manager or a load balancer
dropping the old primary's connections does): a query in flight on one of them fails with a lost
connection (asyncpg's ``ConnectionDoesNotExistError``), not with a server error;
``cut(reset=True)`` resets them instead (``ConnectionResetError``). New connections are accepted
again at once (the new primary), unless ``refuse`` is set, which closes them on arrival.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self.refuse = False
        self.port = 0
        self.cuts = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self.cut()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def cut(self, *, reset: bool = False) -> None:
        """Drop every open connection (both sides)."""
        self.cuts += 1
        for client, upstream in list(self._pairs):
            upstream.transport.abort()
            if reset:
                client.transport.abort()
            else:
                client.transport.close()
        self._pairs.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refuse:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self._pairs.add(pair)
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._pairs.discard(pair)
            for w in pair:
                w.transport.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.close()
