import asyncio
import websockets
import json

async def websocket_client():
    uri = "ws://localhost:8081/ws?token=your-token"
    
    async with websockets.connect(uri) as websocket:
        # Send initial message
        await websocket.send(json.dumps({
            "type": "subscribe",
            "topics": ["orders", "payments"]
        }))
        
        # Listen for messages
        async for message in websocket:
            data = json.loads(message)
            print(f"Received: {data}")
            
            # Handle different message types
            if data["type"] == "order_update":
                print(f"Order updated: {data['data']}")

# Run client
asyncio.run(websocket_client())
