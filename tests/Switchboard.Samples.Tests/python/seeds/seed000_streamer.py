class HomeAssistantStreamer:
    def __init__(self, ha_ws: HomeAssistantWebSocket):
        self.ha_ws = ha_ws
        self.event_handlers = {}
    
    def register_handler(self, event_type: str, handler: Callable):
        """Register handler for specific event type."""
        self.event_handlers[event_type] = handler
    
    async def stream_events(self):
        """Stream Home Assistant events."""
        await self.ha_ws.subscribe_events()
        
        async def handle_event(event: dict):
            event_type = event.get("event_type")
            if event_type in self.event_handlers:
                await self.event_handlers[event_type](event)
        
        await self.ha_ws.listen_events(handle_event)
