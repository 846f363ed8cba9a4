"""A subscription that survives reconnects, read with ``async for``."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from ._protocol import is_wildcard
from .models import Position, PresenceEvent, Publication

if TYPE_CHECKING:
    from .client import Client

_END = object()


class Subscription:
    """A subscription to a channel or a wildcard pattern (``sensors.>``). ``async for pub in sub`` yields each
    publication once, in offset order, across reconnects: after each reconnect (and whenever the server reports a gap,
    or the stream's offsets jump) the client subscribes again with ``since`` = the last position delivered, and what is
    at or before it is dropped. When the server cannot recover, ``recovered`` is ``False`` and the next publication
    has ``follows_gap`` set: reload your state (e.g. ``client.history``).

    The iteration ends after ``unsubscribe()`` or ``client.close()``; it raises the ``CommandError`` when the server
    refused the subscription (e.g. ``forbidden``), and ``SwitchboardConnectionError`` when the client stopped for good
    (1008, 4005, ...). Thread safety: use it from the client's event loop only."""

    def __init__(self, client: Client, channel: str, since: Position | None, presence: bool, buffer_size: int,
                 on_presence: Callable[[PresenceEvent], Any] | None) -> None:
        self._client = client
        self.channel = channel
        self.is_wildcard = is_wildcard(channel)
        self.wants_presence = presence
        self._on_presence = on_presence
        self._position: Position | None = None if self.is_wildcard else since
        self._channel_positions: dict[str, Position] = {}
        self._gap_pending = False
        self._ever_subscribed = False
        self._items: deque[Any] = deque()
        self._limit = max(1, buffer_size)
        self._readable = asyncio.Event()
        self._writable = asyncio.Event()
        self._writable.set()
        #: Set while a resubscribe to heal a gap is in flight: live publications of the old subscription are dropped.
        self.healing = False
        #: The outcome of the last resubscribe (or of a subscribe with ``since``); ``None`` before any.
        self.recovered: bool | None = None
        #: How many publications the last recovery delivered.
        self.missed = 0
        self.state: Literal["subscribing", "subscribed", "unsubscribed"] = "subscribing"

    @property
    def position(self) -> Position | None:
        """The position of the last publication delivered (or of the channel's end when subscribed); ``None`` for
        patterns."""
        return None if self.is_wildcard else self._position

    def since_for_subscribe(self) -> Position | None:
        return None if self.is_wildcard else self._position

    async def unsubscribe(self) -> None:
        """Unsubscribes; the iteration ends after the publications already received."""
        await self._client._remove_subscription(self)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Publication:
        while not self._items:
            self._readable.clear()
            await self._readable.wait()
        item = self._items[0]
        if item is _END:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        self._items.popleft()
        if len(self._items) < self._limit:
            self._writable.set()
        assert isinstance(item, Publication)
        return item

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.unsubscribe()

    # --- called by the client -------------------------------------------------------------------------------------

    async def on_subscribed(self, result: Any, sent_since: bool) -> None:
        """A successful subscribe result: applies recovery (delivering what was missed first)."""
        result = result if isinstance(result, dict) else {}
        resubscribed = self._ever_subscribed
        self._ever_subscribed = True
        self.state = "subscribed"
        self.healing = False
        self.missed = 0
        if self.is_wildcard:
            if resubscribed:
                self.recovered = False  # Patterns have no recovery.
                self._gap_pending = True
            return
        end = Position(int(result.get("offset") or 0), str(result.get("epoch") or ""))
        if not sent_since:
            if self._position is None or self._position.epoch != end.epoch or self._position.offset < end.offset:
                self._position = end
        elif result.get("recovered") is True:
            self.recovered = True
            for message in result.get("publications") or []:
                if isinstance(message, dict) and await self._deliver(message):
                    self.missed += 1
            if self._position is None or self._position.epoch != end.epoch or self._position.offset < end.offset:
                self._position = end
        else:
            self.recovered = False
            self._position = end
            self._gap_pending = True

    async def on_publication(self, message: dict[str, Any]) -> Literal["ok", "gap"]:
        """A live publication. ``"gap"`` when its offset shows that something is missing: the client then subscribes
        again from the last delivered position, which recovers it (or reports that it cannot)."""
        if self.healing:
            return "ok"  # From the old subscription: the resubscribe's result brings it.
        offset, epoch = message.get("offset"), message.get("epoch")
        last = self._position
        if not self.is_wildcard and last is not None and isinstance(offset, int):
            if last.epoch == epoch and offset > last.offset + 1:
                return "gap"
            if last.epoch != epoch and last.epoch != "" and last.offset > 0:
                return "gap"
        await self._deliver(message)
        return "ok"

    async def on_direct(self, message: dict[str, Any]) -> None:
        """A server send to this channel: outside the stream, at most once."""
        await self._put(Publication.from_wire(message))

    def on_presence(self, event: PresenceEvent) -> None:
        if self._on_presence is not None:
            self._on_presence(event)

    def mark_gap(self) -> None:
        self._gap_pending = True
        self.recovered = False

    def end(self, error: BaseException | None = None) -> None:
        """The subscription is over: the iteration ends (or raises ``error``) after what was received."""
        if self.state == "unsubscribed":
            return
        self.state = "unsubscribed"
        self._items.append(_END if error is None else error)
        self._readable.set()
        self._writable.set()

    async def _deliver(self, message: dict[str, Any]) -> bool:
        offset, epoch = message.get("offset"), message.get("epoch")
        if not isinstance(offset, int) or not isinstance(epoch, str):
            return False
        if not self.is_wildcard:
            last = self._position
            # At or before the last delivered one of the same stream: delivered already (a recovery overlapping live
            # delivery, or the copy the server sends for an overlapping pattern subscription).
            if last is not None and last.epoch == epoch and offset <= last.offset:
                return False
            self._position = Position(offset, epoch)
        else:
            channel = str(message.get("channel", ""))
            seen = self._channel_positions.get(channel)
            if seen is not None and seen.epoch == epoch and offset <= seen.offset:
                return False
            if seen is not None and (seen.epoch != epoch or offset > seen.offset + 1):
                self._gap_pending = True
            self._channel_positions[channel] = Position(offset, epoch)
        follows_gap = self._gap_pending
        self._gap_pending = False
        await self._put(Publication.from_wire(message, follows_gap))
        return True

    async def _put(self, publication: Publication) -> None:
        if self._ended():
            return
        # A reader that falls buffer_size behind stops the client reading the socket: the server then closes with
        # 4003 (slow consumer), and the client reconnects and recovers.
        while len(self._items) >= self._limit and not self._ended():
            self._writable.clear()
            with self._client._reader_blocked():
                await self._writable.wait()
        if not self._ended():
            self._items.append(publication)
            self._readable.set()

    def _ended(self) -> bool:
        return self.state == "unsubscribed"
