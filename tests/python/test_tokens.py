"""Tokens against a real secured server: refresh on token_expiring on the same connection, 4001 and a reconnect with
a fresh token, 1008 stopping the client instead of a retry loop."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import take, wait_for
from servers import Server, mint_token
from switchboard import Client, SwitchboardConnectionError

SECRET = "python-suite-token-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def secured() -> Server:
    started = Server(f"--Switchboard:Auth:Secret={SECRET}", "--Switchboard:Auth:TokenExpiringAhead=00:00:02",
                     "--Switchboard:Auth:ClockSkew=00:00:00")
    yield started
    started.stop()


@pytest.fixture(scope="module")
def tokens() -> dict[str, str]:
    with ThreadPoolExecutor() as pool:
        ada = pool.submit(mint_token, SECRET, "ada", "1h")
        foreign = pool.submit(mint_token, "another-secret-that-is-long-enough-0123456789", "mallory", "1h")
        return {"ada": ada.result(), "foreign": foreign.result()}


async def short_token() -> str:
    """A token of ada's that lives 3 s from now (the server warns 2 s ahead)."""
    return await asyncio.get_running_loop().run_in_executor(None, mint_token, SECRET, "ada", "3s")


async def test_a_token_authenticates_the_connection_as_its_user(secured: Server, tokens: dict[str, str]) -> None:
    async with Client(secured.ws_url, token=tokens["ada"]) as client:
        assert client.user == "ada"


async def test_a_refused_token_1008_stops_the_client_without_a_retry_loop(secured: Server, tokens: dict[str, str]) -> None:
    calls = 0

    async def get_token() -> str:
        nonlocal calls
        calls += 1
        return tokens["foreign"]

    client = Client(secured.ws_url, get_token=get_token, min_delay=0.05, max_delay=0.2)
    with pytest.raises(SwitchboardConnectionError) as refused:
        await client.connect()
    assert refused.value.code == 1008
    assert client.state == "disconnected" and client.last_disconnect and not client.last_disconnect.will_reconnect
    await asyncio.sleep(0.5)
    assert calls == 1
    await client.close()


async def test_token_expiring_refreshes_on_the_same_connection_past_the_first_tokens_expiry(secured: Server, tokens: dict[str, str]) -> None:
    answers = [await short_token(), tokens["ada"]]
    expires = time.time() + 3
    calls = 0

    async def get_token() -> str:
        nonlocal calls
        calls += 1
        return answers[min(calls, len(answers)) - 1]

    async with Client(secured.ws_url, get_token=get_token) as client:
        connection = client.client_id
        changes: list[str] = []
        client.on_state(lambda change: changes.append(change.state))
        await wait_for(lambda: calls >= 2, "the token to be asked for again before expiry")
        await wait_for(lambda: time.time() > expires + 1.5, "the first token to expire", timeout=10)
        assert await client.publish("py.tokens.one", "still here") >= 1
        assert client.client_id == connection and changes == []


async def test_without_a_refresh_4001_reconnects_with_a_fresh_token_and_recovers(secured: Server, tokens: dict[str, str]) -> None:
    short = await short_token()
    calls = 0

    async def get_token() -> str:
        nonlocal calls
        calls += 1
        # The first answer is short-lived; the refresh fails (the provider raises), so the server closes with 4001.
        if calls == 1:
            return short
        if calls == 2:
            raise RuntimeError("identity provider is down")
        return tokens["ada"]

    async with Client(secured.ws_url, get_token=get_token, min_delay=0.05, max_delay=0.2) as client, \
            Client(secured.ws_url, token=tokens["ada"]) as publisher:
        sub = await client.subscribe("py.tokens.expiry")
        first = client.client_id
        closes: list[int | None] = []
        client.on_state(lambda change: closes.append(change.code) if change.state == "connecting" else None)
        await wait_for(lambda: closes, "the server to close the expired connection", timeout=15)
        assert closes[0] == 4001
        await publisher.publish("py.tokens.expiry", "after")
        [publication] = await take(sub, 1)
        assert publication.data == "after" and not publication.follows_gap
        assert client.client_id != first and calls >= 3
