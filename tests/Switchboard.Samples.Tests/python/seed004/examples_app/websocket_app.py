"""The `app` seed 004's tests import: here the address of the running samples/ChatRooms (CHATROOMS_URL)."""
import os

app = os.environ["CHATROOMS_URL"]
