// Connect to WebSocket
const ws = new WebSocket('ws://localhost:8081/ws?token=' + authToken);

// Connection opened
ws.onopen = (event) => {
    console.log('Connected to WebSocket');
    
    // Subscribe to updates
    ws.send(JSON.stringify({
        type: 'subscribe',
        topics: ['orders', 'notifications']
    }));
};

// Handle messages
ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    
    switch(data.type) {
        case 'order_update':
            updateOrderDisplay(data.data);
            break;
        case 'notification':
            showNotification(data.message);
            break;
    }
};

// Send message
function sendMessage(message) {
    ws.send(JSON.stringify({
        type: 'message',
        content: message
    }));
}

// Handle errors
ws.onerror = (error) => {
    console.error('WebSocket error:', error);
};

// Handle close
ws.onclose = (event) => {
    console.log('WebSocket closed:', event.code, event.reason);
    // Implement reconnection logic
};
