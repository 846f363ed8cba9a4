// The smallest useful protocol v1 client: JSON messages over `ws`, waits with timeouts.
'use strict';
const WebSocket = require('ws');

class PlainClient {
  static connect(url) {
    return new Promise((resolve, reject) => {
      const client = new PlainClient(new WebSocket(url));
      client.ws.once('error', reject);
      client.next((m) => m.type === 'welcome').then((welcome) => { client.welcome = welcome; resolve(client); }, reject);
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiters = [];
    this.nextId = 1;
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) this.push(JSON.parse(line));
    });
  }

  push(message) {
    const index = this.waiters.findIndex((w) => w.match(message));
    if (index >= 0) { const [waiter] = this.waiters.splice(index, 1); waiter.resolve(message); } else this.queue.push(message);
  }

  /** The oldest message matching `match`, waiting up to `timeout` ms. */
  next(match = () => true, timeout = 10000) {
    const index = this.queue.findIndex(match);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m) => { clearTimeout(timer); resolve(m); } };
      const timer = setTimeout(() => { this.waiters.splice(this.waiters.indexOf(waiter), 1); reject(new Error('timed out waiting for a message')); }, timeout);
      this.waiters.push(waiter);
    });
  }

  send(message) { this.ws.send(JSON.stringify(message)); }

  /** Sends a command with an id and resolves with its `result` message. */
  command(message) {
    const id = this.nextId++;
    this.send({ ...message, id });
    return this.next((m) => m.type === 'result' && m.id === id);
  }

  close() { this.ws.close(1000); return this.closed; }
}

module.exports = { PlainClient };
