"""A TCP proxy between the client under test and the server, to cut and restore the network from a test."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable


class TcpProxy:
    """Forwards each connection on 127.0.0.1:`port` to `target` (a port). `reset()` drops every open connection (the
    client sees it end without a close frame), `refuse(True)` drops new ones at once (the server looks down),
    `drop_replies(True)` forwards the client's bytes but drops the server's (a request that arrives, whose answer is
    lost), `blackhole(True)` forwards nothing either way, `target` may be changed (another node)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = 0
        self.accepted = 0
        self._refuse = False
        self._drop_replies = False
        self._blackhole = False
        self._drop_frame: Callable[[str], bool] | None = None
        self._pairs: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def reset(self) -> None:
        for client, upstream in list(self._pairs):
            client.transport.abort()
            upstream.transport.abort()
        self._pairs.clear()

    def refuse(self, on: bool) -> None:
        self._refuse = on

    def drop_replies(self, on: bool) -> None:
        self._drop_replies = on

    def blackhole(self, on: bool) -> None:
        self._blackhole = on

    def drop_server_frames(self, predicate: Callable[[str], bool] | None) -> None:
        """Drops whole WebSocket text frames from the server whose text makes `predicate` true (None: none), keeping
        the framing intact: the client sees a stream with messages missing, as a node that lost some would send it."""
        self._drop_frame = predicate

    async def close(self) -> None:
        self.reset()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refuse:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self.accepted += 1
        pair = (writer, up_writer)
        self._pairs.add(pair)
        await asyncio.gather(self._pump(reader, up_writer), self._pump_frames(up_reader, writer),
                             return_exceptions=True)
        self._pairs.discard(pair)
        for end in pair:
            end.transport.abort()

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """The client's side, byte for byte."""
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await source.read(65536):
                if self._blackhole:
                    continue
                sink.write(chunk)
                await sink.drain()
        sink.transport.abort()

    async def _pump_frames(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        """The server's side: the upgrade response, then whole frames (server frames are not masked, RFC 6455 5.2)."""
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            head = await source.readuntil(b"\r\n\r\n")
            self._forward(sink, head)
            await sink.drain()
            upgraded = head.startswith(b"HTTP/1.1 101")
            while True:
                if not upgraded:
                    chunk = await source.read(65536)
                    if not chunk:
                        break
                    self._forward(sink, chunk)
                    await sink.drain()
                    continue
                header = await source.readexactly(2)
                length = header[1] & 0x7F
                extended = b""
                if length == 126:
                    extended = await source.readexactly(2)
                    length = int.from_bytes(extended, "big")
                elif length == 127:
                    extended = await source.readexactly(8)
                    length = int.from_bytes(extended, "big")
                payload = await source.readexactly(length)
                drop = self._drop_frame
                if drop is not None and header[0] & 0x0F == 1 and drop(payload.decode("utf-8", "replace")):
                    continue
                self._forward(sink, header + extended + payload)
                await sink.drain()
        sink.transport.abort()

    def _forward(self, sink: asyncio.StreamWriter, data: bytes) -> None:
        if not self._blackhole and not self._drop_replies:
            sink.write(data)
