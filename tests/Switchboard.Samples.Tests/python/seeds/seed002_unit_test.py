import pytest
from fastapi.testclient import TestClient

@pytest.mark.asyncio
async def test_websocket_connection():
    service = ChatService()
    client = TestClient(service.app)
    
    with client.websocket_connect("/chat/room1") as websocket:
        # Test connection
        data = websocket.receive_json()
        assert data["type"] == "connection"
        
        # Test sending message
        websocket.send_json({
            "type": "message",
            "message": "Hello, world!"
        })
        
        # Test receiving broadcast
        response = websocket.receive_json()
        assert response["type"] == "message"
        assert response["message"] == "Hello, world!"
