"""QakeAPI's TestClient as seed 004's tests use it, over real sockets to a running server (Debian's python3-httpx and
python3-websockets): `app` is the server's base URL; `await client.post(path, json=...)` gives an httpx response;
`client.websocket_connect(path)` is an async context manager whose session has `send_json` and `receive_json`.
"""
import asyncio
import json

import httpx
import websockets

RECEIVE_TIMEOUT = 30


class TestClient:
    __test__ = False  # Not a pytest test class, though the tests import it under this name.

    def __init__(self, app):
        self.base_url = app.rstrip("/")

    async def post(self, path, json=None):
        async with httpx.AsyncClient(base_url=self.base_url, timeout=RECEIVE_TIMEOUT) as http:
            return await http.post(path, json=json)

    def websocket_connect(self, path):
        return WebSocketSession("ws://" + self.base_url.split("://", 1)[1] + path)


class WebSocketSession:
    def __init__(self, url):
        self.url = url
        self.websocket = None

    async def __aenter__(self):
        self.websocket = await websockets.connect(self.url)
        return self

    async def __aexit__(self, *exc_info):
        await self.websocket.close()

    async def send_json(self, data):
        await self.websocket.send(json.dumps(data))

    async def receive_json(self):
        return json.loads(await asyncio.wait_for(self.websocket.recv(), RECEIVE_TIMEOUT))

    async def close(self):
        await self.websocket.close()
