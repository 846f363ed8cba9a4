import websocket
import json
import threading
import time
from typing import Callable, Optional

class SensorWebSocketClient:
    def __init__(self, url: str):
        self.url = url
        self.ws = None
        self.is_connected = False
        self.reconnect_attempts = 0
        self.max_reconnect_attempts = 5
        self.reconnect_delay = 1
        self.message_handlers = []
        self.connection_handlers = []
        self.disconnection_handlers = []
        self.error_handlers = []

    def add_message_handler(self, handler: Callable):
        """Add a handler for incoming messages"""
        self.message_handlers.append(handler)

    def add_connection_handler(self, handler: Callable):
        """Add a handler for connection events"""
        self.connection_handlers.append(handler)

    def add_disconnection_handler(self, handler: Callable):
        """Add a handler for disconnection events"""
        self.disconnection_handlers.append(handler)

    def add_error_handler(self, handler: Callable):
        """Add a handler for error events"""
        self.error_handlers.append(handler)

    def on_message(self, ws, message):
        """Handle incoming messages"""
        try:
            data = json.loads(message)
            for handler in self.message_handlers:
                handler(data)
        except json.JSONDecodeError as e:
            print(f"‚ùå Failed to parse message: {e}")

    def on_error(self, ws, error):
        """Handle WebSocket errors"""
        print(f"‚ùå WebSocket error: {error}")
        for handler in self.error_handlers:
            handler(error)

    def on_close(self, ws, close_status_code, close_msg):
        """Handle WebSocket disconnection"""
        print(f"üîå WebSocket closed: {close_status_code} - {close_msg}")
        self.is_connected = False
        for handler in self.disconnection_handlers:
            handler(close_status_code, close_msg)
        
        # Auto-reconnect
        self.attempt_reconnect()

    def on_open(self, ws):
        """Handle WebSocket connection"""
        print("‚úÖ WebSocket connected")
        self.is_connected = True
        self.reconnect_attempts = 0
        for handler in self.connection_handlers:
            handler()

    def attempt_reconnect(self):
        """Attempt to reconnect to WebSocket"""
        if self.reconnect_attempts < self.max_reconnect_attempts:
            self.reconnect_attempts += 1
            print(f"üîÑ Attempting to reconnect ({self.reconnect_attempts}/{self.max_reconnect_attempts})...")
            time.sleep(self.reconnect_delay * self.reconnect_attempts)
            self.connect()
        else:
            print("‚ùå Max reconnection attempts reached")

    def connect(self):
        """Connect to WebSocket"""
        try:
            self.ws = websocket.WebSocketApp(
                self.url,
                on_open=self.on_open,
                on_message=self.on_message,
                on_error=self.on_error,
                on_close=self.on_close
            )
            
            # Run in a separate thread
            def run_websocket():
                self.ws.run_forever()
            
            thread = threading.Thread(target=run_websocket, daemon=True)
            thread.start()
            
        except Exception as e:
            print(f"‚ùå Failed to create WebSocket connection: {e}")

    def disconnect(self):
        """Disconnect from WebSocket"""
        if self.ws:
            self.ws.close()
            self.ws = None
        self.is_connected = False

# Usage
def on_sensor_reading(data):
    print(f"üìä New sensor reading: {data}")

def on_connected():
    print("üîå Connected to sensor stream")

def on_disconnected(code, reason):
    print(f"üîå Disconnected: {code} - {reason}")

def on_error(error):
    print(f"‚ùå Error: {error}")

# Create client
client = SensorWebSocketClient("ws://localhost:8000/api/ws/sensor/stream")

# Add handlers
client.add_message_handler(on_sensor_reading)
client.add_connection_handler(on_connected)
client.add_disconnection_handler(on_disconnected)
client.add_error_handler(on_error)

# Connect
client.connect()

# Keep running
try:
    while True:
        time.sleep(1)
except KeyboardInterrupt:
    client.disconnect()
