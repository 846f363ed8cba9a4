"""Seed 001's Python clients (websocket-client) against samples/SensorStream.

Usage: sensor_stream.py http://127.0.0.1:PORT   (the sample runs with --SensorStream:OfflineAfter=00:00:02)
"""
import ast
import json
import os
import sys
import threading

from seedlib import Collected, Printed, check, fail, load_seed, passed, post_json

BASE = sys.argv[1].rstrip("/")
WS = "ws://" + BASE.split("://", 1)[1]
READINGS = BASE + "/api/sensors/readings"
FIELDS = {"id", "sensor_id", "type", "location", "value", "unit", "confidence", "calibration_json", "extras_json", "timestamp", "created_at"}


def reading(sensor_id, value):
    # The seed's example reading, without the id and created_at the server assigns.
    return {
        "sensor_id": sensor_id, "type": "moisture_level", "location": "basement_wall", "value": value, "unit": "%",
        "confidence": 0.95, "calibration_json": {"calibrated_at": "2024-01-15T10:00:00Z", "offset": 0.0},
        "extras_json": {"battery_level": 90, "signal_strength": 85}, "timestamp": "2024-01-15T12:00:00Z",
    }


def wait_until_streaming(seen, probe_sensor):
    """Seed 001's stream sends nothing on connect, so a client cannot tell when the server has added it to the
    stream (a moment after the handshake). Post probe readings from another sensor until the client sees one."""
    for _ in range(20):
        status, _ = post_json(READINGS, reading(probe_sensor, 0.0))
        check(status == 201, f"probe reading got {status}")
        if seen(probe_sensor, 1.0):
            return
    fail("the client never received a probe reading")


def python_client():
    """The seed's SensorWebSocketClient and its usage code, run until the checks are done instead of forever."""
    printed = Printed("SensorWebSocketClient")
    seed = load_seed("seed001_python_client.py", replace={"ws://localhost:8000": WS}, until="# Keep running", print=printed)
    printed.wait_for(lambda line: "Connected to sensor stream" in line, "on_connected")
    probes = Collected()
    received = Collected()
    seed.client.add_message_handler(lambda m: (probes if m["data"]["sensor_id"] == 1001 else received).add(m))
    wait_until_streaming(lambda sensor, timeout: probes.wait_any(timeout), 1001)

    status, first = post_json(READINGS, reading(7, 75.5))
    check(status == 201, f"a valid reading got HTTP {status}: {first}")
    check(set(first) == FIELDS, f"the stored reading has fields {sorted(first)}")
    check(isinstance(first["id"], int) and first["created_at"].endswith("Z"), f"id/created_at not assigned: {first}")

    messages = received.wait_count(2, "sensor_status and sensor_reading")
    check(messages[0] == {"type": "sensor_status", "data": {**messages[0]["data"], "sensor_id": 7, "status": "online"}},
          f"first message is not sensor 7 online: {messages[0]}")
    check(messages[1] == {"type": "sensor_reading", "data": first}, f"second message is not the reading: {messages[1]}")

    # What the seed's own handler printed for the reading is the same object.
    line = printed.wait_for(lambda l: "New sensor reading:" in l and "sensor_reading" in l and "'sensor_id': 7," in l, "printed reading")
    check(ast.literal_eval(line.split("New sensor reading: ", 1)[1]) == messages[1], f"printed {line}")

    for bad, reason in [({**reading(7, 1.0), "confidence": 2}, "confidence"),
                        ({**reading(7, 1.0), "id": 5}, "id"),
                        ({k: v for k, v in reading(7, 1.0).items() if k != "value"}, "value"),
                        ({**reading(7, 1.0), "timestamp": "yesterday"}, "timestamp")]:
        status, body = post_json(READINGS, bad)
        check(status == 400 and reason in body["detail"], f"invalid reading ({reason}) got {status}: {body}")
    status, body = post_json(READINGS, None, raw=b"{not json")
    check(status == 400 and "JSON" in body["detail"], f"malformed JSON got {status}: {body}")

    status, second = post_json(READINGS, reading(7, 76.0))
    check(status == 201 and second["id"] == first["id"] + 1, f"second valid reading: {status} {second}")
    # Nothing of the invalid readings was broadcast: the readings received are the two valid ones. (On a slow
    # machine sensor 7 may have gone offline and online again in between: statuses are not counted here.)
    def readings():
        return [m for m in received.items if m["type"] == "sensor_reading"]
    received.wait_count(3, "the second reading")
    while len(readings()) < 2:
        received.wait_count(len(received.items) + 1, "the second reading")
    check(readings() == [{"type": "sensor_reading", "data": first}, {"type": "sensor_reading", "data": second}], f"readings: {readings()}")

    after = received.items.index(readings()[1]) + 1
    while not any(m["type"] == "sensor_status" and m["data"] == {**m["data"], "sensor_id": 7, "status": "offline"} for m in received.items[after:]):
        received.wait_count(len(received.items) + 1, "sensor 7 going offline after its last reading", timeout=30)
    passed("seed 001 SensorWebSocketClient: readings, validation, sensor_status online/offline")
    return seed


def test_script():
    """The seed's "Python Test Script": test_websocket() runs forever, so its WebSocketApp is closed from here."""
    import websocket

    apps = []
    original = websocket.WebSocketApp

    class RecordedApp(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            apps.append(self)

    printed = Printed("test_websocket")
    seed = load_seed("seed001_test_script.py", replace={"ws://localhost:8000": WS}, print=printed)
    websocket.WebSocketApp = RecordedApp  # The seed's `import websocket` sees the same module object.
    runner = threading.Thread(target=seed.test_websocket, daemon=True)
    runner.start()
    printed.wait_for(lambda l: "Connected to sensor stream" in l, "on_open")
    wait_until_streaming(lambda sensor, timeout: printed.wait_for(lambda l: f"'sensor_id': {sensor}" in l, "probe", timeout, required=False), 1002)
    status, stored = post_json(READINGS, reading(8, 12.5))
    check(status == 201, f"reading for sensor 8 got {status}")
    line = printed.wait_for(lambda l: "Received:" in l and "sensor_reading" in l and "'sensor_id': 8," in l, "the reading")
    check(ast.literal_eval(line.split("Received: ", 1)[1]) == {"type": "sensor_reading", "data": stored}, f"printed {line}")
    # The seed's run_forever() never returns by design, so the script is stopped from here. websocket-client 1.2.3's
    # close() from another thread reads the server's close reply while run_forever's thread reads the same socket, so
    # whether that thread wakes and whether on_close runs is a race inside the library (seen both ways in clean runs).
    # Neither is asserted: this part checks what the seed's script receives; the thread is a daemon.
    apps[0].close()
    websocket.WebSocketApp = original
    passed("seed 001 Python Test Script")


if __name__ == "__main__":
    client = python_client()
    test_script()
    sys.stdout.flush()
    os._exit(0)  # The seed's client reconnects forever from its daemon thread; end without waiting for it.
