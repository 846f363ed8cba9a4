"""ServerApi and AsyncServerApi against the real HTTP API (docs/http-api.md), including a wrong key."""

from __future__ import annotations

import pytest

from conftest import take
from servers import API_KEY, Server
from switchboard import ApiError, AsyncServerApi, Client, ServerApi, SwitchboardError


def test_every_endpoint_answers_through_the_sync_api(server: Server) -> None:
    with ServerApi(server.url, API_KEY) as api:
        first = api.publish("py.api.news", {"title": "hello"}, key="news-1")
        assert first.offset == 1 and first.epoch
        assert api.publish("py.api.news", {"title": "hello"}, key="news-1") == first  # idempotent
        assert api.publish("py.api.news", None).offset == 2
        results = api.broadcast(["py.api.a", "py.api.b"], "standup")
        assert [(r.channel, r.offset) for r in results] == [("py.api.a", 1), ("py.api.b", 1)]
        history = api.history("py.api.news", limit=10)
        assert [p.data for p in history.publications] == [{"title": "hello"}, None] and history.offset == 2
        assert [p.offset for p in api.history("py.api.news", since=(1, first.epoch)).publications] == [2]
        assert api.history("py.api.news", since=(1, "another-epoch")).recovered is False
        assert api.presence("py.api.news") == []
        assert api.channels("py.api.*") == []
        assert api.send("nobody", "user.nobody", {"unread": 1}) == 0
        assert api.disconnect(user="nobody") == 0
        assert api.info()["node"]


async def test_the_async_api_reaches_subscribers_and_counts_them(server: Server) -> None:
    async with Client(server.ws_url) as client, AsyncServerApi(server.url, API_KEY) as api:
        sub = await client.subscribe("py.api.live")
        assert [(c.channel, c.subscribers) for c in await api.channels("py.api.live")] == [("py.api.live", 1)]
        assert [c.client for c in await api.presence("py.api.live")] == [client.client_id]
        published = await api.publish("py.api.live", {"n": 1})
        [publication] = await take(sub, 1)
        assert publication.offset == published.offset and publication.publisher is None
        assert (await api.history("py.api.live")).publications[0].data == {"n": 1}
        assert (await api.info())["connections"] >= 1


def test_a_wrong_key_is_refused_with_401_and_nothing_happens(server: Server) -> None:
    with ServerApi(server.url, "not-the-key") as wrong:
        with pytest.raises(ApiError) as refused:
            wrong.publish("py.api.secret", 1)
    assert refused.value.code == "unauthorized" and refused.value.status == 401
    assert "secret" not in str(refused.value).lower().replace("py.api.secret", "")
    with ServerApi(server.url, API_KEY) as api:
        assert api.history("py.api.secret").publications == []


def test_a_bad_request_says_what_was_wrong(server: Server) -> None:
    with ServerApi(server.url, API_KEY) as api, pytest.raises(ApiError) as refused:
        api.publish("py.api.*", 1)
    assert refused.value.code == "bad_request" and refused.value.status == 400 and refused.value.server_message


def test_the_key_comes_from_the_environment_when_not_given(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_API_KEY", API_KEY)
    with ServerApi(server.url) as api:
        assert api.publish("py.api.env", 1).offset == 1
    monkeypatch.delenv("SWITCHBOARD_API_KEY")
    with pytest.raises(SwitchboardError, match="SWITCHBOARD_API_KEY"):
        ServerApi(server.url)


def test_a_server_that_cannot_be_reached_is_unavailable() -> None:
    from servers import free_port

    with ServerApi(f"http://127.0.0.1:{free_port()}", API_KEY, timeout=2) as api, pytest.raises(ApiError) as down:
        api.info()
    assert down.value.code == "unavailable" and down.value.status is None
