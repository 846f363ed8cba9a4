"""Switchboard's Python client: ``Client`` (asyncio, reconnects and recovers), ``ServerApi`` / ``AsyncServerApi``
(the HTTP API for backends) and ``switchboard.sync`` (a blocking facade for scripts). docs/clients/python.md."""

from ._backoff import backoff_bounds, backoff_delay
from .client import Client
from .errors import (
    ApiError,
    BufferFullError,
    CommandError,
    SwitchboardConnectionError,
    SwitchboardError,
    SwitchboardTimeoutError,
)
from .models import (
    ChannelInfo,
    Disconnect,
    History,
    Position,
    PresenceClient,
    PresenceEvent,
    Publication,
    Publisher,
    PublishResult,
    State,
    StateChange,
)
from .server_api import AsyncServerApi, ServerApi
from .subscription import Subscription

__version__ = "0.1.0"

__all__ = [
    "ApiError",
    "AsyncServerApi",
    "BufferFullError",
    "ChannelInfo",
    "Client",
    "CommandError",
    "Disconnect",
    "History",
    "Position",
    "PresenceClient",
    "PresenceEvent",
    "Publication",
    "PublishResult",
    "Publisher",
    "ServerApi",
    "State",
    "StateChange",
    "Subscription",
    "SwitchboardConnectionError",
    "SwitchboardError",
    "SwitchboardTimeoutError",
    "backoff_bounds",
    "backoff_delay",
]
