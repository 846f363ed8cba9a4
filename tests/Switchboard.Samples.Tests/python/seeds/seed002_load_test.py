import asyncio
import websockets

async def load_test_client(client_id: int):
    """Simulate a single client"""
    uri = f"ws://localhost:8081/ws?token=test-token-{client_id}"
    
    async with websockets.connect(uri) as websocket:
        # Send messages
        for i in range(100):
            await websocket.send(json.dumps({
                "type": "message",
                "content": f"Message {i} from client {client_id}"
            }))
            await asyncio.sleep(0.1)

async def run_load_test(num_clients: int):
    """Run load test with multiple clients"""
    tasks = [load_test_client(i) for i in range(num_clients)]
    await asyncio.gather(*tasks)

# Run with 100 concurrent clients
asyncio.run(run_load_test(100))
