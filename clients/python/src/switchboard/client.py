"""The asyncio client."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._backoff import backoff_delay
from ._commands import CommandQueue, Policy
from ._link import Link
from ._protocol import TOKEN_EXPIRED, should_reconnect
from ._routing import Subscriptions
from ._transport import Closed, Socket
from .errors import SwitchboardConnectionError
from .models import Disconnect, History, Position, PresenceClient, PresenceEvent, Publication, State, StateChange
from .subscription import Subscription

log = logging.getLogger("switchboard")

TokenProvider = Callable[[], Awaitable[str | None]]


class Client:
    """One WebSocket connection to a Switchboard server, kept alive: reconnect with full-jitter exponential backoff
    (only when the close code allows), resubscribe with recovery, a bounded offline buffer, idempotent publish
    retries, heartbeats, the server's rate limit honoured, and a timeout on every command. The behaviour of the .NET
    and JavaScript clients (docs/clients/python.md).

    ``token`` is a fixed JWT; ``get_token`` an async callable returning one (or ``None``), called before every
    connection attempt and when the server sends ``token_expiring``. Thread safety: one event loop; from other
    threads use ``switchboard.sync``."""

    def __init__(self, url: str, *, token: str | None = None, get_token: TokenProvider | None = None,
                 reconnect: bool = True, min_delay: float = 0.5, max_delay: float = 20, offline_limit: int = 1000,
                 max_attempts: int | None = None, connect_timeout: float = 10, command_timeout: float = 30,
                 heartbeat_timeout: float | None = None, buffer_size: int = 10_000, batch: bool = True) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"url must start with ws:// or wss://, got {url!r}")
        self.url = url
        self._token = token
        self._get_token = get_token
        self._reconnect = reconnect
        self._min_delay, self._max_delay = min_delay, max_delay
        self._max_attempts = max_attempts
        self._connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self._heartbeat_timeout = heartbeat_timeout
        self._buffer_size = buffer_size
        self._batch = batch
        self._offline_limit = offline_limit
        self._commands: CommandQueue | None = None
        self._subscriptions = Subscriptions(self)
        self._state: State = "disconnected"
        self._state_listeners: list[Callable[[StateChange], Any]] = []
        self._message_listeners: list[Callable[[Publication], Any]] = []
        self._runner: asyncio.Task[None] | None = None
        self._link: Link | None = None
        self._connected: asyncio.Future[None] | None = None
        self._current_token: str | None = None
        self._background: set[asyncio.Task[Any]] = set()
        #: This connection's id (``welcome.client``), ``None`` while not connected.
        self.client_id: str | None = None
        #: The user the server authenticated the connection as; ``None`` when anonymous.
        self.user: str | None = None
        #: How the last connection ended, and whether the client reconnects from it.
        self.last_disconnect: Disconnect | None = None

    @property
    def state(self) -> State:
        """``"disconnected"`` (not started, or stopped by a close it does not retry), ``"connecting"`` (trying, or
        waiting to retry), ``"connected"`` or ``"closed"`` (after ``close()``)."""
        return self._state

    def on_state(self, callback: Callable[[StateChange], Any]) -> Callable[[], None]:
        """Calls ``callback(change)`` on every state change; returns a function that removes it."""
        self._state_listeners.append(callback)
        return lambda: self._state_listeners.remove(callback) if callback in self._state_listeners else None

    def on_message(self, callback: Callable[[Publication], Any]) -> Callable[[], None]:
        """Calls ``callback(publication)`` for server sends to a channel this client is not subscribed to."""
        self._message_listeners.append(callback)
        return lambda: self._message_listeners.remove(callback) if callback in self._message_listeners else None

    async def connect(self) -> None:
        """Connects, and reconnects from then on. Returns when connected; raises SwitchboardConnectionError when the
        client gives up first (e.g. 1008: the token was refused; or the first attempt failed with ``reconnect=False``)."""
        if self._state == "connected":
            return
        if self._runner is None or self._runner.done():
            if self._commands is None:
                self._commands = CommandQueue(self._offline_limit)
            self._connected = asyncio.get_running_loop().create_future()
            self._runner = asyncio.create_task(self._run())
        assert self._connected is not None
        await asyncio.shield(self._connected)

    async def close(self) -> None:
        """Closes with 1000, fails the commands still waiting and ends every subscription's iteration."""
        runner, self._runner = self._runner, None
        link, self._link = self._link, None
        if runner is not None:
            runner.cancel()
        if link is not None:
            await link.socket.close(1000, "client disconnect")
        if runner is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        error = SwitchboardConnectionError("the client is closed", 1000, "client disconnect")
        if self._commands is not None:
            self._commands.fail_all(error)
        self._fail_connect(error)
        self._subscriptions.end_all()
        self.client_id = None
        self._set_state("closed", 1000, "client disconnect")

    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- commands -------------------------------------------------------------------------------------------------

    async def subscribe(self, channel: str, *, since: Position | tuple[int, str] | dict[str, Any] | None = None,
                        presence: bool = False, on_presence: Callable[[PresenceEvent], Any] | None = None,
                        buffer_size: int | None = None) -> Subscription:
        """Subscribes to a channel or a wildcard pattern. Connected: returns once the server confirmed (raises its
        CommandError when it refused); not connected: returns at once, and subscribes on connect. ``since`` starts after
        that position (``(0, "")`` replays the retained history first). ``presence=True`` reports other clients'
        joins and leaves to ``on_presence``. One subscription per channel per client."""
        if not channel:
            raise ValueError("channel must be a non-empty string")
        if channel in self._subscriptions:
            raise ValueError(f"this client is already subscribed to '{channel}'")
        position = Position.of(since) if since is not None else None
        subscription = Subscription(self, channel, position, presence, buffer_size or self._buffer_size, on_presence)
        self._subscriptions[channel] = subscription
        if self._state == "connected" and self._commands is not None:
            try:
                await self._commands.wait(self._subscriptions.send_subscribe(subscription), self.command_timeout)
            except BaseException:
                if self._subscriptions.get(channel) is subscription and subscription.state != "subscribed":
                    del self._subscriptions[channel]
                    subscription.end()
                raise
        return subscription

    async def publish(self, channel: str, data: Any, *, key: str | None = None, timeout: float | None = None) -> int:
        """Publishes ``data`` (any JSON value) and returns its offset. Every publish carries an idempotency key (a
        fresh one unless given): one whose connection dropped before its result is sent again after the reconnect,
        with the same key, and published once. While offline it waits in the bounded offline buffer."""
        body = {"type": "publish", "channel": channel, "data": data, "key": key or uuid.uuid4().hex}
        result = await self._execute(body, "resend", timeout)
        return int(result["offset"])

    async def history(self, channel: str, limit: int | None = None,
                      since: Position | tuple[int, str] | dict[str, Any] | None = None, *,
                      timeout: float | None = None) -> History:
        """A channel's history, oldest first. Without ``since`` the newest ``limit`` (or all held); with ``since`` the
        publications after it, up to ``limit``. The server answers in pages; this follows them for you."""
        position = Position.of(since) if since is not None else None
        publications: list[Publication] = []
        while True:
            body: dict[str, Any] = {"type": "history", "channel": channel}
            if limit is not None:
                body["limit"] = limit - len(publications)
            if position is not None:
                body["since"] = position.wire()
            result = await self._execute(body, "resend", timeout)
            page = [Publication.from_wire(m) for m in result.get("publications") or [] if isinstance(m, dict)]
            publications.extend(page)
            end_offset, end_epoch = int(result.get("offset") or 0), str(result.get("epoch") or "")
            if result.get("recovered") is False:
                return History(publications, end_offset, end_epoch, recovered=False)
            last = page[-1].position if page else None
            if result.get("more") is not True or last is None or (limit is not None and len(publications) >= limit):
                return History(publications, end_offset, end_epoch)
            position = last

    async def presence(self, channel: str, *, timeout: float | None = None) -> list[PresenceClient]:
        """The clients subscribed to ``channel``."""
        result = await self._execute({"type": "presence", "channel": channel}, "resend", timeout)
        return [PresenceClient.from_wire(c) for c in result.get("clients") or [] if isinstance(c, dict)]

    async def rpc(self, method: str, data: Any = None, *, timeout: float | None = None) -> Any:
        """Calls a server rpc method with ``data`` as its params. One already sent when the connection dropped fails
        with SwitchboardConnectionError (it may have run); one still in the offline buffer is sent after the reconnect."""
        body: dict[str, Any] = {"type": "rpc", "method": method}
        if data is not None:
            body["params"] = data
        return await self._execute(body, "fail_if_sent", timeout)

    async def _execute(self, body: dict[str, Any], policy: Policy, timeout: float | None) -> Any:
        if self._commands is None:
            self._commands = CommandQueue(self._offline_limit)
        command = self._commands.submit(body, policy)
        return await self._commands.wait(command, self.command_timeout if timeout is None else timeout)

    # --- the connection loop --------------------------------------------------------------------------------------

    async def _run(self) -> None:
        failures = 0
        ever_connected = False
        self._set_state("connecting")
        while True:
            code, reason, welcomed = await self._attempt()
            ever_connected = ever_connected or welcomed
            failures = 0 if welcomed else failures + 1
            retry = self._reconnect and should_reconnect(code) and (self._max_attempts is None or failures <= self._max_attempts)
            self.last_disconnect = Disconnect(code, reason, retry)
            self.client_id = None
            if not retry:
                self._stop(code, reason)
                return
            delay = backoff_delay(max(0, failures - 1), self._min_delay, self._max_delay)
            log.info("connection lost (%s: %s); retrying in %.0f ms", code, reason, delay * 1000)
            self._set_state("connecting", code, reason, delay)
            await asyncio.sleep(delay)

    async def _attempt(self) -> tuple[int | None, str, bool]:
        """One connection, from the token to its end: the close code and reason, and whether ``welcome`` came."""
        assert self._commands is not None
        try:
            token = await asyncio.wait_for(self._resolve_token(), self._connect_timeout)
        except Exception as error:  # The provider is the application's code: any failure is a failed attempt.
            return None, f"token provider failed: {error}", False
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            socket = await Socket.open(self._build_url(), headers, self._connect_timeout)
        except Closed as closed:
            return closed.code, closed.reason, False
        except Exception as error:  # Refused, reset, timed out, a bad handshake: a failed attempt.
            return None, f"could not connect: {error}", False
        link = Link(socket, self._commands)
        try:
            welcome = await asyncio.wait_for(self._await_welcome(link, token), self._connect_timeout)
        except Closed as closed:
            return closed.code, closed.reason, False
        except asyncio.TimeoutError:
            socket.abort()
            return None, "connect timed out: no welcome", False
        self._link = link
        self._current_token = token
        self._on_welcome(welcome)
        code: int | None = None
        reason = "connection lost"
        try:
            code, reason = await link.run(self._dispatch, float(welcome.get("ping") or 25), self._heartbeat_timeout, welcome.get("limits"))
        finally:
            self._link = None
            self._commands.connection_lost(code, reason)
            for subscription in self._subscriptions.values():
                subscription.healing = False
        return code, reason, True

    async def _await_welcome(self, link: Link, token: str | None) -> dict[str, Any]:
        while True:
            message = await link.next_message()
            if message["type"] == "welcome":
                return message
            if message["type"] == "auth_required" and token:
                await link.send_now({"type": "auth", "token": token})  # The token normally travels in the upgrade.

    async def _resolve_token(self) -> str | None:
        if self._get_token is not None:
            return await self._get_token()
        return self._token

    def _build_url(self) -> str:
        parts = urlsplit(self.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "batch"]
        if self._batch:
            query.append(("batch", "1"))
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))

    def _on_welcome(self, welcome: dict[str, Any]) -> None:
        assert self._commands is not None
        self.client_id = welcome.get("client")
        self.user = welcome.get("user")
        self.last_disconnect = None
        self._commands.connected()
        # Subscriptions first, so that buffered publishes to a subscribed channel come after its recovered history.
        for subscription in self._subscriptions.values():
            self._subscriptions.send_subscribe(subscription, front=True)
        self._set_state("connected")
        if self._connected is not None and not self._connected.done():
            self._connected.set_result(None)

    def _stop(self, code: int | None, reason: str) -> None:
        why = reason or f"close {code}"
        first = self._connected is not None and not self._connected.done()
        error = SwitchboardConnectionError(f"could not connect: {why}" if first else f"the client stopped: {why}", code, reason)
        assert self._commands is not None
        self._commands.fail_all(error)
        self._subscriptions.end_all(SwitchboardConnectionError(f"the client stopped: {why}", code, reason))
        self._set_state("disconnected", code, reason)
        self._fail_connect(error)

    def _fail_connect(self, error: Exception) -> None:
        if self._connected is not None and not self._connected.done():
            self._connected.set_exception(error)
            self._connected.exception()

    def _set_state(self, state: State, code: int | None = None, reason: str = "", retry_in: float | None = None) -> None:
        previous = self._state
        if previous == state and retry_in is None:
            return
        self._state = state
        change = StateChange(state, previous, code, reason, retry_in)
        for listener in list(self._state_listeners):
            try:
                listener(change)
            except Exception:
                log.exception("a state listener failed")

    # --- server messages ------------------------------------------------------------------------------------------

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        assert self._commands is not None
        if kind == "message":
            await self._subscriptions.route(message)
        elif kind == "result":
            await self._commands.on_result(message)
        elif kind in ("join", "leave"):
            subscription = self._subscriptions.get(str(message.get("channel")))
            if subscription is not None:
                who = PresenceClient.from_wire(message)
                subscription.on_presence(PresenceEvent(subscription.channel, kind == "join", who))
        elif kind == "token_expiring":
            self._spawn(self._refresh_token())
        elif kind == "unsubscribe":
            self._subscriptions.server_unsubscribed(message)
        elif kind == "error" and message.get("code") not in ("not_subscribed", "rate_limited"):
            log.warning("server error: %s: %s", message.get("code"), message.get("message"))

    async def _refresh_token(self) -> None:
        if self._get_token is None or self._commands is None:
            return
        try:
            token = await self._get_token()
            # A provider that caches its token until it expires: sending it back would only make the server warn again.
            if not token or token == self._current_token:
                return
            await self._commands.wait(self._commands.submit({"type": "refresh", "token": token}, "forget"), self.command_timeout)
            self._current_token = token
        except Exception as error:
            # Without a refresh the server closes with 4001 at exp, and the reconnect asks the provider again.
            log.warning("token refresh failed (the server will close with %d at expiry): %s", TOKEN_EXPIRED, error)

    async def _remove_subscription(self, subscription: Subscription) -> None:
        await self._subscriptions.remove(subscription)

    def _on_send(self, publication: Publication) -> None:
        for listener in list(self._message_listeners):
            listener(publication)

    def _abandon_link(self, reason: str) -> None:
        if self._link is not None:
            self._link.abandon(reason)

    @contextlib.contextmanager
    def _reader_blocked(self) -> Iterator[None]:
        link = self._link
        if link is None:
            yield
            return
        with link.reader_blocked():
            yield

    def _spawn(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

