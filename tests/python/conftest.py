"""Shared fixtures: the real server, and `async def` tests run on a fresh event loop each (no plugin needed)."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from servers import API_KEY, Server

TEST_TIMEOUT = 90


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(asyncio.wait_for(pyfuncitem.obj(**arguments), TEST_TIMEOUT))
    return True


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """A plain development server with the HTTP API (key API_KEY)."""
    started = Server()
    yield started
    started.stop()


@pytest.fixture(scope="session")
def api_key() -> str:
    return API_KEY


async def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 30) -> None:
    """Polls `predicate` (sync or async) until it holds; fails after `timeout` seconds saying `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def take(subscription: Any, count: int, timeout: float = 30) -> list[Any]:
    """The next `count` publications of a subscription."""
    received = []
    async def read() -> None:
        async for publication in subscription:
            received.append(publication)
            if len(received) == count:
                return
    try:
        await asyncio.wait_for(read(), timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"got {len(received)} of {count} publications: {[p.offset for p in received]}") from None
    return received
