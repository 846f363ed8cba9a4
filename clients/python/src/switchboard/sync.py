"""A blocking facade for scripts (seed 001's ``websocket-client`` loop): the asyncio Client on an event loop in a
background thread, so that ``for pub in client.subscribe(...)`` and ``client.publish(...)`` work in plain code.

    from switchboard.sync import Client

    with Client("ws://localhost:8000/ws") as client:
        for pub in client.subscribe("sensors.>"):
            print(pub.channel, pub.data)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

from . import client as _client
from .models import History, Position, PresenceClient, Publication, State
from .subscription import Subscription as _Subscription

T = TypeVar("T")


class Client:
    """The asyncio ``switchboard.Client`` with blocking methods; it takes the same keyword arguments. Thread safety:
    every method may be called from any thread."""

    def __init__(self, url: str, **options: Any) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="switchboard", daemon=True)
        self._thread.start()

        async def create() -> _client.Client:
            return _client.Client(url, **options)

        try:
            self._client = self._call(create())
        except BaseException:
            self._stop_loop()
            raise

    @property
    def state(self) -> State:
        return self._client.state

    @property
    def client_id(self) -> str | None:
        return self._client.client_id

    def connect(self) -> None:
        self._call(self._client.connect())

    def close(self) -> None:
        if self._loop.is_closed():
            return
        try:
            self._call(self._client.close())
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def __enter__(self) -> Client:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, channel: str, *, since: Position | tuple[int, str] | dict[str, Any] | None = None) -> SyncSubscription:
        """Subscribes; iterate the result for the publications (blocking), in order, once each, across reconnects."""
        return SyncSubscription(self, self._call(self._client.subscribe(channel, since=since)))

    def publish(self, channel: str, data: Any, *, key: str | None = None) -> int:
        """Publishes and returns the offset (idempotent across reconnects, buffered while offline)."""
        return self._call(self._client.publish(channel, data, key=key))

    def history(self, channel: str, limit: int | None = None,
                since: Position | tuple[int, str] | dict[str, Any] | None = None) -> History:
        return self._call(self._client.history(channel, limit, since))

    def presence(self, channel: str) -> list[PresenceClient]:
        return self._call(self._client.presence(channel))

    def rpc(self, method: str, data: Any = None) -> Any:
        return self._call(self._client.rpc(method, data))

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()  # A timed-out wait must not go on and take the next publication.
            raise


class SyncSubscription:
    """A subscription read with a plain ``for`` loop; ``next_publication(timeout)`` waits at most ``timeout`` seconds."""

    def __init__(self, owner: Client, inner: _Subscription) -> None:
        self._owner = owner
        self.inner = inner

    @property
    def channel(self) -> str:
        return self.inner.channel

    @property
    def recovered(self) -> bool | None:
        return self.inner.recovered

    def __iter__(self) -> Iterator[Publication]:
        while True:
            try:
                yield self.next_publication()
            except StopAsyncIteration:
                return

    def next_publication(self, timeout: float | None = None) -> Publication:
        """The next publication; raises TimeoutError after ``timeout`` seconds, StopAsyncIteration when it ended."""
        return self._owner._call(self.inner.__anext__(), timeout)

    def unsubscribe(self) -> None:
        self._owner._call(self.inner.unsubscribe())
