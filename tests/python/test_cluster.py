"""Recovery across two nodes that share a real redis-server: a client cut from node A reconnects to node B and
recovers what was published meanwhile."""

from __future__ import annotations

import asyncio

from conftest import take, wait_for
from proxy import TcpProxy
from servers import API_KEY, Redis, Server
from switchboard import AsyncServerApi, Client


async def test_a_client_moved_to_another_node_recovers_what_it_missed() -> None:
    redis = Redis()
    config = [f"--Switchboard:Redis:Configuration=127.0.0.1:{redis.port}", "--Switchboard:Redis:KeyPrefix=py-suite:"]
    loop = asyncio.get_running_loop()
    a, b = await asyncio.gather(loop.run_in_executor(None, lambda: Server(*config)), loop.run_in_executor(None, lambda: Server(*config)))
    try:
        proxy = await TcpProxy(a.port).start()
        async with Client(proxy.ws_url, min_delay=0.05, max_delay=0.3) as client, AsyncServerApi(b.url, API_KEY) as api_b:
            sub = await client.subscribe("py.cluster")
            node_a = client.client_id
            await api_b.publish("py.cluster", 1)
            assert [p.data for p in await take(sub, 1)] == [1]
            proxy.refuse(True)
            proxy.reset()
            await wait_for(lambda: client.state == "connecting", "the client to notice the cut")
            for n in range(2, 12):
                await api_b.publish("py.cluster", n)
            proxy.target = b.port
            proxy.refuse(False)
            received = await take(sub, 10)
            assert [p.data for p in received] == list(range(2, 12))
            assert [p.offset for p in received] == list(range(2, 12))
            assert sub.recovered is True and client.client_id != node_a
            assert [c.client for c in await api_b.presence("py.cluster")] == [client.client_id]
        await proxy.close()
    finally:
        a.stop()
        b.stop()
        redis.stop()
