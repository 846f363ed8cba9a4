"""The commands in flight: numbered, written by the connection's writer when connected or held in a bounded offline
buffer, each with a timeout that counts from the call (time in the buffer included). What happens to a command whose
connection drops before its result depends on its policy (the JavaScript and .NET clients' rules):

- ``resend`` (publish with its key, history, presence): sent again after the reconnect, ahead of what was buffered
  since, in the original order; the publish key makes the server publish it once.
- ``fail_if_sent`` (rpc): fails with SwitchboardConnectionError ("it may have run"); one still in the buffer waits.
- ``forget`` (subscribe, refresh): the client's own bookkeeping, redone on the next connection; never buffered.

A command the server refused with ``rate_limited`` was not executed: it goes back to the front, unchanged, and nothing
is written before ``retry_after_ms`` has passed."""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ._protocol import encode_command
from .errors import BufferFullError, CommandError, SwitchboardConnectionError, SwitchboardTimeoutError

Policy = Literal["resend", "fail_if_sent", "forget"]
ResultHook = Callable[[Any], Awaitable[None]]


@dataclass(eq=False)
class Command:
    id: int
    type: str
    payload: str
    policy: Policy
    future: asyncio.Future[Any]
    # Runs in the reader, before the next server message is handled (a subscribe's result must be applied in order
    # with the publications around it).
    on_result: ResultHook | None = None
    sent: bool = field(default=False)


class CommandQueue:
    """Pending commands and the outbox the connection's writer drains. Not thread-safe: one event loop."""

    def __init__(self, offline_limit: int) -> None:
        self._ids = itertools.count(1)
        self._pending: dict[int, Command] = {}
        self._outbox: deque[Command | str] = deque()
        self._offline_limit = offline_limit
        self._online = False
        self._front = 0
        self._paused_until = 0.0
        self._wake = asyncio.Event()
        #: Commands the server refused with ``rate_limited`` (and that were sent again).
        self.refused = 0

    @property
    def buffered(self) -> int:
        """Commands waiting to be written."""
        return sum(1 for item in self._outbox if isinstance(item, Command))

    def submit(self, body: dict[str, Any], policy: Policy, *, front: bool = False, on_result: ResultHook | None = None) -> Command:
        """Queues a command at once (synchronously, so that the order of calls is the order on the wire) and returns
        it; ``await wait(command, timeout)`` for its result. ``front`` puts it ahead of everything queued before the
        last ``connected()`` (resubscribes go before the buffered commands)."""
        if not self._online and policy == "forget":
            raise SwitchboardConnectionError("not connected")
        if not self._online and self.buffered >= self._offline_limit:
            raise BufferFullError(f"the offline buffer is full ({self._offline_limit} commands); the client is not connected")
        command_id = next(self._ids)
        loop = asyncio.get_running_loop()
        command = Command(command_id, str(body["type"]), encode_command({**body, "id": command_id}), policy, loop.create_future(), on_result)
        self._pending[command_id] = command
        if front:
            self._outbox.insert(self._front, command)
            self._front += 1
        else:
            self._outbox.append(command)
        self._wake.set()
        return command

    async def wait(self, command: Command, timeout: float) -> Any:
        """The command's result; raises its CommandError, SwitchboardConnectionError, or SwitchboardTimeoutError (then
        it is forgotten: one still in the buffer is never sent)."""
        try:
            return await asyncio.wait_for(asyncio.shield(command.future), timeout)
        except asyncio.TimeoutError:
            self._forget(command)
            if command.future.done() and not command.future.cancelled():
                return command.future.result()
            raise SwitchboardTimeoutError(f"no result for {command.type} within {timeout:g} s") from None
        except asyncio.CancelledError:
            self._forget(command)
            raise

    def send_raw(self, text: str) -> None:
        """A frame without a reply (pong, unsubscribe, ping); dropped when not connected."""
        if self._online:
            self._outbox.append(text)
            self._wake.set()

    async def take(self) -> Command | str:
        """The next frame to write, for the connection's writer: waits for one, and out the rate limit's pause."""
        loop = asyncio.get_running_loop()
        while True:
            pause = self._paused_until - loop.time()
            if pause > 0:
                await asyncio.sleep(pause)
                continue
            if self._outbox:
                item = self._outbox.popleft()
                self._front = max(0, self._front - 1)
                if isinstance(item, Command):
                    if item.future.done():
                        continue
                    item.sent = True
                return item
            self._wake.clear()
            await self._wake.wait()

    async def on_result(self, message: dict[str, Any]) -> None:
        """A ``result`` from the server."""
        command = self._pending.get(message.get("id"))  # type: ignore[arg-type]
        if command is None:
            return  # Timed out meanwhile, or a duplicate.
        error = message.get("error") if isinstance(message.get("error"), dict) else {}
        assert isinstance(error, dict)
        if message.get("success") is not True and error.get("code") == "rate_limited":
            # Not executed: the same bytes again, first, once the bucket holds a token again.
            retry_after = error.get("retry_after_ms")
            delay = retry_after / 1000 if isinstance(retry_after, (int, float)) and retry_after > 0 else 0.1
            self._paused_until = max(self._paused_until, asyncio.get_running_loop().time() + delay)
            command.sent = False
            self.refused += 1
            self._requeue(command)
            self._wake.set()
            return
        del self._pending[command.id]
        if command.future.done():
            return
        if message.get("success") is True:
            result = message.get("result")
            if command.on_result is not None:
                await command.on_result(result)
            if not command.future.done():
                command.future.set_result(result)
        else:
            code = str(error.get("code") or "internal")
            command.future.set_exception(CommandError(code, str(error.get("message") or ""), command.type))

    def connected(self) -> None:
        """A new connection said welcome: commands flow again."""
        self._online = True
        self._front = 0
        self._paused_until = 0.0
        self._wake.set()

    def connection_lost(self, code: int | None, reason: str) -> None:
        """The connection dropped: applies each sent command's policy (see the module comment)."""
        self._online = False
        unsent = [item for item in self._outbox if isinstance(item, Command)]
        resend: list[Command] = []
        for command in sorted((c for c in self._pending.values() if c.sent), key=lambda c: c.id):
            command.sent = False
            if command.policy == "resend":
                resend.append(command)
            else:
                self._fail(command, "the connection was lost before the rpc's result arrived; it may have run"
                           if command.policy == "fail_if_sent" else "the connection was lost", code, reason)
        for command in unsent:
            if command.policy == "forget":
                self._fail(command, "the connection was lost", code, reason)
        # Ahead of anything buffered since: they were issued first.
        self._outbox = deque([*resend, *(c for c in unsent if c.policy != "forget")])
        self._front = 0

    def fail_all(self, error: Exception) -> None:
        """The client stopped: every waiting command fails with ``error``."""
        commands = list(self._pending.values())
        self._pending.clear()
        self._outbox.clear()
        self._online = False
        for command in commands:
            if not command.future.done():
                command.future.set_exception(error)
                command.future.exception()  # Retrieved here too: a caller that gave up must not log "never retrieved".

    def _fail(self, command: Command, message: str, code: int | None, reason: str) -> None:
        self._pending.pop(command.id, None)
        if not command.future.done():
            command.future.set_exception(SwitchboardConnectionError(message, code, reason))
            command.future.exception()

    def _requeue(self, command: Command) -> None:
        """Back into the outbox in issue order: several refused in a row go out again in the order they were made."""
        for index, item in enumerate(self._outbox):
            if isinstance(item, Command) and item.id > command.id:
                self._outbox.insert(index, command)
                return
        self._outbox.append(command)

    def _forget(self, command: Command) -> None:
        self._pending.pop(command.id, None)
        try:
            self._outbox.remove(command)
        except ValueError:
            pass


class Pacer:
    """Keeps what a connection sends under the rate limit its server announced in ``welcome`` (``limits``): a token
    bucket at 90% of ``commands_per_second`` holding 45% of ``command_burst``, the .NET client's margins for network
    jitter, so that a burst waits in the client instead of being refused (and the connection closed with 4004)."""

    def __init__(self, limits: Any) -> None:
        rate = limits.get("commands_per_second") if isinstance(limits, dict) else None
        burst = limits.get("command_burst") if isinstance(limits, dict) else None
        self._rate = 0.9 * rate if isinstance(rate, (int, float)) and rate > 0 else 0.0
        self._capacity = max(1.0, 0.45 * burst) if isinstance(burst, (int, float)) and burst > 0 else max(1.0, self._rate)
        self._tokens = self._capacity
        self._last = 0.0

    async def acquire(self) -> None:
        if self._rate <= 0:
            return
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if self._last:
                self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await asyncio.sleep((1 - self._tokens) / self._rate)
