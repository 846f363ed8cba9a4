"""The asyncio Client against the real `switchboard serve`, with a TCP proxy the tests cut and restore."""

from __future__ import annotations

import asyncio

import pytest

from conftest import take, wait_for
from proxy import TcpProxy
from servers import API_KEY, Server
from switchboard import _link
from switchboard import AsyncServerApi, BufferFullError, Client, CommandError, StateChange, SwitchboardConnectionError

FAST = {"min_delay": 0.05, "max_delay": 0.5}


@pytest.fixture(scope="module")
def constrained() -> Server:
    """A server with a short history, a small outgoing queue and a low rate limit."""
    started = Server("--Switchboard:HistorySize=5", "--Switchboard:OutgoingQueueLimit=65536",
                     "--Switchboard:Limits:CommandsPerSecond=20", "--Switchboard:Limits:CommandBurst=10")
    yield started
    started.stop()


async def test_connect_subscribe_publish_history_presence_and_rpc(server: Server) -> None:
    states: list[str] = []
    async with Client(server.ws_url) as client:
        client.on_state(lambda change: states.append(change.state))
        assert client.state == "connected" and client.client_id
        sub = await client.subscribe("py.basic")
        offsets = [await client.publish("py.basic", {"n": n}) for n in range(3)]
        assert offsets == [1, 2, 3]
        received = await take(sub, 3)
        assert [(p.offset, p.data, p.publisher.client if p.publisher else None) for p in received] == [
            (1, {"n": 0}, client.client_id), (2, {"n": 1}, client.client_id), (3, {"n": 2}, client.client_id)]
        history = await client.history("py.basic", limit=2)
        assert [p.offset for p in history.publications] == [2, 3] and history.offset == 3
        assert [c.client for c in await client.presence("py.basic")] == [client.client_id]
        assert isinstance(await client.rpc("time"), int)
        with pytest.raises(CommandError) as refused:
            await client.publish("py.*", 1)
        assert refused.value.code == "bad_request"
        with pytest.raises(CommandError) as unknown:
            await client.rpc("no-such-method")
        assert unknown.value.code == "not_found"
    assert client.state == "closed" and states[-1] == "closed"


async def test_wildcard_subscriptions_see_every_matching_channel(server: Server) -> None:
    async with Client(server.ws_url) as client:
        sub = await client.subscribe("py.wild.>")
        await client.publish("py.wild.a", 1)
        await client.publish("py.wild.b.c", 2)
        await client.publish("py.other", 3)
        assert [(p.channel, p.data) for p in await take(sub, 2)] == [("py.wild.a", 1), ("py.wild.b.c", 2)]


async def test_history_follows_the_servers_pages_for_the_caller(server: Server) -> None:
    async with Client(server.ws_url) as client, AsyncServerApi(server.url, API_KEY) as api:
        # Big enough that the server cuts its answers at half the outgoing queue (512 KiB): several pages.
        blob = "x" * 20_000
        for n in range(60):
            await api.publish("py.pages", {"n": n, "blob": blob})
        history = await client.history("py.pages", since=(0, ""))
        assert [p.data["n"] for p in history.publications] == list(range(60))
        assert len((await client.history("py.pages", limit=7, since=(50, history.epoch))).publications) == 7


async def test_a_cut_while_the_server_publishes_loses_nothing_and_duplicates_nothing(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    async with Client(proxy.ws_url, **FAST) as client, AsyncServerApi(server.url, API_KEY) as api:
        sub = await client.subscribe("py.cut")
        reconnects: list[StateChange] = []
        client.on_state(lambda change: reconnects.append(change) if change.state == "connected" else None)

        async def publish() -> None:
            for n in range(1, 201):
                await api.publish("py.cut", n)
                if n in (60, 130):
                    proxy.reset()
                await asyncio.sleep(0.002)

        publisher = asyncio.create_task(publish())
        received = await take(sub, 200, timeout=60)
        await publisher
        assert [p.data for p in received] == list(range(1, 201))
        assert [p.offset for p in received] == list(range(1, 201))
        assert len(reconnects) >= 2 and not any(p.follows_gap for p in received)
        assert sub.recovered is True
    await proxy.close()


async def test_publishes_made_offline_are_delivered_once_each_in_order(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    async with Client(proxy.ws_url, **FAST) as client:
        proxy.refuse(True)
        proxy.reset()
        await wait_for(lambda: client.state == "connecting", "the client to notice the cut")
        publishes = [asyncio.create_task(client.publish("py.offline", n)) for n in range(20)]
        await asyncio.sleep(0.3)
        assert not any(task.done() for task in publishes)
        proxy.refuse(False)
        offsets = await asyncio.gather(*publishes)
        assert offsets == list(range(1, 21))
        history = await client.history("py.offline")
        assert [p.data for p in history.publications] == list(range(20))
    await proxy.close()


async def test_a_publish_whose_result_was_lost_is_sent_again_and_published_once(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    async with Client(proxy.ws_url, **FAST) as client:
        proxy.drop_replies(True)
        publish = asyncio.create_task(client.publish("py.lost-result", "once"))
        await wait_for(lambda: client._commands is not None and not client._commands._outbox, "the publish to be written")
        await asyncio.sleep(0.3)  # It reaches the server; its result does not come back.
        proxy.drop_replies(False)
        proxy.reset()
        assert await publish == 1
        history = await client.history("py.lost-result")
        assert [p.data for p in history.publications] == ["once"]
    await proxy.close()


async def test_the_offline_buffer_is_bounded(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    proxy.refuse(True)
    client = Client(proxy.ws_url, offline_limit=3, **FAST)
    connecting = asyncio.create_task(client.connect())
    buffered = [asyncio.create_task(client.publish("py.full", n)) for n in range(3)]
    await asyncio.sleep(0)
    with pytest.raises(BufferFullError):
        await client.publish("py.full", 3)
    proxy.refuse(False)
    await connecting
    assert await asyncio.gather(*buffered) == [1, 2, 3]
    await client.close()
    await proxy.close()


async def test_a_gap_beyond_history_is_reported_on_the_next_publication(constrained: Server) -> None:
    proxy = await TcpProxy(constrained.port).start()
    async with Client(proxy.ws_url, **FAST) as client, AsyncServerApi(constrained.url, API_KEY) as api:
        sub = await client.subscribe("py.gap")
        await api.publish("py.gap", 1)
        assert [p.offset for p in await take(sub, 1)] == [1]
        proxy.refuse(True)
        proxy.reset()
        await wait_for(lambda: client.state == "connecting", "the client to notice the cut")
        for n in range(2, 22):  # 20 while offline: the history holds the last 5
            await api.publish("py.gap", n)
        proxy.refuse(False)
        await wait_for(lambda: sub.recovered is False, "the resubscribe to report recovered=False")
        await api.publish("py.gap", 22)
        [after] = await take(sub, 1)
        assert after.offset == 22 and after.follows_gap is True
    await proxy.close()


async def test_a_burst_past_the_servers_rate_limit_is_paced_and_all_published_in_order(constrained: Server) -> None:
    async with Client(constrained.ws_url) as client:
        offsets = await asyncio.gather(*(client.publish("py.paced", n) for n in range(60)))
        assert offsets == list(range(1, 61))
        assert client.state == "connected" and client.last_disconnect is None


async def test_commands_refused_with_rate_limited_are_sent_again_and_published_once(constrained: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    class Unpaced:
        async def acquire(self) -> None:
            return None

    # As if the client ignored the limits in welcome: 20 at once against a burst of 10, so some are refused.
    monkeypatch.setattr(_link, "Pacer", lambda limits: Unpaced())
    async with Client(constrained.ws_url) as client, AsyncServerApi(constrained.url, API_KEY) as api:
        offsets = await asyncio.gather(*(client.publish("py.refused", n) for n in range(20)))
        assert client._commands is not None and client._commands.refused > 0
        # Each published once; a refused one may land after one written behind it (docs/clients/python.md).
        assert sorted(offsets) == list(range(1, 21))
        assert (await api.history("py.refused")).offset == 20  # nothing published twice
        assert client.state == "connected" and client.last_disconnect is None


async def test_a_kick_4005_stops_the_client_and_ends_the_iteration(server: Server) -> None:
    client = Client(server.ws_url, **FAST)
    await client.connect()
    sub = await client.subscribe("py.kick")
    async with AsyncServerApi(server.url, API_KEY) as api:
        assert await api.disconnect(client=client.client_id, reason="bye") == 1
    with pytest.raises(SwitchboardConnectionError) as ended:
        await take(sub, 1)
    assert ended.value.code == 4005
    assert client.state == "disconnected" and client.last_disconnect and client.last_disconnect.will_reconnect is False
    await client.close()


async def test_a_frozen_reader_gets_4003_then_reconnects_and_loses_nothing_silently(constrained: Server) -> None:
    async with Client(constrained.ws_url, buffer_size=10, **FAST) as client, AsyncServerApi(constrained.url, API_KEY) as api:
        sub = await client.subscribe("py.frozen")
        blob = "y" * 4000
        total = 0
        # Nobody reads `sub`: the client stops reading the socket and the server's queue for it overflows.
        while total < 3000 and (total % 100 or (await api.info())["closes"].get("4003", 0) == 0):
            await api.publish("py.frozen", {"n": total + 1, "blob": blob})
            total += 1
        assert (await api.info())["closes"].get("4003", 0) >= 1, "the server never closed the frozen reader"
        lost: list[StateChange] = []
        client.on_state(lambda change: lost.append(change) if change.state == "connecting" else None)
        received = []

        async def read() -> None:
            async for publication in sub:
                received.append(publication)
                if publication.data["n"] == "last":
                    return

        reader = asyncio.create_task(read())
        await wait_for(lambda: lost and client.state == "connected" and sub.recovered is not None, "the reconnect and resubscribe")
        await api.publish("py.frozen", {"n": "last", "blob": ""})
        await asyncio.wait_for(reader, 30)
        offsets = [p.offset for p in received]
        assert offsets == sorted(set(offsets)), "a duplicate or an out-of-order publication"
        assert offsets[-1] == total + 1
        for before, after in zip(received, received[1:]):
            assert after.offset == before.offset + 1 or after.follows_gap, f"a silent jump {before.offset} -> {after.offset}"


async def test_presence_events_report_other_clients_joining_and_leaving(server: Server) -> None:
    events = []
    async with Client(server.ws_url) as watcher, Client(server.ws_url) as other:
        await watcher.subscribe("py.room", presence=True, on_presence=events.append)
        joined = await other.subscribe("py.room")
        await wait_for(lambda: len(events) == 1, "the join")
        await joined.unsubscribe()
        await wait_for(lambda: len(events) == 2, "the leave")
        assert [(e.joined, e.client.client) for e in events] == [(True, other.client_id), (False, other.client_id)]
