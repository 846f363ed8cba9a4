class BufferedWebSocket {
  private ws: WebSocket | null = null;
  private messageBuffer: any[] = [];
  private maxBufferSize = 100;

  connect(url: string) {
    this.ws = new WebSocket(url);
    
    this.ws.onopen = () => {
      // Flush buffer on reconnection
      while (this.messageBuffer.length > 0) {
        const msg = this.messageBuffer.shift();
        this.ws?.send(JSON.stringify(msg));
      }
    };
  }

  send(data: any) {
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(data));
    } else {
      // Buffer message for later
      if (this.messageBuffer.length < this.maxBufferSize) {
        this.messageBuffer.push(data);
      }
    }
  }
}
