"""The sample end to end: a cookie login on the FastAPI backend, then a real WebSocket client on the real
`switchboard serve`, which asks the backend about the connect, every subscribe, publish and rpc."""

import asyncio
import json

import httpx
import pytest
import websockets

TIMEOUT = 20


def login(pair, user="ada", password="lovelace") -> str:
    response = httpx.post(f"{pair['backend']}/login", data={"user": user, "password": password}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.cookies["session"]


class Client:
    """One WebSocket connection of the built-in protocol, with the session cookie of a signed-in browser."""

    def __init__(self, socket):
        self.socket = socket
        self.inbox = []
        self.next_id = 0

    @classmethod
    async def connect(cls, pair, session=None):
        headers = {"Cookie": f"session={session}"} if session else {}
        client = cls(await websockets.connect(pair["ws"], extra_headers=headers, origin=pair["backend"], open_timeout=TIMEOUT))
        client.welcome = await client.receive("welcome")
        return client

    async def receive(self, type_, match=lambda m: True):
        for i, message in enumerate(self.inbox):
            if message["type"] == type_ and match(message):
                return self.inbox.pop(i)
        while True:
            message = json.loads(await asyncio.wait_for(self.socket.recv(), TIMEOUT))
            if message["type"] == type_ and match(message):
                return message
            self.inbox.append(message)

    async def command(self, command: dict) -> dict:
        self.next_id += 1
        await self.socket.send(json.dumps({**command, "id": self.next_id}))
        return await self.receive("result", lambda m: m.get("id") == self.next_id)

    async def close(self):
        await self.socket.close()


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 120))


def error_code(result: dict):
    return None if result["success"] else result["error"]["code"]


def test_the_login_page_refuses_a_wrong_password_and_serves_the_page_with_the_javascript_client_after_login(pair):
    assert httpx.post(f"{pair['backend']}/login", data={"user": "ada", "password": "nope"}).status_code == 401
    session = login(pair)
    page = httpx.get(f"{pair['backend']}/", cookies={"session": session})
    assert "Hello, <span id=\"name\">Ada Lovelace</span>" in page.text
    assert "/js/switchboard/index.js" in page.text
    script = httpx.get(f"{pair['backend']}/js/switchboard/index.js")
    assert script.status_code == 200 and "SwitchboardClient" in script.text


def test_connect_is_decided_from_the_session_cookie(pair):
    async def scenario():
        client = await Client.connect(pair, login(pair))
        assert client.welcome["user"] == "ada"
        assert client.welcome["data"] == {"name": "Ada Lovelace"}
        await client.close()

        # Without a session the backend refuses: close 1008 with its message, before any welcome.
        socket = await websockets.connect(pair["ws"], open_timeout=TIMEOUT)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), TIMEOUT)
        assert (closed.value.code, closed.value.reason) == (1008, "sign in first")

    run(scenario())


def test_subscribes_are_allowed_for_the_users_own_orders_only(pair):
    async def scenario():
        client = await Client.connect(pair, login(pair))
        allowed = await client.command({"type": "subscribe", "channel": "orders.1234"})
        assert allowed["success"], allowed
        assert allowed["result"]["data"]["order"] == "1234"
        forbidden = await client.command({"type": "subscribe", "channel": "orders.77"})
        assert (error_code(forbidden), forbidden["error"]["message"]) == ("forbidden", "not your order")
        assert client.socket.open  # A refusal keeps the connection.
        await client.close()

    run(scenario())


def test_a_moderated_publish_reaches_a_subscriber_rewritten_and_a_blocked_one_is_refused(pair):
    async def scenario():
        bob = await Client.connect(pair, login(pair, "bob", "builder"))
        assert (await bob.command({"type": "subscribe", "channel": "chat.lobby"}))["success"]
        ada = await Client.connect(pair, login(pair))
        published = await ada.command({"type": "publish", "channel": "chat.lobby", "data": {"text": "darn, it works", "user": "mallory"}})
        assert published["success"], published

        message = await bob.receive("message", lambda m: m["channel"] == "chat.lobby")
        assert message["data"] == {"text": "****, it works", "user": "ada"}  # Cleaned, and signed by the session's user.

        blocked = await ada.command({"type": "publish", "channel": "chat.lobby", "data": {"text": "buy spam now"}})
        assert (error_code(blocked), blocked["error"]["message"]) == ("forbidden", "message refused by moderation")
        marker = await ada.command({"type": "publish", "channel": "chat.lobby", "data": {"text": "after"}})
        assert marker["success"]
        assert (await bob.receive("message", lambda m: m["channel"] == "chat.lobby"))["data"]["text"] == "after"
        await ada.close()
        await bob.close()

    run(scenario())


def test_an_rpc_is_answered_by_the_backend(pair):
    async def scenario():
        client = await Client.connect(pair, login(pair))
        answer = await client.command({"type": "rpc", "method": "order.status", "params": {"order": "1234"}})
        assert answer["success"], answer
        assert answer["result"]["order"] == "1234" and answer["result"]["status"] in ("paid", "shipped")
        other = await client.command({"type": "rpc", "method": "order.status", "params": {"order": "77"}})
        assert error_code(other) == "forbidden"
        unknown = await client.command({"type": "rpc", "method": "nope"})
        assert error_code(unknown) == "not_found"
        await client.close()

    run(scenario())


def test_a_publish_of_the_backend_through_the_http_api_reaches_the_subscriber(pair):
    async def scenario():
        session = login(pair)
        client = await Client.connect(pair, session)
        assert (await client.command({"type": "subscribe", "channel": "orders.1234"}))["success"]
        async with httpx.AsyncClient() as http:
            shipped = await http.post(f"{pair['backend']}/orders/1234/ship", cookies={"session": session})
            assert shipped.status_code == 200, shipped.text
            assert (await http.post(f"{pair['backend']}/orders/77/ship", cookies={"session": session})).status_code == 403
        message = await client.receive("message", lambda m: m["channel"] == "orders.1234")
        assert message["data"] == {"order": "1234", "status": "shipped"}
        assert "from" not in message  # Published by the server side, not by a client.
        await client.close()

    run(scenario())
