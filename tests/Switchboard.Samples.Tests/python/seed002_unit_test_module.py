"""Seed 002's unit test as a pytest module: seeds/seed002_unit_test.py byte for byte, with the ChatService it uses
(the sample behind fastapi's TestClient, seed002_chat_service.py). Run by live_updates_unit_test.py."""
import os

from seed002_chat_service import ChatService  # noqa: F401 - the name the seed's test uses

_SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "seed002_unit_test.py")
with open(_SEED, encoding="utf-8") as _f:
    exec(compile(_f.read(), _SEED, "exec"))
