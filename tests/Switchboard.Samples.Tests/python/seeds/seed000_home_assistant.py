import asyncio
import websockets
import json
from typing import Callable, Any

class HomeAssistantWebSocket:
    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token
        self.websocket = None
        self.message_id = 0
        self.pending_requests = {}
    
    async def connect(self):
        """Connect to Home Assistant WebSocket API."""
        uri = f"{self.url}/api/websocket"
        self.websocket = await websockets.connect(uri)
        
        # Receive auth required message
        auth_required = await self.websocket.recv()
        
        # Send auth
        await self.websocket.send(json.dumps({
            "type": "auth",
            "access_token": self.token
        }))
        
        # Receive auth result
        auth_result = json.loads(await self.websocket.recv())
        if auth_result["type"] != "auth_ok":
            raise Exception(f"Authentication failed: {auth_result}")
    
    async def send_command(self, command: dict) -> dict:
        """Send command and wait for response."""
        self.message_id += 1
        command["id"] = self.message_id
        
        # Store future for response
        future = asyncio.Future()
        self.pending_requests[self.message_id] = future
        
        await self.websocket.send(json.dumps(command))
        
        # Wait for response
        response = await future
        return response
    
    async def subscribe_events(self, event_type: str = None):
        """Subscribe to Home Assistant events."""
        command = {
            "type": "subscribe_events",
            "event_type": event_type  # None for all events
        }
        return await self.send_command(command)
    
    async def get_states(self):
        """Get all Home Assistant states."""
        command = {"type": "get_states"}
        return await self.send_command(command)
    
    async def listen_events(self, callback: Callable[[dict], None]):
        """Listen for Home Assistant events."""
        while True:
            try:
                message = json.loads(await self.websocket.recv())
                
                # Handle responses to our commands
                if "id" in message and message["id"] in self.pending_requests:
                    future = self.pending_requests.pop(message["id"])
                    future.set_result(message)
                    continue
                
                # Handle event messages
                if message.get("type") == "event":
                    await callback(message["event"])
            
            except websockets.exceptions.ConnectionClosed:
                logger.error("WebSocket connection closed")
                await self.connect()
                await self.subscribe_events()
            except Exception as e:
                logger.error(f"Error in listen_events: {e}")
                await asyncio.sleep(1)
