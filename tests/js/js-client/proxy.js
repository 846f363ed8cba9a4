// A TCP proxy between the client under test and the server, to cut and restore the network from the test.
import net from 'node:net';

/**
 * Listens on 127.0.0.1 and forwards each connection to `target` (a port). `reset()` destroys every open connection
 * (the client sees a reset), `refuse(true)` closes new ones at once (the server looks down), `blackhole(true)` keeps
 * connections open but forwards nothing either way (a dead link without any close), and `dropReplies(true)` forwards
 * the client's bytes but drops the server's (a request that arrives but whose answer is lost).
 */
export class TcpProxy {
  #server;
  #pairs = new Set();
  #refuse = false;
  #blackhole = false;
  #dropReplies = false;
  #dropFrame = null;

  constructor(targetPort) {
    this.targetPort = targetPort;
    this.accepted = 0;
  }

  async start() {
    this.#server = net.createServer((client) => this.#accept(client));
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = this.#server.address().port;
    return this;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  reset() {
    for (const { client, upstream } of this.#pairs) {
      client.resetAndDestroy?.() ?? client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  refuse(on) {
    this.#refuse = on;
  }

  blackhole(on) {
    this.#blackhole = on;
  }

  dropReplies(on) {
    this.#dropReplies = on;
  }

  /**
   * Drops whole WebSocket frames from the server whose text makes `predicate` true (null: none), keeping the framing
   * intact: the client sees a stream with messages missing, as a node that lost part of a stream would send it.
   */
  dropServerFrames(predicate) {
    this.#dropFrame = predicate;
  }

  async close() {
    this.reset();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #accept(client) {
    if (this.#refuse) {
      client.destroy();
      return;
    }
    this.accepted++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair = { client, upstream };
    this.#pairs.add(pair);
    client.on('data', (chunk) => {
      if (!this.#blackhole) upstream.write(chunk);
    });
    const frames = new ServerFrames((bytes, text) => {
      if (this.#dropFrame && text !== null && this.#dropFrame(text)) return;
      client.write(bytes);
    });
    upstream.on('data', (chunk) => {
      if (!this.#blackhole && !this.#dropReplies) frames.push(chunk);
    });
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

/**
 * Splits the server's side of a WebSocket connection into the upgrade response and whole frames (server frames are
 * not masked: RFC 6455 5.2), handing each on with its text (null for the handshake and non-text frames).
 */
class ServerFrames {
  #buffer = Buffer.alloc(0);
  #upgraded = false;
  #passThrough = false;
  #forward;

  constructor(forward) {
    this.#forward = forward;
  }

  push(chunk) {
    if (this.#passThrough) {
      this.#forward(chunk, null);
      return;
    }
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    if (!this.#upgraded) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!this.#buffer.subarray(0, 12).toString('latin1').startsWith('HTTP/1.1 101')) {
        // Plain HTTP (a page, a script): no frames to look at on this connection.
        this.#passThrough = true;
        this.#forward(this.#buffer, null);
        this.#buffer = Buffer.alloc(0);
        return;
      }
      this.#forward(this.#buffer.subarray(0, end + 4), null);
      this.#buffer = this.#buffer.subarray(end + 4);
      this.#upgraded = true;
    }
    while (this.#buffer.length >= 2) {
      let length = this.#buffer[1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (this.#buffer.length < 4) return;
        length = this.#buffer.readUInt16BE(2);
        header = 4;
      } else if (length === 127) {
        if (this.#buffer.length < 10) return;
        length = Number(this.#buffer.readBigUInt64BE(2));
        header = 10;
      }
      if (this.#buffer.length < header + length) return;
      const frame = this.#buffer.subarray(0, header + length);
      const opcode = frame[0] & 0x0f;
      this.#forward(frame, opcode === 1 ? frame.subarray(header).toString('utf8') : null);
      this.#buffer = this.#buffer.subarray(header + length);
    }
  }
}
