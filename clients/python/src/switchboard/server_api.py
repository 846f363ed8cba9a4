"""The HTTP API for backends (docs/http-api.md), sync and async, on httpx."""

from __future__ import annotations

import os
from typing import Any

import httpx

from .errors import ApiError, SwitchboardError
from .models import ChannelInfo, History, Position, PresenceClient, Publication, PublishResult

_ENV_KEY = "SWITCHBOARD_API_KEY"


def _key(key: str | None) -> str:
    key = key if key is not None else os.environ.get(_ENV_KEY)
    if not key:
        raise SwitchboardError(f"no API key: pass key=... or set {_ENV_KEY}", "unauthorized")
    return key


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success and isinstance(body, dict):
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raise ApiError(str(error.get("code") or "internal"), str(error.get("message") or ""), response.status_code)
    raise ApiError("internal", f"unexpected answer: {response.text[:200]!r}", response.status_code)


def _request(endpoint: str, **fields: Any) -> tuple[str, dict[str, Any]]:
    body = {name: value for name, value in fields.items() if value is not None}
    if endpoint in ("publish", "broadcast"):
        body["data"] = fields.get("data")  # null is a value to publish
    return endpoint, body


def _publish(body: dict[str, Any], channel: str) -> PublishResult:
    return PublishResult(channel, int(body["offset"]), str(body["epoch"]))


def _history(body: dict[str, Any]) -> History:
    publications = [Publication.from_wire(m) for m in body.get("publications") or [] if isinstance(m, dict)]
    return History(publications, int(body.get("offset") or 0), str(body.get("epoch") or ""), body.get("recovered") is not False)


def _since(since: Position | tuple[int, str] | dict[str, Any] | None) -> dict[str, Any] | None:
    return Position.of(since).wire() if since is not None else None


class _Base:
    def __init__(self, url: str, key: str | None, path: str) -> None:
        self.base = url.rstrip("/") + "/" + path.strip("/") + "/"
        self._headers = {"X-API-Key": _key(key)}


class ServerApi(_Base):
    """The HTTP API, blocking. ``url`` is the server (``http://localhost:8000``); the key comes from ``key`` or
    ``SWITCHBOARD_API_KEY``. Errors raise ApiError (``code``, ``status``). Use it as a context manager, or ``close()``."""

    def __init__(self, url: str = "http://localhost:8000", key: str | None = None, *, path: str = "/api",
                 timeout: float = 10.0, http: httpx.Client | None = None) -> None:
        super().__init__(url, key, path)
        self._http = http or httpx.Client(timeout=timeout)

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post(self.base + endpoint, json=body, headers=self._headers)
        except httpx.TransportError as error:
            raise ApiError("unavailable", f"{endpoint}: {error}", None) from error
        return _answer(response)

    def publish(self, channel: str, data: Any, key: str | None = None) -> PublishResult:
        """Publishes as the server (no ``from``); ``key`` makes it idempotent within the dedup window."""
        return _publish(self._post(*_request("publish", channel=channel, data=data, key=key)), channel)

    def broadcast(self, channels: list[str], data: Any, key: str | None = None) -> list[PublishResult]:
        """Publishes to several channels; nothing is published when one name is invalid."""
        body = self._post(*_request("broadcast", channels=channels, data=data, key=key))
        return [_publish(r, str(r["channel"])) for r in body.get("results") or []]

    def send(self, user: str, channel: str, data: Any) -> int:
        """Sends to every connection of ``user``, outside any stream; returns how many this node reached."""
        return int(self._post(*_request("send", user=user, channel=channel, data=data))["sent"])

    def disconnect(self, *, user: str | None = None, client: str | None = None, reason: str | None = None) -> int:
        """Closes a user's (or one client's) connections with 4005; returns how many this node closed."""
        return int(self._post(*_request("disconnect", user=user, client=client, reason=reason))["disconnected"])

    def presence(self, channel: str) -> list[PresenceClient]:
        return [PresenceClient.from_wire(c) for c in self._post(*_request("presence", channel=channel)).get("clients") or []]

    def history(self, channel: str, limit: int | None = None,
                since: Position | tuple[int, str] | dict[str, Any] | None = None) -> History:
        return _history(self._post(*_request("history", channel=channel, limit=limit, since=_since(since))))

    def channels(self, pattern: str | None = None) -> list[ChannelInfo]:
        body = self._post(*_request("channels", pattern=pattern))
        return [ChannelInfo(str(c["channel"]), int(c["subscribers"])) for c in body.get("channels") or []]

    def info(self) -> dict[str, Any]:
        """The answering node's stats and the cluster's (docs/http-api.md#info)."""
        return self._post("info", {})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServerApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncServerApi(_Base):
    """The HTTP API for asyncio code (FastAPI, aiohttp services): the methods of ServerApi, awaited."""

    def __init__(self, url: str = "http://localhost:8000", key: str | None = None, *, path: str = "/api",
                 timeout: float = 10.0, http: httpx.AsyncClient | None = None) -> None:
        super().__init__(url, key, path)
        self._http = http or httpx.AsyncClient(timeout=timeout)

    async def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(self.base + endpoint, json=body, headers=self._headers)
        except httpx.TransportError as error:
            raise ApiError("unavailable", f"{endpoint}: {error}", None) from error
        return _answer(response)

    async def publish(self, channel: str, data: Any, key: str | None = None) -> PublishResult:
        return _publish(await self._post(*_request("publish", channel=channel, data=data, key=key)), channel)

    async def broadcast(self, channels: list[str], data: Any, key: str | None = None) -> list[PublishResult]:
        body = await self._post(*_request("broadcast", channels=channels, data=data, key=key))
        return [_publish(r, str(r["channel"])) for r in body.get("results") or []]

    async def send(self, user: str, channel: str, data: Any) -> int:
        return int((await self._post(*_request("send", user=user, channel=channel, data=data)))["sent"])

    async def disconnect(self, *, user: str | None = None, client: str | None = None, reason: str | None = None) -> int:
        return int((await self._post(*_request("disconnect", user=user, client=client, reason=reason)))["disconnected"])

    async def presence(self, channel: str) -> list[PresenceClient]:
        body = await self._post(*_request("presence", channel=channel))
        return [PresenceClient.from_wire(c) for c in body.get("clients") or []]

    async def history(self, channel: str, limit: int | None = None,
                      since: Position | tuple[int, str] | dict[str, Any] | None = None) -> History:
        return _history(await self._post(*_request("history", channel=channel, limit=limit, since=_since(since))))

    async def channels(self, pattern: str | None = None) -> list[ChannelInfo]:
        body = await self._post(*_request("channels", pattern=pattern))
        return [ChannelInfo(str(c["channel"]), int(c["subscribers"])) for c in body.get("channels") or []]

    async def info(self) -> dict[str, Any]:
        return await self._post("info", {})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncServerApi:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
