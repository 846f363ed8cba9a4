async def heartbeat_task(websocket, interval: int = 30):
    """Send periodic ping to keep connection alive."""
    while True:
        try:
            await asyncio.sleep(interval)
            pong_waiter = await websocket.ping()
            await pong_waiter
        except websockets.exceptions.ConnectionClosed:
            logger.warning("Connection closed during heartbeat")
            break
        except Exception as e:
            logger.error(f"Heartbeat error: {e}")
            break
