import asyncio
import websockets
import json
from tenacity import retry, stop_after_attempt, wait_exponential

class WebSocketClient:
    def __init__(self, uri: str):
        self.uri = uri
        self.websocket = None
        self.running = False
    
    @retry(
        stop=stop_after_attempt(5),
        wait=wait_exponential(multiplier=1, min=2, max=30)
    )
    async def connect(self):
        """Connect to WebSocket with retry logic."""
        try:
            self.websocket = await websockets.connect(self.uri)
            self.running = True
            return True
        except Exception as e:
            logger.error(f"WebSocket connection failed: {e}")
            raise
    
    async def send(self, message: dict):
        """Send message to WebSocket."""
        if not self.websocket:
            await self.connect()
        
        try:
            await self.websocket.send(json.dumps(message))
        except websockets.exceptions.ConnectionClosed:
            logger.warning("Connection closed, reconnecting...")
            await self.connect()
            await self.websocket.send(json.dumps(message))
    
    async def receive(self):
        """Receive message from WebSocket."""
        try:
            message = await self.websocket.recv()
            return json.loads(message)
        except websockets.exceptions.ConnectionClosed:
            logger.warning("Connection closed, reconnecting...")
            await self.connect()
            return await self.receive()
    
    async def listen(self, callback):
        """Listen for messages and call callback."""
        while self.running:
            try:
                message = await self.receive()
                await callback(message)
            except Exception as e:
                logger.error(f"Error receiving message: {e}")
                await asyncio.sleep(1)
    
    async def close(self):
        """Close WebSocket connection."""
        self.running = False
        if self.websocket:
            await self.websocket.close()
