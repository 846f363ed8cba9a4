"""The ChatService of seed 002's unit test, served by samples/LiveUpdates.

The seed's test (seeds/seed002_unit_test.py) builds `ChatService()` and drives `service.app` with fastapi's TestClient,
which calls an ASGI application in process. Here the service is the sample running as its own process, at the address
in the environment variable SEED002_SAMPLE (http://127.0.0.1:PORT); `app` is an ASGI application that forwards each
WebSocket session the TestClient opens to the sample (same path and query), message for message and close for close,
so that the seed's test code runs unchanged against the real server.
"""
import asyncio
import os

import websockets


class SampleWebSocketProxy:
    """An ASGI application whose WebSocket sessions are the sample's."""

    def __init__(self, sample):
        self.base = "ws://" + sample.rstrip("/").split("://", 1)[1]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"only WebSocket sessions are forwarded to the sample"})
            return
        query = scope.get("query_string", b"").decode()
        uri = self.base + scope["path"] + ("?" + query if query else "")
        await receive()  # websocket.connect
        try:
            upstream = await websockets.connect(uri)
        except websockets.exceptions.InvalidStatusCode as refused:
            # The sample refused the upgrade (e.g. 404 for an unknown path): the TestClient sees the session closed.
            await send({"type": "websocket.close", "code": 1008, "reason": f"the sample answered {refused.status_code}"})
            return
        await send({"type": "websocket.accept"})
        to_client = asyncio.ensure_future(self._to_client(upstream, send))
        to_sample = asyncio.ensure_future(self._to_sample(upstream, receive))
        try:
            await asyncio.wait([to_client, to_sample], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (to_client, to_sample):
                task.cancel()
            await upstream.close()

    @staticmethod
    async def _to_client(upstream, send):
        try:
            async for message in upstream:
                key = "text" if isinstance(message, str) else "bytes"
                await send({"type": "websocket.send", key: message})
        except websockets.exceptions.ConnectionClosed:
            pass
        await send({"type": "websocket.close", "code": upstream.close_code or 1000, "reason": upstream.close_reason or ""})

    @staticmethod
    async def _to_sample(upstream, receive):
        while True:
            event = await receive()
            if event["type"] == "websocket.receive":
                await upstream.send(event["text"] if event.get("text") is not None else event["bytes"])
            elif event["type"] == "websocket.disconnect":
                await upstream.close(event.get("code", 1000))
                return


class ChatService:
    """The seed's ChatService: its app is the sample's /chat/{room_id} (and every other endpoint of it)."""

    def __init__(self):
        self.app = SampleWebSocketProxy(os.environ["SEED002_SAMPLE"])
