"""Every example of docs/clients/python.md runs as printed against the real server (only the URL is changed)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from servers import API_KEY, ROOT, Server
from switchboard import ServerApi

DOC = ROOT / "docs/clients/python.md"


def examples() -> dict[str, str]:
    blocks = re.findall(r"```python\n(# (\w+)\.py\n.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return {name: code for code, name in blocks}


def write(name: str, server: Server, directory: Path) -> Path:
    code = examples()[name].replace("ws://localhost:8000/ws", server.ws_url).replace("http://localhost:8000", server.url)
    path = directory / f"{name}.py"
    path.write_text(code, encoding="utf-8")
    return path


def run(path: Path, timeout: float = 60) -> str:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "SWITCHBOARD_TOKEN": ""}, check=False)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


class Running:
    """An example running in the background, its output collected line by line."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout or []), daemon=True).start()

    def wait_for(self, pattern: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, "".join(self.lines)):
            if time.monotonic() > deadline or self.process.poll() is not None:
                time.sleep(0.2)
                raise AssertionError(f"no {pattern!r} in the example's output:\n{''.join(self.lines)}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def test_the_install_commands_are_the_ones_the_suite_installs_with() -> None:
    install = re.search(r"## Install\n.*?```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert install is not None
    commands = install.group(1).splitlines()
    assert commands == ["sudo apt-get install -y python3-venv python3-websockets python3-httpx",
                        "python3 -m venv --system-site-packages .venv",
                        ".venv/bin/pip install --no-build-isolation ./clients/python"]
    script = (ROOT / "tests/python/run.sh").read_text(encoding="utf-8")
    assert '/usr/bin/python3 -m venv --system-site-packages "$venv"' in script
    assert '"$venv/bin/pip" install --no-build-isolation "$root/clients/python"' in script


def test_the_page_has_the_five_examples() -> None:
    assert sorted(examples()) == ["backend", "script", "seed000", "seed001", "service"]


def test_the_script_example_runs(server: Server, tmp_path: Path) -> None:
    output = run(write("script", server, tmp_path))
    assert re.search(r"published at offset \d+", output)
    assert re.search(r"#\d+ \{'value': 21\.5, 'unit': '°C'\}", output)


def test_the_asyncio_service_example_runs(server: Server, tmp_path: Path) -> None:
    output = run(write("service", server, tmp_path))
    assert "state: disconnected -> connecting" in output and "state: connecting -> connected" in output
    assert "published at offset 3" in output
    assert "orders.created #3: {'id': 3}" in output
    assert "history: 3 publications, channel at offset 3" in output
    assert "presence: 1 subscriber(s)" in output and re.search(r"server time: \d+", output)


def test_the_fastapi_backend_example_publishes_through_the_http_api(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fastapi = pytest.importorskip("fastapi.testclient", reason="python3-fastapi is not installed")
    monkeypatch.setenv("SWITCHBOARD_API_KEY", API_KEY)
    spec = importlib.util.spec_from_file_location("docs_backend", write("backend", server, tmp_path))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with fastapi.TestClient(module.app) as http:
        first = http.post("/orders", json={"id": 42, "item": "tea"})
        again = http.post("/orders", json={"id": 42, "item": "tea"})
    assert first.status_code == 200 and first.json() == {"offset": 1} and again.json() == {"offset": 1}
    with ServerApi(server.url, API_KEY) as api:
        assert [p.data for p in api.history("orders.42").publications] == [{"id": 42, "item": "tea"}]


@pytest.mark.parametrize("name, ready, channel, seen", [
    ("seed000", "listening", "homeassistant.events.state_changed", r"Received: \{'entity_id': 'light\.kitchen'\}"),
    ("seed001", "Connected to sensor stream", "sensors.kitchen.co2", r"Received: \{'entity_id': 'light\.kitchen'\}"),
])
def test_the_seed_loops_rewritten_receive_publications(server: Server, tmp_path: Path, name: str, ready: str, channel: str, seen: str) -> None:
    example = Running(write(name, server, tmp_path))
    try:
        example.wait_for(ready)
        time.sleep(0.5)  # The sync facade's subscribe follows its "connected" line.
        with ServerApi(server.url, API_KEY) as api:
            api.publish(channel, {"entity_id": "light.kitchen"})
        example.wait_for(seen)
    finally:
        example.stop()
