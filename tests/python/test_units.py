"""The pure parts: golden vectors (tests/vectors), backoff, close codes, patterns; and the package is typed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from switchboard import _transport, backoff_bounds, backoff_delay
from switchboard._protocol import decode_server_message, encode_command, encode_message, matches, should_reconnect

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def vectors(name: str) -> dict:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def test_valid_commands_are_written_as_the_exact_canonical_bytes() -> None:
    commands = vectors("commands.json")["valid"]
    assert commands
    for vector in commands:
        assert encode_command(json.loads(vector["json"])) == vector["json"], vector["name"]


def test_accepted_variants_are_written_back_in_canonical_form() -> None:
    for vector in vectors("commands.json")["accepted"]:
        assert encode_command(json.loads(vector["json"])) == vector["canonical"], vector["name"]


def test_server_messages_decode_and_write_back_byte_for_byte() -> None:
    messages = vectors("server-messages.json")
    assert messages["messages"]
    for vector in messages["messages"]:
        decoded = decode_server_message(vector["json"])
        assert decoded is not None, vector["name"]
        assert encode_message(decoded) == vector["json"], vector["name"]
    for vector in messages["unknown"]:
        assert isinstance((decode_server_message(vector["json"]) or {}).get("type"), str), vector["name"]
    for vector in messages["ignored"]:
        assert decode_server_message(vector["json"]) is None, vector["name"]


def test_backoff_is_full_jitter_between_the_minimum_and_a_doubling_ceiling() -> None:
    assert backoff_bounds(0, 0.5, 20) == (0.5, 1.0)
    assert backoff_bounds(3, 0.5, 20) == (0.5, 8.0)
    assert backoff_bounds(10, 0.5, 20) == (0.5, 20)
    assert backoff_bounds(10_000, 0.5, 20) == (0.5, 20)
    assert backoff_delay(2, 0.5, 20, rand=0) == 0.5
    assert backoff_delay(2, 0.5, 20, rand=0.5) == 0.5 + (4.0 - 0.5) / 2
    with pytest.raises(ValueError):
        backoff_bounds(-1, 0.5, 20)


def test_close_codes_that_stop_the_client_are_those_of_the_protocol() -> None:
    for code in (1000, 1003, 1008, 1009, 4004, 4005):
        assert not should_reconnect(code), code
    for code in (None, 1001, 1011, 1013, 4001, 4002, 4003, 4999):
        assert should_reconnect(code), code


def test_wildcards_match_one_segment_or_the_trailing_ones() -> None:
    assert matches("order.*", "order.created") and not matches("order.*", "order.created.eu")
    assert matches("sensors.>", "sensors.a") and matches("sensors.>", "sensors.a.b") and not matches("sensors.>", "sensors")


def test_the_websockets_generation_is_the_one_this_run_expects() -> None:
    expected = os.environ.get("SWITCHBOARD_EXPECT_WEBSOCKETS")
    if expected is None:
        pytest.skip("SWITCHBOARD_EXPECT_WEBSOCKETS not set (test.sh sets it)")
    assert _transport.GENERATION == expected, f"websockets {_transport.VERSION} has the {_transport.GENERATION} API"


def test_the_package_is_mypy_clean_under_strict() -> None:
    if shutil.which("mypy") is None and subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode != 0:
        pytest.skip("mypy is not installed (apt-get install python3-mypy)")
    if os.environ.get("SWITCHBOARD_SKIP_MYPY"):
        pytest.skip("checked in the other run of test.sh")
    package = Path(__file__).resolve().parents[2] / "clients/python/src/switchboard"
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", str(package)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
