"""Seed 004's tests of the chat application, against samples/ChatRooms with Python websockets.

The seed's tests use its framework's TestClient and skip the welcome message its own server sends first; here each
client reads its welcome (and the user_joined of the default room "general", which the seed's HTML page chats in
without joining) before the seed's steps.

Usage: chat_rooms.py http://127.0.0.1:PORT
"""
import asyncio
import json
import sys

import websockets

from seedlib import run, check, fail, passed, post_json

HTTP = sys.argv[1].rstrip("/")
ROOT = "ws://" + HTTP.split("://", 1)[1]
WS = ROOT + "/ws"


async def receive_json(ws, timeout=30):
    try:
        return json.loads(await asyncio.wait_for(ws.recv(), timeout))
    except asyncio.TimeoutError:
        fail("no message within 30 s")


async def receive_type(ws, type_):
    """The next message of a type, skipping the room notices other clients cause meanwhile."""
    while True:
        message = await receive_json(ws)
        if message["type"] == type_:
            return message
        check(message["type"] in ("user_joined", "user_left"), f"expected {type_}, got {message}")


async def connect(query=""):
    ws = await websockets.connect(WS + query)
    welcome = await receive_json(ws)
    check(welcome["type"] == "welcome" and welcome["connection_id"] and welcome["message"], f"first message: {welcome}")
    joined = await receive_json(ws)
    check(joined == {"type": "user_joined", "connection_id": welcome["connection_id"], "room": "general"}, f"default room: {joined}")
    return ws, welcome


async def forged_token_is_closed_with_1008(url):
    try:
        async with websockets.connect(url + "?token=forged") as ws:
            await ws.recv()
            fail(f"a forged token was welcomed at {url}")
    except websockets.exceptions.ConnectionClosedError as closed:
        check(closed.code == 1008, f"forged token at {url} closed with {closed.code} {closed.reason}")


async def test_websocket_chat_room():
    ws1, hello1 = await connect()
    await ws1.send(json.dumps({"type": "join_room", "room": "lobby"}))
    check(await receive_json(ws1) == {"type": "room_joined", "room": "lobby"}, "room_joined")
    check(await receive_json(ws1) == {"type": "user_joined", "connection_id": hello1["connection_id"], "room": "lobby"}, "own user_joined")

    ws2, hello2 = await connect()
    await ws2.send(json.dumps({"type": "join_room", "room": "lobby"}))
    check(await receive_type(ws2, "room_joined") == {"type": "room_joined", "room": "lobby"}, "second room_joined")
    joined = await receive_type(ws1, "user_joined")
    while joined["room"] != "lobby":
        joined = await receive_type(ws1, "user_joined")
    check(joined == {"type": "user_joined", "connection_id": hello2["connection_id"], "room": "lobby"}, f"ws1 sees ws2 join: {joined}")

    await ws1.send(json.dumps({"type": "chat_message", "room": "lobby", "message": "Hello everyone!"}))
    for ws in (ws2, ws1):  # To the room, the sender included.
        response = await receive_type(ws, "chat_message")
        check(response == {"type": "chat_message", "connection_id": hello1["connection_id"], "room": "lobby", "message": "Hello everyone!"},
              f"chat_message: {response}")

    await ws2.send(json.dumps({"type": "leave_room", "room": "lobby"}))
    check(await receive_type(ws2, "room_left") == {"type": "room_left", "room": "lobby"}, "room_left")
    left = await receive_type(ws1, "user_left")
    check(left == {"type": "user_left", "connection_id": hello2["connection_id"], "room": "lobby"}, f"user_left on leave: {left}")

    await ws1.send(json.dumps({"type": "join_room", "room": "lobby"}))  # Already a member: no second user_joined.
    check(await receive_type(ws1, "room_joined") == {"type": "room_joined", "room": "lobby"}, "room_joined again")

    await ws2.close()  # ws2 is still in general with ws1: its disconnect is announced there.
    left = await receive_type(ws1, "user_left")
    check(left == {"type": "user_left", "connection_id": hello2["connection_id"], "room": "general"}, f"user_left on disconnect: {left}")
    await ws1.close()
    passed("seed 004 test_websocket_chat_room: join, chat to the room incl. sender, leave, user_left on disconnect")


async def test_websocket_error_handling():
    websocket, _ = await connect()
    await websocket.send(json.dumps({"type": "invalid_type"}))
    response = await receive_json(websocket)
    check(response["type"] == "error" and "Unknown message type" in response["message"], f"unknown type: {response}")
    check(response == {"type": "error", "message": "Unknown message type"}, f"exact error: {response}")
    for bad in ["not json", json.dumps({"type": "join_room"}), json.dumps({"type": "chat_message", "room": "nowhere", "message": "x"}),
                json.dumps({"type": "chat_message", "room": "general"}), json.dumps({"type": "leave_room", "room": "never-joined"})]:
        await websocket.send(bad)
        response = await receive_json(websocket)
        check(response["type"] == "error" and response["message"], f"{bad}: {response}")
    await websocket.send(json.dumps({"type": "join_room", "room": "after-errors"}))
    check(await receive_json(websocket) == {"type": "room_joined", "room": "after-errors"}, "the connection lives on")
    await websocket.close()
    passed("seed 004 test_websocket_error_handling: 'Unknown message type', bad messages get errors, the connection lives on")


async def test_websocket_authentication():
    status, body = post_json(HTTP + "/api/generate-token", {"user_id": "123"})
    check(status == 200 and isinstance(body.get("token"), str), f"generate-token: {status} {body}")
    websocket, welcome = await connect(f"?token={body['token']}")
    check(welcome["user_id"] == "123" and "123" in welcome["message"], f"welcome as user 123: {welcome}")
    await websocket.close()

    status, body = post_json(HTTP + "/api/generate-token", {})
    check(status == 400 and "user_id" in body["detail"], f"generate-token without user_id: {status} {body}")
    await forged_token_is_closed_with_1008(WS)
    passed("seed 004 test_websocket_authentication: /api/generate-token and ws /ws?token= welcomed as that user; a forged token gets 1008")


async def test_echo_endpoints():
    """The seed's echo server (/echo/ws) and its server with authentication (/auth/ws), message for message."""
    async with websockets.connect(ROOT + "/echo/ws") as ws:
        check(await receive_json(ws) == {"type": "welcome", "message": "Connected!"}, "echo welcome")
        for sent in [{"type": "message", "text": "Hello"}, {"type": "join_room", "room": "general"}, {"nested": [1, {"a": None}], "n": 1.5}]:
            await ws.send(json.dumps(sent))
            check(await receive_json(ws) == {"type": "echo", "data": sent}, f"echo of {sent}")
        await ws.send("not json")
        check(await receive_json(ws) == {"type": "error", "message": "Invalid JSON"}, "not JSON gets an error")

    async with websockets.connect(ROOT + "/auth/ws") as ws:
        check(await receive_json(ws) == {"type": "auth_required", "message": "Please authenticate"}, "auth_required without a token")
        await ws.send(json.dumps({"type": "message", "text": "Hello"}))
        check(await receive_json(ws) == {"type": "error", "message": "Authentication required"}, "a message without a token")

    status, body = post_json(HTTP + "/api/generate-token", {"user_id": "123"})
    check(status == 200, f"generate-token: {status} {body}")
    async with websockets.connect(ROOT + "/auth/ws?token=" + body["token"]) as ws:
        check(await receive_json(ws) == {"type": "welcome", "message": "Welcome, 123!"}, "welcome with a token")
        await ws.send(json.dumps({"type": "message", "text": "Hello"}))
        check(await receive_json(ws) == {"type": "message", "data": {"type": "message", "text": "Hello"}, "user": "123"}, "an authenticated message")

    await forged_token_is_closed_with_1008(ROOT + "/auth/ws")
    passed("seed 004 echo server at /echo/ws and its authenticated variant at /auth/ws: welcome, echo, auth_required, message with user, 1008")


async def main():
    await test_echo_endpoints()
    await test_websocket_chat_room()
    await test_websocket_error_handling()
    await test_websocket_authentication()


if __name__ == "__main__":
    run(main)
