"""Seed 002's load test (seeds/seed002_load_test.py, its code block) against samples/LiveUpdates, and what arrived.

Usage: live_updates_load.py NODE SECRET CLIENTS
  NODE     http://HOST:PORT of the sample, started with --LiveUpdates:MessagesPerMinute=600 (the test sends 10 a second
           from each client; at the default 60 a minute each client's 61st and later messages are refused)
  SECRET   the sample's --Switchboard:Auth:Secret
  CLIENTS  how many clients run_load_test starts (the seed says 100)

The tokens: the seed's placeholder test-token-{client_id} becomes an HS256 JWT signed with SECRET, sub
"test-user-{client_id}", username "load-{client_id}", roles ["user"]. The block uses json without importing it; it is
given json. Each client sends its 100 {"type":"message","content":"Message i from client c"} at the seed's rate, one
every 0.1 s, and closes, so a run takes about 10 s. An observer subscribed to the topic "messages" must receive every
message once, each client's in order, under its username; then the server must still answer.
"""
import asyncio
import base64
import hashlib
import hmac
import json
import sys
import time

import websockets

from seedlib import check, fail, load_seed, passed, run

NODE = sys.argv[1].rstrip("/")
WS = "ws://" + NODE.split("://", 1)[1]
SECRET = sys.argv[2].encode()
CLIENTS = int(sys.argv[3])
PER_CLIENT = 100  # the seed's range(100)


def token(claims):
    b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    body = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64(json.dumps({**claims, "exp": int(time.time()) + 3600}).encode())
    return body + "." + b64(hmac.new(SECRET, body.encode(), hashlib.sha256).digest())


TOKENS = [token({"sub": f"test-user-{i}", "username": f"load-{i}", "roles": ["user"]}) for i in range(CLIENTS)]


async def observe(ws, received, expected):
    while sum(len(contents) for contents in received.values()) < expected:
        message = json.loads(await ws.recv())
        if message["type"] == "message":
            received.setdefault(message["user"], []).append(message["content"])
        elif message["type"] != "ping":
            fail(f"the observer got {message}")


async def main():
    seed = load_seed("seed002_load_test.py", replace={"ws://localhost:8081/ws?token=test-token-{client_id}": f"{WS}/ws?token={{TOKENS[client_id]}}"},
                     until="# Run with 100 concurrent clients", json=json, TOKENS=TOKENS)
    async with websockets.connect(f"{WS}/ws?token={token({'sub': 'load-observer', 'username': 'observer', 'roles': ['user']})}", max_queue=None) as observer:
        check(json.loads(await observer.recv())["type"] == "connection", "observer: no hello")
        check(json.loads(await observer.recv())["type"] == "authenticated", "observer: not authenticated")
        await observer.send(json.dumps({"type": "subscribe", "channel": "messages"}))
        check(json.loads(await observer.recv()) == {"type": "subscribed", "channel": "messages"}, "observer: not subscribed")

        received = {}
        expected = CLIENTS * PER_CLIENT
        watching = asyncio.ensure_future(observe(observer, received, expected))
        started = time.monotonic()
        await seed.run_load_test(CLIENTS)  # the seed's code: every client connects, sends its 100 and closes
        sent_in = time.monotonic() - started
        try:
            await asyncio.wait_for(watching, 60)
        except asyncio.TimeoutError:
            counts = {user: len(contents) for user, contents in received.items()}
            fail(f"{sum(counts.values())} of {expected} messages arrived; per client: {counts} "
                 "(at the default --LiveUpdates:MessagesPerMinute=60 each client gets 60 through)")
        for i in range(CLIENTS):
            got = received.get(f"load-{i}", [])
            check(got == [f"Message {k} from client {i}" for k in range(PER_CLIENT)], f"client {i}: {len(got)} messages, first wrong one: "
                  f"{next((c for k, c in enumerate(got) if c != f'Message {k} from client {i}'), None)}")
        check(set(received) == {f"load-{i}" for i in range(CLIENTS)}, f"messages from unknown users: {set(received)}")

        await observer.send(json.dumps({"type": "ping"}))
        while (reply := json.loads(await asyncio.wait_for(observer.recv(), 30))) == {"type": "ping"}:
            pass
        check(reply == {"type": "pong"}, f"after the load the server answered {reply}")
    passed(f"seed 002 load test: {CLIENTS} clients sent {expected} messages in {sent_in:.1f} s; all arrived once, in order per client")


if __name__ == "__main__":
    run(main, timeout=200)
