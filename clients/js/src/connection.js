import { decodeServerMessage, encodeCommand } from './protocol.js';

/**
 * One WebSocket connection: opens it, splits `?batch=1` frames into messages, answers and sends heartbeats, declares
 * the link dead after `heartbeatTimeout` of silence, and reports its end once, as `{ code, reason }` (`code` null when
 * there was no close frame: a reset, a refused upgrade, a dead link). It knows the protocol's transport rules, not its
 * commands; the client above decides what to send.
 */
export class Connection {
  /** @type {WebSocket} */
  #socket;
  #onMessage;
  #onClose;
  #closed = false;
  #heartbeatTimeout;
  #pingInterval = 25000;
  #lastHeard = Date.now();
  #lastSent = Date.now();
  #timer = null;

  /**
   * @param {typeof WebSocket} WebSocketCtor
   * @param {string} url
   * @param {{ onMessage: (message: object) => void, onClose: (close: {code: number|null, reason: string}) => void,
   *           onOpen?: () => void, heartbeatTimeout?: number|null, headers?: object }} handlers
   */
  constructor(WebSocketCtor, url, { onMessage, onClose, onOpen, heartbeatTimeout = null }) {
    this.#onMessage = onMessage;
    this.#onClose = onClose;
    this.#heartbeatTimeout = heartbeatTimeout;
    const socket = new WebSocketCtor(url, 'switchboard.v1.json');
    this.#socket = socket;
    socket.onopen = () => {
      this.#lastHeard = Date.now();
      onOpen?.();
    };
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onerror = () => {
      // The close event follows with the details; nothing to do here (a browser gives no reason on error).
    };
    socket.onclose = (event) => this.#finish(event.code === 1005 || event.code === 1006 ? null : event.code, event.reason || '');
  }

  get isOpen() {
    return !this.#closed && this.#socket.readyState === 1;
  }

  /** Starts the heartbeat once `welcome` told the server's ping interval (seconds). */
  startHeartbeat(pingSeconds) {
    this.#pingInterval = Math.max(1, pingSeconds) * 1000;
    const timeout = this.#heartbeatTimeout ?? this.#pingInterval + 10000;
    // The client pings a server it has not heard from for a while: a server only pings clients that are silent, so
    // a client that publishes often would otherwise hear nothing from an idle server and take it for dead.
    const pingAfter = Math.min(this.#pingInterval, timeout / 2);
    const tick = Math.max(100, Math.min(1000, pingAfter / 4));
    this.#timer = setInterval(() => {
      const silent = Date.now() - this.#lastHeard;
      if (silent >= timeout) {
        this.abandon(null, 'heartbeat timeout: nothing heard from the server');
      } else if (silent >= pingAfter && Date.now() - this.#lastSent >= pingAfter) {
        this.send({ type: 'ping' });
      }
    }, tick);
    // In Node, a heartbeat timer alone must not keep the process alive.
    this.#timer.unref?.();
  }

  /** Sends one message; false when the connection is not open (the caller keeps the command for the next one). */
  send(message) {
    if (!this.isOpen) return false;
    try {
      this.#socket.send(typeof message === 'string' ? message : encodeCommand(message));
      this.#lastSent = Date.now();
      return true;
    } catch {
      return false;
    }
  }

  /** Sends a liveness check now (e.g. when a page becomes visible again); a dead link then times out. */
  probe() {
    if (this.send({ type: 'ping' })) this.#lastHeard = Math.min(this.#lastHeard, Date.now());
  }

  /** Closes with a close frame, and reports the end at once (without waiting for the handshake). */
  close(code = 1000, reason = '') {
    if (this.#closed) return;
    try {
      this.#socket.close(code, reason);
    } catch {
      // Already closing.
    }
    this.#finish(code, reason);
  }

  /**
   * Gives up on a connection that is dead or unwanted without waiting for the close handshake, which on a
   * black-holed link would take as long as the TCP timeout: the socket is told to close (ws's terminate where it
   * exists) and its events are ignored from now on.
   */
  abandon(code = null, reason = 'connection abandoned') {
    if (this.#closed) return;
    dropSocket(this.#socket);
    this.#finish(code, reason);
  }

  #receive(data) {
    if (this.#closed) return;
    this.#lastHeard = Date.now();
    const text = typeof data === 'string' ? data : String(data);
    // With ?batch=1 the server may put several messages in one frame, separated by \n.
    for (const line of text.split('\n')) {
      if (!line) continue;
      const message = decodeServerMessage(line);
      if (!message) continue; // Not a protocol message: dropped, the connection goes on.
      if (message.type === 'ping') {
        this.send({ type: 'pong' });
        continue;
      }
      this.#onMessage(message);
      if (this.#closed) return;
    }
  }

  #finish(code, reason) {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const socket = this.#socket;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.onerror = () => {};
    this.#onClose({ code, reason });
  }
}

/**
 * Ends a socket without waiting for the close handshake, which on a black-holed link would take as long as the TCP
 * timeout: ws's terminate() where it exists, else a close the browser finishes in the background.
 * @param {WebSocket} socket
 */
export function dropSocket(socket) {
  try {
    if (typeof socket.terminate === 'function') socket.terminate();
    else socket.close(1000, 'abandoned');
  } catch {
    // Not open yet, or already closed.
  }
}
