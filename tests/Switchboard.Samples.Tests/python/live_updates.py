"""Seed 002's Python client (websockets) against samples/LiveUpdates.

Usage: live_updates.py WS_NODE EVENTS_NODE USER_TOKEN ADMIN_TOKEN [bridge-only]
  WS_NODE      http://127.0.0.1:PORT the clients connect to
  EVENTS_NODE  http://127.0.0.1:PORT the backend POSTs /api/events to (another node through Redis, or the same)
  USER_TOKEN   a JWT with sub/username and roles ["user"];  ADMIN_TOKEN  one with roles ["admin"]
  bridge-only  only the event bridge (for the two-node run)
"""
import ast
import asyncio
import json
import sys

import websockets

from seedlib import run, Printed, check, fail, load_seed, passed, post_json

WS = "ws://" + sys.argv[1].rstrip("/").split("://", 1)[1]
EVENTS = sys.argv[2].rstrip("/") + "/api/events"
USER_TOKEN, ADMIN_TOKEN = sys.argv[3], sys.argv[4]
BRIDGE_ONLY = len(sys.argv) > 5 and sys.argv[5] == "bridge-only"


def received(line):
    return ast.literal_eval(line.split("Received: ", 1)[1]) if line.startswith("Received: ") else None


def seed_client(token, printed):
    return load_seed("seed002_python_client.py", replace={"ws://localhost:8081/ws?token=your-token": f"{WS}/ws?token={token}"},
                     until="# Run client", print=printed)


def publish(subject, data):
    status, body = post_json(EVENTS, {"subject": subject, "data": data})
    check(status == 202, f"POST /api/events {subject}: {status} {body}")
    return body


async def event_bridge():
    """The seed's client subscribes to orders and payments; backend events reach it as the seed's messages."""
    printed = Printed("websocket_client")
    client = asyncio.create_task(seed_client(USER_TOKEN, printed).websocket_client())
    hello = await asyncio.to_thread(printed.wait_for, lambda l: "'authenticated'" in l, "authenticated")
    check(received(hello) == {"type": "authenticated", "user": {"id": "u-1", "username": "alice", "roles": ["user"]}}, f"authenticated: {hello}")
    await asyncio.to_thread(printed.wait_for, lambda l: "'subscribed'" in l, "the subscribe acknowledgement")

    publish("order.created", {"order_id": 42, "status": "created"})
    line = await asyncio.to_thread(printed.wait_for, lambda l: "'order_update'" in l, "order_update")
    check(received(line) == {"type": "order_update", "data": {"order_id": 42, "status": "created"}}, f"order_update: {line}")
    await asyncio.to_thread(printed.wait_for, lambda l: l.startswith("Order updated: {'order_id': 42"), "the seed's 'Order updated' line")

    publish("inventory.low", {"sku": "x"})  # Matches no route: nobody gets it.
    publish("payment.completed", {"order_id": 42, "amount": 99.5, "card": "secret"})
    line = await asyncio.to_thread(printed.wait_for, lambda l: "'payment_completed'" in l, "payment_completed")
    check(received(line) == {"type": "payment_completed", "order_id": 42, "amount": 99.5}, f"payment_completed: {line}")
    publish("order.shipped", {"order_id": 42, "status": "shipped"})
    await asyncio.to_thread(printed.wait_for, lambda l: "'shipped'" in l, "the second order_update")
    types = [received(l)["type"] for l in printed.lines if l.startswith("Received: ")]
    types = [t for t in types if t != "ping"]  # the JSON heartbeat's, every 30 s
    check(types == ["connection", "authenticated", "subscribed", "order_update", "payment_completed", "order_update"], f"message types: {types}")
    client.cancel()
    passed("seed 002 Python client: the hello, authenticated, order.* -> order_update, payment.completed -> payment_completed, nothing else")


async def invalid_tokens():
    """A missing or invalid token: the server closes with 1008 "Invalid token" and the seed's client sees it."""
    for token in ["your-token", ""]:
        printed = Printed("websocket_client")
        try:
            await asyncio.wait_for(seed_client(token, printed).websocket_client(), 30)
            fail(f"token '{token}': the connection ended without an error")
        except websockets.exceptions.ConnectionClosedError as closed:
            check(closed.code == 1008 and closed.reason == "Invalid token", f"token '{token}': closed with {closed.code} {closed.reason!r}")
        check(printed.lines == [], f"token '{token}' received {printed.lines}")
    passed("seed 002 Python client with a bad or missing token: close 1008 'Invalid token'")


async def recv_json(ws):
    """The next message other than the JSON heartbeat's ping (every 30 s)."""
    while (message := json.loads(await asyncio.wait_for(ws.recv(), 30))) == {"type": "ping"}:
        pass
    return message


async def permissions_and_rate_limit():
    async with websockets.connect(f"{WS}/ws?token={USER_TOKEN}") as user, websockets.connect(f"{WS}/ws?token={ADMIN_TOKEN}") as admin:
        for ws in (user, admin):
            check(await recv_json(ws) == {"type": "connection", "message": "Connected to notification service"}, "no hello")
            check((await recv_json(ws))["type"] == "authenticated", "no authenticated")
        await user.send(json.dumps({"type": "admin_command", "command": "announce", "text": "hi"}))
        check(await recv_json(user) == {"type": "error", "message": "Insufficient permissions"}, "admin_command as user")
        await admin.send(json.dumps({"type": "admin_command", "command": "announce", "text": "maintenance at noon"}))
        for ws in (user, admin):
            message = await recv_json(ws)
            check(message["type"] == "announcement" and message["text"] == "maintenance at noon", f"announcement: {message}")

        # 60 messages a minute are fine (1 sent above, 59 here); the 61st gets the app's error and the connection lives on.
        for i in range(59):
            await user.send(json.dumps({"type": "subscribe", "topics": ["orders"]}))
        replies = [await recv_json(user) for _ in range(59)]
        check(all(r["type"] == "subscribed" for r in replies), f"replies before the limit: {[r for r in replies if r['type'] != 'subscribed'][:3]}")
        await user.send(json.dumps({"type": "subscribe", "topics": ["payments"]}))
        check(await recv_json(user) == {"type": "error", "message": "Rate limit exceeded"}, "61st message")
        publish("order.updated", {"order_id": 7})
        check((await recv_json(user))["type"] == "order_update", "events after the rate limit")
    passed("admin_command needs the admin role; the 61st message in a minute gets 'Rate limit exceeded'")


async def main():
    await event_bridge()
    if not BRIDGE_ONLY:
        await invalid_tokens()
        await permissions_and_rate_limit()


if __name__ == "__main__":
    run(main)
