"""Seed 000's Python clients (websockets, tenacity) against samples/HomeHub, the Home Assistant WebSocket API subset.

Usage: home_hub.py http://127.0.0.1:PORT ACCESS_TOKEN
"""
import asyncio
import json
import logging
import sys

import websockets

from seedlib import run, AsyncCollected, Printed, check, fail, load_seed, passed

BASE = "ws://" + sys.argv[1].rstrip("/").split("://", 1)[1]
TOKEN = sys.argv[2]
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
logger = logging.getLogger("seed000")


class RecordedSocket:
    """Wraps a client's websocket to keep every raw message it receives (the seed's classes drop the event ids)."""

    def __init__(self, websocket):
        self._websocket = websocket
        self.received = []

    async def recv(self):
        message = await self._websocket.recv()
        self.received.append(json.loads(message))
        return message

    def __getattr__(self, name):
        return getattr(self._websocket, name)


async def basic_client():
    """Pattern 1 sends subscribe_events without authenticating: the server answers auth_invalid and closes (1008)."""
    printed = Printed("basic client")
    seed = load_seed("seed000_basic_client.py", print=printed)
    try:
        await asyncio.wait_for(seed.websocket_client(BASE + "/api/websocket"), 30)
        fail("the unauthenticated connection was not closed with 1008")
    except websockets.exceptions.ConnectionClosedError as closed:
        check(closed.code == 1008 and closed.reason == "Auth message incorrectly formatted", f"closed with {closed.code} {closed.reason!r}")
    check(len(printed.lines) == 2, f"expected auth_required and auth_invalid, printed {printed.lines}")
    check("'type': 'auth_required'" in printed.lines[0] and "'type': 'auth_invalid'" in printed.lines[1], f"printed {printed.lines}")
    passed("seed 000 basic client: auth_required, then auth_invalid for a message that is not auth, then close 1008")


async def reconnecting_client():
    """Pattern 2's WebSocketClient (tenacity retry) speaking the auth handshake and a ping."""
    seed = load_seed("seed000_reconnecting_client.py", logger=logger)
    client = seed.WebSocketClient(BASE + "/api/websocket")
    await client.connect()
    check((await client.receive())["type"] == "auth_required", "no auth_required")
    await client.send({"type": "auth", "access_token": TOKEN})
    check((await client.receive())["type"] == "auth_ok", "no auth_ok")
    await client.send({"id": 1, "type": "ping"})
    check(await client.receive() == {"id": 1, "type": "pong"}, "no pong for id 1")
    await client.close()
    passed("seed 000 WebSocketClient: auth_ok and ping/pong")


async def connected(seed, label):
    ha = seed.HomeAssistantWebSocket(BASE, TOKEN)
    await ha.connect()
    ha.websocket = RecordedSocket(ha.websocket)
    events = AsyncCollected()
    listener = asyncio.create_task(ha.listen_events(events.add), name=label)
    return ha, events, listener


async def home_assistant_client():
    """Pattern 3's HomeAssistantWebSocket: get_states, subscribe_events, call_service, fire_event, unsubscribe."""
    seed = load_seed("seed000_home_assistant.py", logger=logger)

    wrong = seed.HomeAssistantWebSocket(BASE, "not-the-token")
    try:
        await wrong.connect()
        fail("a wrong access token was accepted")
    except Exception as error:  # The seed raises a bare Exception with the auth result.
        check("auth_invalid" in str(error), f"wrong token: {error}")

    ha, events, listener = await connected(seed, "all events")
    subscribed = await ha.subscribe_events()
    check(subscribed["type"] == "result" and subscribed["success"] is True, f"subscribe_events: {subscribed}")
    all_events = subscribed["id"]

    states = await ha.get_states()
    check(states["success"] is True and isinstance(states["result"], list), f"get_states: {states}")
    by_id = {s["entity_id"]: s for s in states["result"]}
    kitchen = by_id.get("light.kitchen")
    check(kitchen is not None and kitchen["state"] == "off", f"light.kitchen: {kitchen}")
    check({"entity_id", "state", "attributes", "last_changed", "last_updated", "context"} <= set(kitchen), f"state fields: {kitchen}")

    filtered, filtered_events, filtered_listener = await connected(seed, "state_changed only")
    result = await filtered.subscribe_events("state_changed")
    check(result["success"] is True, f"subscribe_events state_changed: {result}")

    fired = await ha.send_command({"type": "fire_event", "event_type": "homeiq_test", "event_data": {"n": 1}})
    check(fired["success"] is True and "context" in fired["result"], f"fire_event: {fired}")
    custom = await events.wait_for(lambda e: e["event_type"] == "homeiq_test", "the fired event")
    check(custom["data"] == {"n": 1}, f"fired event: {custom}")

    called = await ha.send_command({"type": "call_service", "domain": "light", "service": "turn_on",
                                    "service_data": {"brightness": 200}, "target": {"entity_id": "light.kitchen"}})
    check(called["success"] is True and "id" in called["result"]["context"], f"call_service: {called}")
    changed = await events.wait_for(lambda e: e["event_type"] == "state_changed", "state_changed")
    data = changed["data"]
    check(data["entity_id"] == "light.kitchen" and data["old_state"]["state"] == "off" and data["new_state"]["state"] == "on"
          and data["new_state"]["attributes"]["brightness"] == 200, f"state_changed: {changed}")
    # The event carries the subscription's id; the filtered client got state_changed and never the custom event.
    raw = [m for m in ha.websocket.received if m.get("type") == "event"]
    check(all(m["id"] == all_events for m in raw), f"event ids: {raw}")
    first = await filtered_events.wait_for(lambda e: True, "the filtered client's first event")
    check(first["event_type"] == "state_changed", f"the state_changed-only subscription got {first}")

    pong = await ha.send_command({"type": "ping"})
    check(pong["type"] == "pong", f"ping: {pong}")
    unknown = await ha.send_command({"type": "no_such_command"})
    check(unknown["success"] is False and unknown["error"]["code"] == "unknown_command", f"unknown command: {unknown}")
    missing = await ha.send_command({"type": "call_service", "domain": "light", "service": "fly", "target": {"entity_id": "light.kitchen"}})
    check(missing["success"] is False and missing["error"]["code"] == "not_found", f"unknown service: {missing}")
    nameless = await ha.send_command({"type": "fire_event"})
    check(nameless["success"] is False and nameless["error"]["code"] == "invalid_format", f"fire_event without event_type: {nameless}")

    unsubscribed = await ha.send_command({"type": "unsubscribe_events", "subscription": all_events})
    check(unsubscribed["success"] is True, f"unsubscribe_events: {unsubscribed}")
    before = len(events.items)
    await ha.send_command({"type": "call_service", "domain": "light", "service": "toggle", "target": {"entity_id": "light.kitchen"}})
    toggled = await filtered_events.wait_for(lambda e: e["data"]["new_state"]["state"] == "off", "the toggle's state_changed")
    check(toggled["data"]["entity_id"] == "light.kitchen", f"toggle: {toggled}")
    check((await ha.send_command({"type": "ping"}))["type"] == "pong", "ping after unsubscribe")
    check(len(events.items) == before, f"events after unsubscribe: {events.items[before:]}")

    for client, task in [(ha, listener), (filtered, filtered_listener)]:
        task.cancel()
        await client.websocket.close()
    passed("seed 000 HomeAssistantWebSocket: auth, get_states, subscribe_events (all / by type), call_service, fire_event, ping, errors, unsubscribe")


async def heartbeat():
    """heartbeat_task pings with protocol-level WebSocket pings; the sample answers every one."""
    seed = load_seed("seed000_heartbeat.py", asyncio=asyncio, websockets=websockets, logger=logger)
    async with websockets.connect(BASE + "/api/websocket") as websocket:
        answered = []
        ping = websocket.ping

        async def counted_ping(*args):
            waiter = await ping(*args)
            waiter.add_done_callback(lambda w: answered.append(not w.cancelled() and w.exception() is None))
            return waiter

        websocket.ping = counted_ping
        task = asyncio.create_task(seed.heartbeat_task(websocket, interval=0.2))
        deadline = asyncio.get_running_loop().time() + 30
        while len(answered) < 3 and not task.done() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        task.cancel()
        check(answered[:3] == [True, True, True], f"pongs: {answered}")
    passed("seed 000 heartbeat_task: protocol-level pings answered")


async def bad_messages():
    """Not JSON, or an id that does not increase: Home Assistant's error result, and the connection lives on."""
    async with websockets.connect(BASE + "/api/websocket") as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": TOKEN}))
        check(json.loads(await ws.recv())["type"] == "auth_ok", "no auth_ok")
        await ws.send("not json")
        error = json.loads(await asyncio.wait_for(ws.recv(), 30))
        check(error["type"] == "result" and error["success"] is False and error["id"] is None and error["error"]["code"] == "invalid_format", f"not JSON: {error}")
        for message, expected in [({"id": 5, "type": "ping"}, {"id": 5, "type": "pong"}), ({"id": 5, "type": "ping"}, "id_reuse"), ({"type": "ping"}, "invalid_format")]:
            await ws.send(json.dumps(message))
            reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
            check(reply == expected if isinstance(expected, dict) else reply["error"]["code"] == expected, f"{message}: {reply}")
    passed("bad messages get Home Assistant's error results: invalid_format, id_reuse")


async def main():
    await basic_client()
    await reconnecting_client()
    await home_assistant_client()
    await bad_messages()
    await heartbeat()


if __name__ == "__main__":
    run(main)
