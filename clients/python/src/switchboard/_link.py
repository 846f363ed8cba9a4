"""One WebSocket connection while it lasts: a reader that splits ``?batch=1`` frames into messages and answers server
pings, one writer that drains the command queue (paced to the server's rate limit), and a heartbeat that declares the
link dead after silence. It knows the transport rules of docs/protocol.md, not the commands; the client decides."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from ._commands import CommandQueue, Pacer
from ._protocol import decode_server_message, encode_command
from ._transport import Closed, Socket


class Link:
    def __init__(self, socket: Socket, queue: CommandQueue) -> None:
        self.socket = socket
        self._queue = queue
        self._lines: deque[str] = deque()
        loop = asyncio.get_running_loop()
        self._last_heard = loop.time()
        self._last_sent = loop.time()
        self._blocked = 0
        self._abandoned: str | None = None

    async def next_message(self) -> dict[str, Any]:
        """The next protocol message (server pings answered and dropped, undecodable lines dropped)."""
        while True:
            while not self._lines:
                text = await self.socket.recv()
                self._last_heard = asyncio.get_running_loop().time()
                # With ?batch=1 the server may put several messages in one frame, separated by \n.
                self._lines.extend(line for line in text.split("\n") if line)
            message = decode_server_message(self._lines.popleft())
            if message is None:
                continue  # Not a protocol message: dropped, the connection goes on.
            if message["type"] == "ping":
                self._queue.send_raw(encode_command({"type": "pong"}))
                continue
            return message

    def send_now(self, message: dict[str, Any]) -> Awaitable[None]:
        """Writes one frame directly (before ``welcome``, when the queue does not flow yet)."""
        return self.socket.send(encode_command(message))

    async def run(self, on_message: Callable[[dict[str, Any]], Awaitable[None]], ping_seconds: float,
                  heartbeat_timeout: float | None, limits: Any) -> tuple[int | None, str]:
        """Serves the connection until it ends; returns the close code (``None`` without a close frame) and reason."""
        writer = asyncio.create_task(self._write(Pacer(limits)))
        heartbeat = asyncio.create_task(self._heartbeat(ping_seconds, heartbeat_timeout))
        try:
            while True:
                await on_message(await self.next_message())
        except Closed as closed:
            if self._abandoned is not None:
                return None, self._abandoned
            return closed.code, closed.reason
        finally:
            writer.cancel()
            heartbeat.cancel()
            for task in (writer, heartbeat):
                with contextlib.suppress(asyncio.CancelledError, Closed):
                    await task

    def abandon(self, reason: str) -> None:
        """Gives up on a dead or unwanted connection without waiting for a close handshake."""
        if self._abandoned is None:
            self._abandoned = reason
        self.socket.abort()

    @contextlib.contextmanager
    def reader_blocked(self) -> Iterator[None]:
        """While the application is behind, the reader waits on it, not on the socket: that is not silence."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1
            self._last_heard = max(self._last_heard, asyncio.get_running_loop().time())

    async def _write(self, pacer: Pacer) -> None:
        while True:
            await pacer.acquire()
            item = await self._queue.take()
            await self.socket.send(item if isinstance(item, str) else item.payload)
            self._last_sent = asyncio.get_running_loop().time()

    async def _heartbeat(self, ping_seconds: float, heartbeat_timeout: float | None) -> None:
        interval = max(1.0, ping_seconds)
        timeout = heartbeat_timeout if heartbeat_timeout is not None else interval + 10
        # A server pings only clients that are silent, so a client that publishes often would otherwise hear nothing
        # from an idle server and take it for dead: the client pings a server it has not heard from.
        ping_after = min(interval, timeout / 2)
        tick = max(0.1, min(1.0, ping_after / 4))
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(tick)
            now = loop.time()
            if self._blocked:
                continue
            silent = now - self._last_heard
            if silent >= timeout:
                self.abandon("heartbeat timeout: nothing heard from the server")
                return
            if silent >= ping_after and now - self._last_sent >= ping_after:
                self._queue.send_raw(encode_command({"type": "ping"}))
                self._last_sent = now
