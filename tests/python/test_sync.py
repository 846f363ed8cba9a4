"""The blocking facade (switchboard.sync) from plain code, no event loop in sight."""

from __future__ import annotations

import pytest

from servers import Server
from switchboard.sync import Client


def test_the_sync_client_publishes_iterates_and_waits_with_a_timeout(server: Server) -> None:
    with Client(server.ws_url) as client:
        assert client.state == "connected"
        sub = client.subscribe("py.sync")
        with pytest.raises(TimeoutError):
            sub.next_publication(timeout=0.3)  # nothing yet; the wait is cancelled and takes nothing
        assert [client.publish("py.sync", n) for n in range(3)] == [1, 2, 3]
        received = []
        for publication in sub:
            received.append(publication.data)
            if len(received) == 3:
                break
        assert received == [0, 1, 2]
        assert [p.offset for p in client.history("py.sync", limit=2).publications] == [2, 3]
        assert isinstance(client.rpc("time"), int) and len(client.presence("py.sync")) == 1
        sub.unsubscribe()
    assert client.state == "closed"
