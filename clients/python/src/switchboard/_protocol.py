"""The wire form of protocol v1 on the client's side (docs/protocol.md): commands encoded in the canonical field order,
server messages decoded or dropped, channel patterns and close codes. Pure: no sockets, no asyncio. Checked against the
golden vectors in tests/vectors."""

from __future__ import annotations

import json
import re
from typing import Any

# The canonical order of a command's fields (tests/vectors/commands.json), and which fields each type uses.
_COMMAND_FIELDS = ("type", "id", "channel", "data", "key", "since", "limit", "presence", "method", "params", "token")
_FIELDS_OF: dict[str, frozenset[str]] = {
    "subscribe": frozenset({"id", "channel", "since", "presence"}),
    "unsubscribe": frozenset({"id", "channel"}),
    "publish": frozenset({"id", "channel", "data", "key"}),
    "history": frozenset({"id", "channel", "since", "limit"}),
    "presence": frozenset({"id", "channel"}),
    "rpc": frozenset({"id", "method", "params"}),
    "ping": frozenset({"id"}),
    "pong": frozenset({"id"}),
    "refresh": frozenset({"id", "token"}),
    "auth": frozenset({"id", "token"}),
}

_MISSING = object()


def encode_command(command: dict[str, Any]) -> str:
    """One command as the compact JSON text of one frame, fields in the canonical order. Fields its type does not use
    are left out, and so is ``presence: false`` (the default). ``data`` may be ``None`` (JSON ``null``)."""
    uses = _FIELDS_OF.get(command.get("type", ""))
    ordered: dict[str, Any] = {}
    for field in _COMMAND_FIELDS:
        value = command.get(field, _MISSING)
        if value is _MISSING or (field != "data" and value is None):
            continue
        if field != "type" and uses is not None and field not in uses:
            continue
        if field == "presence" and value is False:
            continue
        ordered[field] = {"offset": value["offset"], "epoch": value["epoch"]} if field == "since" else value
    return json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)


def decode_server_message(text: str) -> dict[str, Any] | None:
    """One server message from its text, or ``None`` when the protocol says to drop it (not JSON, not an object, no
    string ``type``); the connection goes on either way. Types this client does not know are returned (and ignored)."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return None
    return message


def encode_message(message: dict[str, Any]) -> str:
    """A decoded message written back as the server writes it (compact, non-ASCII unescaped)."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


_WILDCARD = re.compile(r"(^|\.)(\*|>)(\.|$)")


def is_wildcard(channel: str) -> bool:
    """Whether ``channel`` is a pattern (``order.*``, ``sensors.>``) rather than a concrete channel."""
    return _WILDCARD.search(channel) is not None


def matches(pattern: str, channel: str) -> bool:
    """Whether a concrete ``channel`` matches ``pattern``: ``*`` is one segment, ``>`` one or more trailing ones."""
    wanted = pattern.split(".")
    actual = channel.split(".")
    for index, segment in enumerate(wanted):
        if segment == ">":
            return len(actual) > index
        if index >= len(actual) or (segment != "*" and segment != actual[index]):
            return False
    return len(actual) == len(wanted)


# Close codes after which the client stays disconnected: a normal close, a protocol violation by this client, failed
# authentication, rate-limit abuse and a kick, where trying again would fail the same way or undo the server's intent.
# The rule of the .NET and JavaScript clients.
FINAL_CLOSE_CODES = frozenset({1000, 1003, 1008, 1009, 4004, 4005})
TOKEN_EXPIRED = 4001
SLOW_CONSUMER = 4003


def should_reconnect(code: int | None) -> bool:
    """Whether the client reconnects after a close with ``code`` (``None``: no close frame, e.g. a reset)."""
    return code is None or code not in FINAL_CLOSE_CODES
