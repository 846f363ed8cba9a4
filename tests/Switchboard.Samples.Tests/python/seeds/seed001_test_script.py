import websocket
import json

def test_websocket():
    def on_message(ws, message):
        print(f"üìä Received: {json.loads(message)}")
    
    def on_error(ws, error):
        print(f"‚ùå Error: {error}")
    
    def on_close(ws, close_status_code, close_msg):
        print(f"üîå Closed: {close_status_code} - {close_msg}")
    
    def on_open(ws):
        print("‚úÖ Connected to sensor stream")
    
    ws = websocket.WebSocketApp(
        "ws://localhost:8000/api/ws/sensor/stream",
        on_open=on_open,
        on_message=on_message,
        on_error=on_error,
        on_close=on_close
    )
    
    ws.run_forever()

if __name__ == "__main__":
    test_websocket()
