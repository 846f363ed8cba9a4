import { useState, useEffect, useRef } from 'react';

export const useSensorWebSocket = (url) => {
  const [isConnected, setIsConnected] = useState(false);
  const [lastMessage, setLastMessage] = useState(null);
  const [error, setError] = useState(null);
  const wsRef = useRef(null);
  const reconnectTimeoutRef = useRef(null);

  const connect = () => {
    try {
      wsRef.current = new WebSocket(url);

      wsRef.current.onopen = () => {
        setIsConnected(true);
        setError(null);
        console.log('‚úÖ WebSocket connected');
      };

      wsRef.current.onmessage = (event) => {
        try {
          const data = JSON.parse(event.data);
          setLastMessage(data);
        } catch (err) {
          console.error('Failed to parse message:', err);
        }
      };

      wsRef.current.onclose = () => {
        setIsConnected(false);
        console.log('üîå WebSocket disconnected');
        
        // Auto-reconnect after 3 seconds
        reconnectTimeoutRef.current = setTimeout(() => {
          connect();
        }, 3000);
      };

      wsRef.current.onerror = (error) => {
        setError(error);
        console.error('‚ùå WebSocket error:', error);
      };

    } catch (err) {
      setError(err);
      console.error('Failed to create WebSocket:', err);
    }
  };

  const disconnect = () => {
    if (reconnectTimeoutRef.current) {
      clearTimeout(reconnectTimeoutRef.current);
    }
    if (wsRef.current) {
      wsRef.current.close();
      wsRef.current = null;
    }
    setIsConnected(false);
  };

  useEffect(() => {
    connect();
    return () => {
      disconnect();
    };
  }, [url]);

  return {
    isConnected,
    lastMessage,
    error,
    connect,
    disconnect
  };
};

// Usage in React component
const SensorDashboard = () => {
  const { isConnected, lastMessage, error } = useSensorWebSocket(
    'ws://localhost:8000/api/ws/sensor/stream'
  );

  return (
    <div>
      <div>Status: {isConnected ? 'üü¢ Connected' : 'üî¥ Disconnected'}</div>
      {error && <div>Error: {error.message}</div>}
      {lastMessage && (
        <div>
          Latest Reading: {JSON.stringify(lastMessage, null, 2)}
        </div>
      )}
    </div>
  );
};
