class SensorWebSocket {
  constructor(url) {
    this.url = url;
    this.ws = null;
    this.reconnectAttempts = 0;
    this.maxReconnectAttempts = 5;
    this.reconnectDelay = 1000;
  }

  connect() {
    try {
      this.ws = new WebSocket(this.url);
      
      this.ws.onopen = () => {
        console.log('‚úÖ WebSocket connected');
        this.reconnectAttempts = 0;
        this.onConnected();
      };

      this.ws.onmessage = (event) => {
        try {
          const data = JSON.parse(event.data);
          this.onMessage(data);
        } catch (error) {
          console.error('‚ùå Failed to parse WebSocket message:', error);
        }
      };

      this.ws.onclose = (event) => {
        console.log('üîå WebSocket disconnected:', event.code, event.reason);
        this.onDisconnected();
        this.attemptReconnect();
      };

      this.ws.onerror = (error) => {
        console.error('‚ùå WebSocket error:', error);
        this.onError(error);
      };

    } catch (error) {
      console.error('‚ùå Failed to create WebSocket connection:', error);
    }
  }

  attemptReconnect() {
    if (this.reconnectAttempts < this.maxReconnectAttempts) {
      this.reconnectAttempts++;
      console.log(`üîÑ Attempting to reconnect (${this.reconnectAttempts}/${this.maxReconnectAttempts})...`);
      
      setTimeout(() => {
        this.connect();
      }, this.reconnectDelay * this.reconnectAttempts);
    } else {
      console.error('‚ùå Max reconnection attempts reached');
    }
  }

  disconnect() {
    if (this.ws) {
      this.ws.close();
      this.ws = null;
    }
  }

  // Override these methods in your implementation
  onConnected() {}
  onMessage(data) {}
  onDisconnected() {}
  onError(error) {}
}

// Usage
const sensorWS = new SensorWebSocket('ws://localhost:8000/api/ws/sensor/stream');

sensorWS.onConnected = () => {
  console.log('Sensor WebSocket ready');
};

sensorWS.onMessage = (data) => {
  console.log('New sensor reading:', data);
  // Update your UI here
};

sensorWS.onDisconnected = () => {
  console.log('Sensor WebSocket disconnected');
};

sensorWS.onError = (error) => {
  console.error('Sensor WebSocket error:', error);
};

// Connect
sensorWS.connect();
