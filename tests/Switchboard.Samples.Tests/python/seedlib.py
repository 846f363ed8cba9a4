"""Runs the seeds' own Python client code against a sample and checks what it observes.

The files in seeds/ are the seeds' code blocks byte for byte (extracted from /work/shared/seeds). load_seed() runs one
as a module with only the server address replaced, and optionally stops before the block's endless "usage" part
(the driver script then runs that part with a bounded run time). Names a block uses without defining them (e.g. a
`logger`) are passed in. Drivers fail with fail(), which exits 1 with the reason.
"""
import json
import os
import sys
import threading
import time
import types
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def load_seed(file_name, replace=None, until=None, **names):
    path = os.path.join(HERE, "seeds", file_name)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if until is not None:
        if until not in text:
            fail(f"{file_name} has no '{until}'")
        text = text[: text.index(until)]
    for old, new in (replace or {}).items():
        if old not in text:
            fail(f"{file_name} does not contain '{old}'")
        text = text.replace(old, new)
    module = types.ModuleType(file_name[:-3])
    module.__dict__.update(names)
    exec(compile(text, path, "exec"), module.__dict__)
    return module


class Printed:
    """Stands in for print() in a seed module: records every line the seed prints (and echoes it)."""

    def __init__(self, label):
        self.label = label
        self.lines = []
        self._cond = threading.Condition()

    def __call__(self, *args, **kwargs):
        line = " ".join(str(a) for a in args)
        with self._cond:
            self.lines.append(line)
            self._cond.notify_all()
        sys.stdout.write(f"[{self.label}] {line}\n")

    def wait_for(self, predicate, what, timeout=30, required=True):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if not required:
                        return None
                    fail(f"{self.label}: no {what} within {timeout} s; printed: {self.lines}")
                self._cond.wait(remaining)


class Collected:
    """A thread-safe list of what a client received, with a blocking wait."""

    def __init__(self):
        self.items = []
        self._cond = threading.Condition()

    def add(self, item):
        with self._cond:
            self.items.append(item)
            self._cond.notify_all()

    def wait_any(self, timeout):
        """Whether anything arrived within timeout seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.items:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def wait_count(self, count, what, timeout=30):
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.items) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    fail(f"no {what} within {timeout} s; received: {self.items}")
                self._cond.wait(remaining)
            return list(self.items)


def post_json(url, body, headers=None, raw=None):
    """POSTs JSON and returns (status, parsed body or None)."""
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        return error.code, json.loads(payload) if payload else None


def check(condition, message):
    if not condition:
        fail(message)


def fail(message):
    sys.stdout.write(f"FAIL: {message}\n")
    sys.stdout.flush()
    os._exit(1)


def passed(what):
    sys.stdout.write(f"PASS: {what}\n")
    sys.stdout.flush()


class AsyncCollected:
    """What an asyncio client received, with an awaitable wait for a matching item."""

    def __init__(self):
        import asyncio

        self.items = []
        self._changed = asyncio.Condition()

    async def add(self, item):
        async with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    async def wait_for(self, predicate, what, timeout=30):
        import asyncio

        async def matching():
            async with self._changed:
                while True:
                    for item in self.items:
                        if predicate(item):
                            return item
                    await self._changed.wait()

        try:
            return await asyncio.wait_for(matching(), timeout)
        except asyncio.TimeoutError:
            fail(f"no {what} within {timeout} s; received: {self.items}")


def run(main, timeout=150):
    """Runs a driver's async main() with a time bound, then ends at once (a seed client may still be reconnecting
    in a daemon thread)."""
    import asyncio

    asyncio.run(asyncio.wait_for(main(), timeout))
    sys.stdout.flush()
    os._exit(0)
