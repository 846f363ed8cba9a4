"""samples/LiveUpdates' /ws: the parts of seed 002 beyond its Python client, with Python websockets clients.

Usage: live_updates_mixin.py NODE TOKEN   (NODE http://127.0.0.1:PORT, started with --LiveUpdates:HeartbeatInterval=00:00:01;
TOKEN a JWT with sub "u-1", username "alice")
The mixin's hello before authenticated, subscribe/unsubscribe by channel, the JavaScript client's
{"type":"message","content"} to the subscribers of "messages", and the JSON heartbeat (ping from the server, pong taken).
"""
import asyncio
import json
import sys

import websockets

from seedlib import check, fail, passed, post_json, run

NODE = sys.argv[1].rstrip("/")
WS = "ws://" + NODE.split("://", 1)[1]
TOKEN = sys.argv[2]
HELLO = {"type": "connection", "message": "Connected to notification service"}
SHAPE = 'subscribe and unsubscribe take "topics": [names] or "channel": a name, not both'


async def recv_json(ws, timeout=30, pings=False):
    """The next message; the heartbeat's pings are skipped unless asked for."""
    while True:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        except asyncio.TimeoutError:
            fail(f"no message within {timeout} s")
        if pings or message != {"type": "ping"}:
            return message


async def connect():
    ws = await websockets.connect(f"{WS}/ws?token={TOKEN}")
    check(await recv_json(ws) == HELLO, "the first message is not the mixin's hello")
    check((await recv_json(ws))["type"] == "authenticated", "the second message is not authenticated")
    return ws


def publish(subject, data):
    status, body = post_json(NODE + "/api/events", {"subject": subject, "data": data})
    check(status == 202, f"POST /api/events {subject}: {status} {body}")


async def channels():
    ws = await connect()
    await ws.send(json.dumps({"type": "subscribe", "channel": "orders"}))
    check(await recv_json(ws) == {"type": "subscribed", "channel": "orders"}, "subscribe by channel")
    publish("order.created", {"order_id": 1})
    check(await recv_json(ws) == {"type": "order_update", "data": {"order_id": 1}}, "order_update after subscribe by channel")

    await ws.send(json.dumps({"type": "unsubscribe", "channel": "orders"}))
    check(await recv_json(ws) == {"type": "unsubscribed", "channel": "orders"}, "unsubscribe by channel")
    await ws.send(json.dumps({"type": "subscribe", "topics": ["payments"]}))
    check(await recv_json(ws) == {"type": "subscribed", "topics": ["payments"]}, "subscribe by topics still answers topics")
    publish("order.created", {"order_id": 2})  # no longer subscribed: the payment below is the next message
    publish("payment.completed", {"order_id": 2, "amount": 5})
    check(await recv_json(ws) == {"type": "payment_completed", "order_id": 2, "amount": 5}, "an order_update after unsubscribe")

    for bad, error in [({"channel": "orders", "topics": ["orders"]}, SHAPE), ({"channel": ""}, "channel must be a name of 1 to 200 characters"),
                       ({"channel": "x" * 201}, "channel must be a name of 1 to 200 characters")]:
        await ws.send(json.dumps({"type": "subscribe", **bad}))
        check(await recv_json(ws) == {"type": "error", "message": error}, f"subscribe {bad}")
    await ws.close()
    passed("/ws: the mixin's hello first, subscribe and unsubscribe by channel answered with the channel, events follow")


async def messages():
    sender, watcher = await connect(), await connect()
    await watcher.send(json.dumps({"type": "subscribe", "channel": "messages"}))
    check(await recv_json(watcher) == {"type": "subscribed", "channel": "messages"}, "subscribe to messages")
    # The seed's JavaScript sendMessage('hello'), as it sends it.
    await sender.send(json.dumps({"type": "message", "content": "hello"}))
    message = await recv_json(watcher)
    check(set(message) == {"type", "user", "content", "timestamp"} and (message["type"], message["user"], message["content"]) == ("message", "alice", "hello"), f"message: {message}")
    await sender.send(json.dumps({"type": "message", "content": ""}))
    check(await recv_json(sender) == {"type": "error", "message": 'a message needs "content": the text to send'}, "a message without content")
    # The sender is not subscribed to "messages": it got only the error above.
    await sender.send(json.dumps({"type": "ping"}))
    check(await recv_json(sender) == {"type": "pong"}, "a client's ping is answered with pong")
    for ws in (sender, watcher):
        await ws.close()
    passed("/ws: {type: message, content} reaches the subscribers of 'messages' with user and timestamp")


async def heartbeat():
    ws = await connect()
    chat = await websockets.connect(f"{WS}/chat/lobby")
    check(json.loads(await chat.recv()) == HELLO, "chat hello")
    for client in (ws, chat):
        check(await recv_json(client, pings=True) == {"type": "ping"}, "no JSON ping within 30 s (interval 1 s)")
    # The seed's answer is taken silently: the next answer is to the subscribe after it.
    await ws.send(json.dumps({"type": "pong"}))
    await ws.send(json.dumps({"type": "subscribe", "channel": "orders"}))
    check(await recv_json(ws) == {"type": "subscribed", "channel": "orders"}, "pong got an answer")
    # A client that never answers is not closed for it: it still gets pings after several intervals.
    for _ in range(3):
        check(await recv_json(chat, pings=True) == {"type": "ping"}, "pings stopped for a client that does not answer")
    for client in (ws, chat):
        await client.close()
    passed("heartbeat: {type: ping} to /ws and /chat clients every interval, pong taken without an answer")


async def main():
    await channels()
    await messages()
    await heartbeat()


if __name__ == "__main__":
    run(main)
