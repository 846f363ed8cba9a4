"""samples/LiveUpdates' /chat/{room_id} (seed 002's ChatService) with Python websockets clients.

Usage: live_updates_chat.py NODE TOKEN   (NODE http://127.0.0.1:PORT; TOKEN a JWT with username "alice")
The mixin's hello first, user_joined to the others of the room only, message to the whole room (sender included)
with user and timestamp, user_left when a member goes, rooms apart, errors for bad messages, 1008 for a bad token.
"""
import asyncio
import datetime
import json
import sys

import websockets

from seedlib import check, fail, passed, run

WS = "ws://" + sys.argv[1].rstrip("/").split("://", 1)[1]
TOKEN = sys.argv[2]
HELLO = {"type": "connection", "message": "Connected to notification service"}


async def recv_json(ws, timeout=30):
    """The next message other than the heartbeat's ping (sent to everyone every 30 s)."""
    while True:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        except asyncio.TimeoutError:
            fail(f"no message within {timeout} s")
        if message != {"type": "ping"}:
            return message


def check_line(message, user, text):
    check(set(message) == {"type", "user", "message", "timestamp"} and message["type"] == "message", f"chat message: {message}")
    check((message["user"], message["message"]) == (user, text), f"expected {user!r}: {text!r}, got {message}")
    stamp = datetime.datetime.fromisoformat(message["timestamp"])
    check(abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) < 300, f"timestamp {message['timestamp']}")


async def rooms():
    async with websockets.connect(f"{WS}/chat/room1") as anna:
        check(await recv_json(anna) == HELLO, "anna's first message is not the mixin's hello")
        async with websockets.connect(f"{WS}/chat/room1?token={TOKEN}") as alice, websockets.connect(f"{WS}/chat/room2") as carl:
            check(await recv_json(alice) == HELLO, "alice's first message is not the hello")
            check(await recv_json(carl) == HELLO, "carl's first message is not the hello")
            check(await recv_json(anna) == {"type": "user_joined", "message": "User joined room room1"}, "anna: no user_joined for alice")

            # Room 2 is apart: carl's message reaches carl only, and anna's next message is from her own room.
            await carl.send(json.dumps({"type": "message", "message": "anyone?"}))
            check_line(await recv_json(carl), "Anonymous", "anyone?")

            await anna.send(json.dumps({"type": "message", "user": "anna", "message": "Hello, world!"}))
            for ws in (anna, alice):  # alice got no user_joined of her own: her next message is anna's
                check_line(await recv_json(ws), "anna", "Hello, world!")
            await alice.send(json.dumps({"type": "message", "user": "mallory", "message": "hi"}))
            for ws in (anna, alice):  # a token's username wins over "user"
                check_line(await recv_json(ws), "alice", "hi")

            await anna.send(json.dumps({"type": "message", "user": "anna"}))
            check(await recv_json(anna) == {"type": "error", "message": 'a chat message needs "message": the text to send'}, "message without text")
            await anna.send(json.dumps({"type": "subscribe", "channel": "orders"}))
            check(await recv_json(anna) == {"type": "error", "message": "Unknown message type"}, "other types in a chat room")
            await anna.send("not json")
            check(await recv_json(anna) == {"type": "error", "message": "Invalid JSON"}, "invalid JSON")
            await anna.send(json.dumps({"type": "pong"}))  # taken without an answer
            await anna.send(json.dumps({"type": "ping"}))
            check(await recv_json(anna) == {"type": "pong"}, "a client's ping is answered with pong")
            await carl.close()  # another room's: anna hears nothing of it
            await alice.close()
        check(await recv_json(anna) == {"type": "user_left", "message": "User left the room"}, "anna: no user_left when alice left")
        await anna.send(json.dumps({"type": "ping"}))
        check(await recv_json(anna) == {"type": "pong"}, "anna got a second user_left (for carl of room2?)")
    passed("chat rooms: hello, user_joined to the others, message to the room with user and timestamp, user_left, rooms apart")


async def refusals():
    try:
        async with websockets.connect(f"{WS}/chat/room1?token=not-a-jwt") as ws:
            await ws.recv()
        fail("a bad token got in")
    except websockets.exceptions.ConnectionClosedError as closed:
        check((closed.code, closed.reason) == (1008, "Invalid token"), f"bad token closed with {closed.code} {closed.reason!r}")
    try:
        await websockets.connect(f"{WS}/chat/{'r' * 101}")
        fail("a room name of 101 characters got in")
    except websockets.exceptions.InvalidStatusCode as refused:
        check(refused.status_code == 404, f"a room name of 101 characters: {refused.status_code}")
    passed("chat rooms: a bad token gets 1008 'Invalid token', a room name over 100 characters 404")


async def main():
    await rooms()
    await refusals()


if __name__ == "__main__":
    run(main)
