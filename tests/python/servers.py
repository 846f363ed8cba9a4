"""The real `switchboard serve` (the Release build test.sh makes) and redis-server, on free loopback ports."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(os.environ.get("SWITCHBOARD_ROOT") or Path(__file__).resolve().parents[2])
API_KEY = "python-suite-api-key"


def host_dll() -> Path:
    for config in ("Release", "Debug"):
        dll = ROOT / "src/Switchboard/bin" / config / "net10.0/switchboard.dll"
        if dll.exists():
            return dll
    raise RuntimeError("build src/Switchboard first (./test.sh does)")


class Server:
    """One `switchboard serve` child process; `url` is its http://127.0.0.1:PORT."""

    def __init__(self, *args: str) -> None:
        argv = ["dotnet", str(host_dll()), "serve", "--urls", "http://127.0.0.1:0", f"--Switchboard:HttpApi:Key={API_KEY}", *args]
        env = {**os.environ, "ASPNETCORE_ENVIRONMENT": os.environ.get("ASPNETCORE_ENVIRONMENT", "Development")}
        self.process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.output: list[str] = []
        found = threading.Event()
        self.url = ""

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 60
        while not found.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("server did not start:\n" + "".join(self.output))

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def ws_url(self) -> str:
        return self.url.replace("http:", "ws:") + "/ws"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Redis:
    """A redis-server without persistence on a free port."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install -y redis-server); test.sh installs it")
        self.port = free_port()
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--loglevel", "warning"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not answer PING")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


def mint_token(secret: str, user: str, ttl: str) -> str:
    """An HS256 token from the real `switchboard token` command."""
    done = subprocess.run(["dotnet", str(host_dll()), "token", "--user", user, "--ttl", ttl, f"--Switchboard:Auth:Secret={secret}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"switchboard token failed: {done.stderr}")
    return done.stdout.strip()
