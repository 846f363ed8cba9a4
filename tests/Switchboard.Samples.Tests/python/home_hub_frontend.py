"""What Home Assistant 2024.1's frontend (home-assistant-js-websocket) sends after auth_ok, against samples/HomeHub.

The frontend opens with supported_features (coalesce_messages), then subscribe_entities, subscribe_events for a few
event types, get_config and get_services (the ids below are those of a captured frontend session). Its entity store
is rebuilt here from the compressed events exactly as home-assistant-js-websocket's entities.ts applies them, and must
agree with get_states after every change; the raw events are checked against Home Assistant's format too.

Usage: home_hub_frontend.py http://127.0.0.1:PORT ACCESS_TOKEN
"""
import asyncio
import json
import sys
import urllib.error
import urllib.request
from datetime import datetime

import websockets

from seedlib import check, fail, passed, run

HTTP = sys.argv[1].rstrip("/")
WS = "ws://" + HTTP.split("://", 1)[1] + "/api/websocket"
TOKEN = sys.argv[2]

# Home Assistant 2024.1's hass.config.as_dict(), key for key.
CONFIG_KEYS = {"latitude", "longitude", "elevation", "unit_system", "location_name", "time_zone", "components", "config_dir",
               "whitelist_external_dirs", "allowlist_external_dirs", "allowlist_external_urls", "version", "config_source",
               "recovery_mode", "state", "external_url", "internal_url", "currency", "country", "language", "safe_mode"}


class Frontend:
    """One connection: every frame it receives, flattened (a coalesced frame is a JSON array of messages)."""

    def __init__(self, ws):
        self.ws = ws
        self.frames = []
        self.messages = []
        self.next_id = 100

    @classmethod
    async def connect(cls):
        ws = await websockets.connect(WS)
        check(json.loads(await ws.recv()) == {"type": "auth_required", "ha_version": "2024.1.0"}, "auth_required")
        await ws.send(json.dumps({"type": "auth", "access_token": TOKEN}))
        check(json.loads(await ws.recv()) == {"type": "auth_ok", "ha_version": "2024.1.0"}, "auth_ok")
        return cls(ws)

    async def send(self, message):
        self.next_id = max(self.next_id, message.get("id", 0))  # Ids must increase, also across send() and command().
        await self.ws.send(json.dumps(message))

    async def command(self, type_, **fields):
        id_ = self.next_id + 1
        await self.send({"type": type_, "id": id_, **fields})
        return await self.next(lambda m: m.get("id") == id_ and m["type"] in ("result", "pong"), f"the answer to {type_}")

    async def next(self, predicate, what, timeout=30):
        """The first message not yet taken that matches; the messages before it stay for later calls."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for i, message in enumerate(self.messages):
                if predicate(message):
                    return self.messages.pop(i)
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                fail(f"no {what} within {timeout} s; pending: {self.messages}")
            try:
                frame = json.loads(await asyncio.wait_for(self.ws.recv(), remaining))
            except asyncio.TimeoutError:
                continue
            self.frames.append(frame)
            self.messages.extend(frame if isinstance(frame, list) else [frame])

    async def event(self, subscription, what):
        return (await self.next(lambda m: m["type"] == "event" and m["id"] == subscription, what))["event"]

    async def no_event_for(self, subscription):
        """A ping's pong comes after everything sent before it: no event of the subscription may be pending then."""
        await self.command("ping")
        pending = [m for m in self.messages if m["type"] == "event" and m["id"] == subscription]
        check(not pending, f"unexpected events for subscription {subscription}: {pending}")


def apply(entities, event):
    """home-assistant-js-websocket's processEvent (lib/entities.ts) for compressed states, line for line."""
    for entity_id, new in event.get("a", {}).items():
        last_changed = new["lc"]
        entities[entity_id] = {
            "entity_id": entity_id, "state": new["s"], "attributes": new["a"],
            "context": {"id": new["c"], "parent_id": None, "user_id": None} if isinstance(new["c"], str) else new["c"],
            "last_changed": last_changed, "last_updated": new.get("lu") or last_changed,
        }
    for entity_id in event.get("r", []):
        entities.pop(entity_id, None)
    for entity_id, diff in event.get("c", {}).items():
        state = entities.get(entity_id)
        check(state is not None, f"a change for an entity never added: {entity_id}")
        state = dict(state, attributes=dict(state["attributes"]))
        add, remove = diff.get("+", {}), diff.get("-", {})
        if "s" in add:
            state["state"] = add["s"]
        if "c" in add:
            state["context"] = dict(state["context"], **({"id": add["c"]} if isinstance(add["c"], str) else add["c"]))
        if add.get("lc"):
            state["last_updated"] = state["last_changed"] = add["lc"]
        elif add.get("lu"):
            state["last_updated"] = add["lu"]
        state["attributes"].update(add.get("a", {}))
        for name in remove.get("a", []):
            state["attributes"].pop(name, None)
        entities[entity_id] = state


def timestamp(text):
    return datetime.fromisoformat(text).timestamp()


async def agrees_with_get_states(client, entities, only=None):
    states = (await client.command("get_states"))["result"]
    full = {s["entity_id"]: dict(s, last_changed=timestamp(s["last_changed"]), last_updated=timestamp(s["last_updated"]))
            for s in states if only is None or s["entity_id"] in only}
    check(entities == full, f"the compressed stream rebuilt\n{entities}\nbut get_states says\n{full}")
    return {s["entity_id"]: s for s in states}


def rest(method, entity_id, body=None, token=TOKEN):
    request = urllib.request.Request(f"{HTTP}/api/states/{entity_id}", method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def frontend_session():
    """The frontend's opening commands, the coalesced answers, the first states and the diffs as states change."""
    front = await Frontend.connect()
    opening = [
        {"type": "supported_features", "id": 1, "features": {"coalesce_messages": 1}},
        {"type": "subscribe_entities", "id": 3},
        {"type": "subscribe_events", "event_type": "component_loaded", "id": 4},
        {"type": "subscribe_events", "event_type": "core_config_updated", "id": 5},
        {"type": "get_config", "id": 6},
        {"type": "subscribe_events", "event_type": "service_registered", "id": 7},
        {"type": "subscribe_events", "event_type": "service_removed", "id": 8},
        {"type": "get_services", "id": 9},
    ]
    for message in opening:
        await front.send(message)
    results = {}
    for message in opening:
        results[message["id"]] = await front.next(lambda m, i=message["id"]: m["type"] == "result" and m["id"] == i, f"the result of {message}")
    check(all(r["success"] is True for r in results.values()), f"results: {results}")
    check(results[1]["result"] is None and results[3]["result"] is None, f"supported_features / subscribe_entities: {results}")

    first = await front.event(3, "the first entities")
    check(set(first) == {"a"}, f"the first event has only 'a': {first}")
    # The result and the first states were made together: with coalesce_messages they came as one array.
    check([{"id": 3, "type": "result", "success": True, "result": None}, {"id": 3, "type": "event", "event": first}] in front.frames,
          f"subscribe_entities' result and first event were not one coalesced frame: {front.frames}")
    kitchen = first["a"]["light.kitchen"]
    check(set(kitchen) == {"s", "a", "c", "lc"} and kitchen["s"] == "off" and isinstance(kitchen["c"], str) and isinstance(kitchen["lc"], float),
          f"compressed light.kitchen (no lu while it equals lc; the context as its id): {kitchen}")
    entities = {}
    apply(entities, first)
    states = await agrees_with_get_states(front, entities)

    config = results[6]["result"]
    check(set(config) == CONFIG_KEYS, f"get_config keys: {sorted(set(config) ^ CONFIG_KEYS)}")
    check(config["version"] == "2024.1.0" and config["state"] == "RUNNING" and config["unit_system"]["temperature"] == "°C"
          and "light" in config["components"], f"get_config: {config}")
    services = results[9]["result"]
    check(set(services) == {"homeassistant", "light", "switch"} and all(set(s) == {"turn_on", "turn_off", "toggle"} for s in services.values()),
          f"get_services: {services}")
    check("brightness" in services["light"]["turn_on"]["fields"] and services["switch"]["toggle"]["target"] == {"entity": [{"domain": ["switch"]}]},
          f"light.turn_on / switch.toggle: {services['light']['turn_on']} {services['switch']['toggle']}")

    # A state change: "+" with the new state, lc, the new context (its id alone) and the changed attribute.
    called = await front.command("call_service", domain="light", service="turn_on", service_data={"brightness": 200}, target={"entity_id": "light.kitchen"})
    check(called["success"] is True, f"call_service: {called}")
    diff = await front.event(3, "the diff of light.kitchen")
    plus = diff["c"]["light.kitchen"]["+"]
    check(set(diff) == {"c"} and set(diff["c"]["light.kitchen"]) == {"+"} and set(plus) == {"s", "lc", "c", "a"}
          and plus["s"] == "on" and plus["a"] == {"brightness": 200} and plus["c"] == called["result"]["context"]["id"], f"diff: {diff}")
    apply(entities, diff)
    states = await agrees_with_get_states(front, entities)
    check(plus["lc"] == timestamp(states["light.kitchen"]["last_changed"]), f"lc {plus['lc']} vs {states['light.kitchen']['last_changed']}")

    # Same state, other brightness: lu instead of lc, no s.
    await front.command("call_service", domain="light", service="turn_on", service_data={"brightness": 90}, target={"entity_id": "light.kitchen"})
    diff = await front.event(3, "the brightness diff")
    plus = diff["c"]["light.kitchen"]["+"]
    check(set(plus) == {"lu", "c", "a"} and plus["a"] == {"brightness": 90}, f"same state, new brightness: {diff}")
    apply(entities, diff)
    await agrees_with_get_states(front, entities)

    # Home Assistant's REST API adds an entity ("a"), changes it and drops an attribute ("-"), and removes it ("r").
    status, body = rest("POST", "sensor.hall_temperature", {"state": "19.5", "attributes": {"unit_of_measurement": "°C", "friendly_name": "Hall"}})
    check(status == 201 and body["state"] == "19.5", f"POST new entity: {status} {body}")
    added = await front.event(3, "the added entity")
    check(set(added) == {"a"} and added["a"]["sensor.hall_temperature"]["s"] == "19.5", f"added: {added}")
    apply(entities, added)
    status, body = rest("POST", "sensor.hall_temperature", {"state": "19.5", "attributes": {"unit_of_measurement": "°C", "friendly_name": "Hall"}})
    check(status == 200, f"POST unchanged: {status} {body}")  # Nothing changed: no event (the next one is the change below).
    status, body = rest("POST", "sensor.hall_temperature", {"state": "20", "attributes": {"unit_of_measurement": "°C"}})
    check(status == 200 and body["attributes"] == {"unit_of_measurement": "°C"}, f"POST change: {status} {body}")
    diff = await front.event(3, "the diff dropping friendly_name")
    entry = diff["c"]["sensor.hall_temperature"]
    check(entry["-"] == {"a": ["friendly_name"]} and entry["+"]["s"] == "20" and "a" not in entry["+"], f"removed attribute: {diff}")
    apply(entities, diff)
    await agrees_with_get_states(front, entities)
    status, body = rest("DELETE", "sensor.hall_temperature")
    check(status == 200 and body == {"message": "Entity removed."}, f"DELETE: {status} {body}")
    removed = await front.event(3, "the removal")
    check(removed == {"r": ["sensor.hall_temperature"]}, f"removed: {removed}")
    apply(entities, removed)
    await agrees_with_get_states(front, entities)
    check(rest("DELETE", "sensor.hall_temperature")[0] == 404, "DELETE of a removed entity")
    check(rest("POST", "sensor.x", {"state": "1"}, token="wrong")[0] == 401, "POST with a wrong token")
    check(rest("POST", "Not.Valid", {"state": "1"})[0] == 400 and rest("POST", "sensor.y", {"attributes": {}})[0] == 400, "POST with a bad id / no state")

    # unsubscribe_events ends a subscribe_entities subscription as Home Assistant's does.
    unsubscribed = await front.command("unsubscribe_events", subscription=3)
    check(unsubscribed["success"] is True, f"unsubscribe_events of subscribe_entities: {unsubscribed}")
    await front.command("call_service", domain="light", service="toggle", target={"entity_id": "light.kitchen"})
    await front.no_event_for(3)
    again = await front.command("unsubscribe_events", subscription=3)
    check(again["success"] is False and again["error"]["code"] == "not_found", f"second unsubscribe: {again}")
    await front.ws.close()
    passed("HA 2024.1 frontend: supported_features (coalesced), subscribe_entities a/c(+,-)/r diffs match get_states, get_config, get_services, unsubscribe")


async def plain_and_filtered():
    """Without coalesce_messages every message is its own frame; entity_ids limits the states and diffs."""
    plain = await Frontend.connect()
    await plain.send({"type": "subscribe_entities", "id": 1, "entity_ids": ["switch.coffee_maker"]})
    result = await plain.next(lambda m: m["type"] == "result" and m["id"] == 1, "the result")
    first = await plain.event(1, "the first states")
    check(result["success"] is True and list(first["a"]) == ["switch.coffee_maker"], f"filtered first states: {first}")
    check(all(isinstance(f, dict) for f in plain.frames), f"a client without coalesce_messages got an array: {plain.frames}")
    entities = {}
    apply(entities, first)
    await plain.command("call_service", domain="light", service="toggle", target={"entity_id": "light.living_room"})
    await plain.command("call_service", domain="switch", service="turn_on", target={"entity_id": "switch.coffee_maker"})
    diff = await plain.event(1, "the coffee maker's diff")
    check(list(diff["c"]) == ["switch.coffee_maker"], f"only the subscribed entity: {diff}")
    apply(entities, diff)
    await agrees_with_get_states(plain, entities, only={"switch.coffee_maker"})
    await plain.no_event_for(1)

    for bad, what in [({"type": "supported_features", "id": 200}, "no features"),
                      ({"type": "supported_features", "id": 201, "features": {"coalesce_messages": "yes"}}, "a feature that is no integer"),
                      ({"type": "subscribe_entities", "id": 202, "entity_ids": 5}, "entity_ids that are no ids"),
                      ({"type": "subscribe_entities", "id": 203, "entity_ids": ["not an id"]}, "an invalid entity id")]:
        await plain.send(bad)
        reply = await plain.next(lambda m, i=bad["id"]: m["id"] == i, what)
        check(reply["success"] is False and reply["error"]["code"] == "invalid_format", f"{what}: {reply}")
    check((await plain.command("ping"))["type"] == "pong", "the connection lives on")
    await plain.ws.close()
    passed("subscribe_entities without coalesce_messages: one message a frame; entity_ids filters states and diffs; bad commands get invalid_format")


async def main():
    await frontend_session()
    await plain_and_filtered()


if __name__ == "__main__":
    run(main)
