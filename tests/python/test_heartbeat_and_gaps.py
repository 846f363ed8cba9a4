"""Heartbeats (a dead link noticed, an idle client kept alive) and the client's own continuity check (a frame the
network lost, healed by subscribing again from the last position)."""

from __future__ import annotations

import asyncio
import json

import pytest

from conftest import take, wait_for
from proxy import TcpProxy
from servers import API_KEY, Server
from switchboard import AsyncServerApi, Client, StateChange

FAST = {"min_delay": 0.05, "max_delay": 0.3}


@pytest.fixture(scope="module")
def pinging() -> Server:
    """Pings a client silent for 1 s and closes one silent for 2 s with 4002."""
    started = Server("--Switchboard:PingInterval=00:00:01", "--Switchboard:PongTimeout=00:00:01")
    yield started
    started.stop()


async def test_an_idle_client_answers_pings_and_keeps_its_connection(pinging: Server) -> None:
    async with Client(pinging.ws_url) as client:
        connection = client.client_id
        changes: list[StateChange] = []
        client.on_state(changes.append)
        await asyncio.sleep(4)  # twice what a silent client survives
        assert client.client_id == connection and changes == []
        assert await client.publish("py.idle", 1) == 1


async def test_a_black_holed_link_is_noticed_by_the_heartbeat_and_replaced(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    async with Client(proxy.ws_url, heartbeat_timeout=2, **FAST) as client:
        first = client.client_id
        lost: list[StateChange] = []
        client.on_state(lambda change: lost.append(change) if change.state == "connecting" else None)
        proxy.blackhole(True)
        await wait_for(lambda: lost, "the heartbeat to give up on the silent link", timeout=15)
        assert "heartbeat" in lost[0].reason
        proxy.blackhole(False)
        await wait_for(lambda: client.state == "connected", "a new connection")
        assert client.client_id != first and await client.publish("py.blackhole", 1) == 1
    await proxy.close()


async def test_a_frame_lost_on_the_way_is_recovered_by_subscribing_again(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    async with Client(proxy.ws_url, batch=False, **FAST) as client, AsyncServerApi(server.url, API_KEY) as api:
        sub = await client.subscribe("py.dropped")
        connection = client.client_id

        def third(text: str) -> bool:
            message = json.loads(text)
            return message.get("type") == "message" and message.get("offset") == 3

        proxy.drop_server_frames(third)
        for n in range(1, 7):
            await api.publish("py.dropped", n)
        received = await take(sub, 6)
        assert [p.offset for p in received] == [1, 2, 3, 4, 5, 6] and not any(p.follows_gap for p in received)
        assert client.client_id == connection  # healed on the same connection
        assert sub.recovered is True
    await proxy.close()


async def test_a_wildcard_subscription_reports_a_lost_frame_as_a_gap(server: Server) -> None:
    proxy = await TcpProxy(server.port).start()
    async with Client(proxy.ws_url, batch=False, **FAST) as client, AsyncServerApi(server.url, API_KEY) as api:
        sub = await client.subscribe("py.dropped-wild.>")
        proxy.drop_server_frames(lambda text: '"offset":2,' in text)
        for n in range(1, 4):
            await api.publish("py.dropped-wild.a", n)
        received = await take(sub, 2)
        assert [(p.offset, p.follows_gap) for p in received] == [(1, False), (3, True)]
    await proxy.close()
