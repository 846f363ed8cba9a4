import pytest
import asyncio
from qakeapi.testing import TestClient
from examples_app.websocket_app import app

@pytest.mark.asyncio
async def test_websocket_connection():
    client = TestClient(app)
    
    # Connect to WebSocket
    async with client.websocket_connect("/echo/ws") as websocket:
        # Should receive welcome message
        welcome = await websocket.receive_json()
        assert welcome["type"] == "welcome"
        
        # Send message
        await websocket.send_json({"type": "message", "text": "Hello"})
        
        # Receive echo
        response = await websocket.receive_json()
        assert response["type"] == "echo"
        assert response["data"]["text"] == "Hello"

@pytest.mark.asyncio
async def test_websocket_authentication():
    client = TestClient(app)
    
    # Get auth token
    response = await client.post("/api/generate-token", json={"user_id": "123"})
    token = response.json()["token"]
    
    # Connect with token
    async with client.websocket_connect(f"/auth/ws?token={token}") as websocket:
        # Should receive welcome message
        welcome = await websocket.receive_json()
        assert welcome["type"] == "welcome"
        
        # Send authenticated message
        await websocket.send_json({"type": "message", "text": "Hello"})
        
        # Receive response
        response = await websocket.receive_json()
        assert response["type"] == "message"
        assert response["data"]["text"] == "Hello"
