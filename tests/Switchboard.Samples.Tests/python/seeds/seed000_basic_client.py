import asyncio
import websockets
import json

async def websocket_client(uri: str):
    async with websockets.connect(uri) as websocket:
        # Send message
        await websocket.send(json.dumps({"type": "subscribe_events"}))
        
        # Receive messages
        async for message in websocket:
            data = json.loads(message)
            print(f"Received: {data}")
