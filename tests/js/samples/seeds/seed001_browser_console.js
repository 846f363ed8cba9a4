// Open browser console and run:
const ws = new WebSocket('ws://localhost:8000/api/ws/sensor/stream');

ws.onopen = () => console.log('‚úÖ Connected');
ws.onmessage = (event) => console.log('üìä Message:', JSON.parse(event.data));
ws.onclose = () => console.log('üîå Disconnected');
ws.onerror = (error) => console.error('‚ùå Error:', error);

// Test connection
console.log('WebSocket state:', ws.readyState);
