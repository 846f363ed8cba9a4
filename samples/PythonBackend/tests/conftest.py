"""Starts the real pair on loopback: this sample's backend (uvicorn) and `switchboard serve` (the built Release or
Debug dll, as ./test.sh builds it) with the proxy settings of README.md, each on a free port."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parent.parent
ROOT = Path(os.environ.get("SWITCHBOARD_ROOT", SAMPLE.parent.parent))
API_KEY = "test-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def switchboard_dll() -> Path:
    for config in ("Release", "Debug"):
        dll = ROOT / "src" / "Switchboard" / "bin" / config / "net10.0" / "switchboard.dll"
        if dll.exists():
            return dll
    pytest.exit("build src/Switchboard first (./test.sh does)", returncode=1)


def wait_until(check, what: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {process.returncode}")
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.1)


def get_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status == 200


@pytest.fixture(scope="session")
def pair(tmp_path_factory):
    backend_port, switchboard_port = free_port(), free_port()
    backend_url = f"http://127.0.0.1:{backend_port}"
    switchboard_url = f"http://127.0.0.1:{switchboard_port}"
    logs = tmp_path_factory.mktemp("logs")
    env = {**os.environ, "SWITCHBOARD_URL": switchboard_url, "SWITCHBOARD_API_KEY": API_KEY}
    backend_log = open(logs / "backend.txt", "w")
    backend = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(SAMPLE), "app:app", "--host", "127.0.0.1", "--port", str(backend_port)],
        env=env, stdout=backend_log, stderr=subprocess.STDOUT)
    server_log = open(logs / "switchboard.txt", "w")
    server = subprocess.Popen(
        ["dotnet", str(switchboard_dll()), "serve", "--urls", switchboard_url,
         f"--Switchboard:HttpApi:Key={API_KEY}",
         f"--Switchboard:AllowedOrigins:0={backend_url}",
         f"--Switchboard:Proxy:Connect:Url={backend_url}/switchboard/connect",
         f"--Switchboard:Proxy:Subscribe:Url={backend_url}/switchboard/subscribe",
         f"--Switchboard:Proxy:Publish:Url={backend_url}/switchboard/publish",
         f"--Switchboard:Proxy:Rpc:Url={backend_url}/switchboard/rpc",
         "--Switchboard:Proxy:Timeout=00:00:05"],
        cwd=ROOT, env={**os.environ, "ASPNETCORE_ENVIRONMENT": "Development"}, stdout=server_log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: get_ok(f"{backend_url}/health"), "the backend", process=backend)
        wait_until(lambda: get_ok(f"{switchboard_url}/health/ready"), "switchboard serve", process=server)
        yield {"backend": backend_url, "switchboard": switchboard_url, "ws": f"ws://127.0.0.1:{switchboard_port}/ws"}
    finally:
        for process in (server, backend):
            process.terminate()
        for process in (server, backend):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        backend_log.close()
        server_log.close()
        if os.environ.get("PYTHON_BACKEND_SHOW_LOGS"):
            for log in ("backend.txt", "switchboard.txt"):
                print((logs / log).read_text(), file=sys.stderr)


def json_of(message: str) -> dict:
    return json.loads(message)
