"""The values the client and the HTTP API hand to the application."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

State = Literal["disconnected", "connecting", "connected", "closed"]


class Position(NamedTuple):
    """A place in a channel's stream: the offset of a publication and the stream's epoch."""

    offset: int
    epoch: str

    @staticmethod
    def of(value: Position | tuple[int, str] | dict[str, Any]) -> Position:
        """A position from a ``Position``, an ``(offset, epoch)`` tuple or a ``{"offset", "epoch"}`` dict."""
        if isinstance(value, dict):
            return Position(int(value["offset"]), str(value["epoch"]))
        offset, epoch = value
        return Position(int(offset), str(epoch))

    def wire(self) -> dict[str, Any]:
        return {"offset": self.offset, "epoch": self.epoch}


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who published: the connection id and its user (``None`` when anonymous)."""

    client: str
    user: str | None


@dataclass(frozen=True, slots=True)
class Publication:
    """One publication of a channel. ``offset`` and ``epoch`` are ``None`` for a server send (outside any stream).
    ``publisher`` is ``None`` for server-side publications (the HTTP API, .NET code). ``follows_gap`` is ``True`` when
    publications before this one were lost for good (history no longer held them): reload your state."""

    channel: str
    data: Any
    offset: int | None
    epoch: str | None
    publisher: Publisher | None = None
    ts: int | None = None
    follows_gap: bool = False

    @property
    def position(self) -> Position | None:
        return None if self.offset is None or self.epoch is None else Position(self.offset, self.epoch)

    @staticmethod
    def from_wire(message: dict[str, Any], follows_gap: bool = False) -> Publication:
        sender = message.get("from")
        publisher = Publisher(str(sender.get("client", "")), sender.get("user")) if isinstance(sender, dict) else None
        offset = message.get("offset")
        return Publication(
            channel=str(message.get("channel", "")),
            data=message.get("data"),
            offset=offset if isinstance(offset, int) else None,
            epoch=message.get("epoch") if isinstance(message.get("epoch"), str) else None,
            publisher=publisher,
            ts=message.get("ts") if isinstance(message.get("ts"), int) else None,
            follows_gap=follows_gap,
        )


@dataclass(frozen=True, slots=True)
class PresenceClient:
    """A client subscribed to a channel: its connection id, user and the token's ``info`` claim."""

    client: str
    user: str | None
    info: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_wire(value: dict[str, Any]) -> PresenceClient:
        info = value.get("info")
        return PresenceClient(str(value.get("client", "")), value.get("user"), info if isinstance(info, dict) else {})


@dataclass(frozen=True, slots=True)
class PresenceEvent:
    """Another client joined (``joined`` True) or left a channel this client subscribed to with ``presence=True``."""

    channel: str
    joined: bool
    client: PresenceClient


@dataclass(frozen=True, slots=True)
class History:
    """Publications read from a channel's history, oldest first, and the channel's end (``offset``, ``epoch``).
    ``recovered`` is ``False`` when a ``since`` could not be served (another epoch, or the oldest ones are gone)."""

    publications: list[Publication]
    offset: int
    epoch: str
    recovered: bool = True

    @property
    def position(self) -> Position:
        return Position(self.offset, self.epoch)


@dataclass(frozen=True, slots=True)
class Disconnect:
    """How the last connection ended: the close code (``None`` without a close frame), reason, and whether the client
    reconnects from it."""

    code: int | None
    reason: str
    will_reconnect: bool


@dataclass(frozen=True, slots=True)
class StateChange:
    """A change of ``Client.state``; ``code``/``reason`` of the close that caused it, ``retry_in`` seconds until the
    next attempt when one is planned."""

    state: State
    previous: State
    code: int | None = None
    reason: str = ""
    retry_in: float | None = None


@dataclass(frozen=True, slots=True)
class PublishResult:
    """Where the HTTP API published: the channel, the publication's offset and the stream's epoch."""

    channel: str
    offset: int
    epoch: str


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel (or pattern, as written) with subscribers on the answering node."""

    channel: str
    subscribers: int
