"""The WebSocket library, behind one small interface, for both of websockets' API generations: the asyncio
implementation of websockets 13 and later (``websockets.asyncio.client``), and the legacy one that is all Debian 12's
10.4 has (``websockets.client``). Only the keyword for extra headers differs between them for what this client uses."""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed

try:
    _connect: Any = importlib.import_module("websockets.asyncio.client").connect
    GENERATION = "asyncio"
    _HEADERS = "additional_headers"
except ImportError:  # websockets < 13
    _connect = importlib.import_module("websockets.client").connect
    GENERATION = "legacy"
    _HEADERS = "extra_headers"

VERSION: str = getattr(websockets, "__version__", "unknown")
SUBPROTOCOL = "switchboard.v1.json"
# History pages and recovery results may be up to half the server's outgoing queue (1 MiB by default), in one frame.
MAX_FRAME = 16 * 1024 * 1024


class Closed(Exception):
    """The socket ended: ``code`` and ``reason`` of the close frame received, ``None``/"" without one."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed ({code}): {reason}")
        self.code = code
        self.reason = reason


class Socket:
    """One open WebSocket: send text, receive text, close, abort."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @staticmethod
    async def open(url: str, headers: dict[str, str], timeout: float) -> Socket:
        kwargs: dict[str, Any] = {
            _HEADERS: headers,
            "subprotocols": [SUBPROTOCOL],
            "open_timeout": timeout,
            # The protocol has its own JSON heartbeat (docs/protocol.md), like the other clients.
            "ping_interval": None,
            "close_timeout": 2,
            "max_size": MAX_FRAME,
        }
        try:
            return Socket(await _connect(url, **kwargs))
        except ConnectionClosed as closed:
            raise Closed(*_close_of(closed)) from None

    async def send(self, text: str) -> None:
        try:
            await self._inner.send(text)
        except ConnectionClosed as closed:
            raise Closed(*_close_of(closed)) from None

    async def recv(self) -> str:
        try:
            data = await self._inner.recv()
        except ConnectionClosed as closed:
            raise Closed(*_close_of(closed)) from None
        return data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        try:
            await asyncio.wait_for(self._inner.close(code, reason), 3)
        except (asyncio.TimeoutError, ConnectionClosed, OSError):
            self.abort()

    def abort(self) -> None:
        """Drops the TCP connection without a close handshake (a dead link would make the handshake wait long)."""
        transport = getattr(self._inner, "transport", None)
        if transport is not None:
            transport.abort()


def _close_of(closed: ConnectionClosed) -> tuple[int | None, str]:
    received = getattr(closed, "rcvd", None)
    if received is None:
        return None, ""
    return int(received.code), str(received.reason)
