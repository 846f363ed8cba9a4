"""Runs seed 002's unit test (test_websocket_connection, with pytest, pytest-asyncio and fastapi's TestClient from
Debian's packages) against samples/LiveUpdates.

Usage: live_updates_unit_test.py SAMPLE   (http://127.0.0.1:PORT)
Exits 0 when the seed's test passed.
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ["SEED002_SAMPLE"] = sys.argv[1]
sys.path.insert(0, HERE)
# No ini file of the repository applies (-c /dev/null), no cache is written, and the one test must run and pass.
code = pytest.main(["-q", "-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", HERE, os.path.join(HERE, "seed002_unit_test_module.py")])
sys.exit(int(code))
