"""Seed 003's topic manager protocol against samples/TopicManager, with Python websockets.

Seed 003 shows the server (FastAPI) and React/TypeScript clients; this is the protocol its ConnectionManager speaks:
subscribe/unsubscribe by topic (no reply), ping -> pong, anything else echoed as {"received": ...}.

Usage: topic_manager.py http://127.0.0.1:PORT
"""
import asyncio
import json
import sys

import websockets

from seedlib import run, check, fail, passed, post_json

HTTP = sys.argv[1].rstrip("/")
WS = "ws://" + HTTP.split("://", 1)[1]


async def receive_json(ws):
    try:
        return json.loads(await asyncio.wait_for(ws.recv(), 30))
    except asyncio.TimeoutError:
        fail("no message within 30 s")


async def ping(ws):
    """A round trip: everything sent before it was handled, everything queued for this client before it arrived."""
    await ws.send(json.dumps({"type": "ping"}))
    check(await receive_json(ws) == {"type": "pong"}, "the next message after ping was not pong")


def publish(topic, message):
    status, body = post_json(HTTP + "/api/publish", {"topic": topic, "message": message})
    check(status == 202, f"POST /api/publish: {status} {body}")


async def main():
    async with websockets.connect(WS + "/ws/alice") as alice, websockets.connect(WS + "/ws/bob") as bob:
        await alice.send(json.dumps({"type": "subscribe", "topic": "news"}))
        await ping(alice)
        await ping(bob)

        publish("news", {"headline": "Switchboard ships handlers"})
        check(await receive_json(alice) == {"headline": "Switchboard ships handlers"}, "alice gets the topic message as sent")
        await ping(bob)  # Bob did not subscribe: his next message is his pong.
        publish("news", "plain text")
        check(await receive_json(alice) == "plain text", "any JSON value is sent as is")
        publish("weather", {"sky": "clear"})  # Nobody subscribed.

        await alice.send(json.dumps({"type": "hello", "n": 1}))
        check(await receive_json(alice) == {"received": {"type": "hello", "n": 1}}, "echo of an unknown message")
        for bad in ["{broken", "[1, 2]"]:  # The seed's receive_json() would end the connection; here it lives on.
            await alice.send(bad)
            error = await receive_json(alice)
            check(error["type"] == "error" and "JSON" in error["message"], f"{bad}: {error}")
        await alice.send(json.dumps({"type": "subscribe"}))
        error = await receive_json(alice)
        check(error["type"] == "error" and "topic" in error["message"], f"subscribe without a topic: {error}")

        await alice.send(json.dumps({"type": "unsubscribe", "topic": "news"}))
        await ping(alice)
        publish("news", {"headline": "nobody listens"})
        await ping(alice)

        await bob.send(json.dumps({"type": "subscribe", "topic": "news"}))
        await ping(bob)
        publish("news", {"headline": "bob's turn"})
        check(await receive_json(bob) == {"headline": "bob's turn"}, "bob after subscribing")
        await ping(alice)

    status, body = post_json(HTTP + "/api/publish", {"message": "no topic"})
    check(status == 400 and "topic" in body["detail"], f"publish without a topic: {status} {body}")
    passed("seed 003 topic manager: subscribe/unsubscribe, ping/pong, echo, POST /api/publish to subscribers only")


if __name__ == "__main__":
    run(main)
