import { Emitter } from './emitter.js';
import { ReconnectSchedule, stateEvent } from './reconnect-schedule.js';
import { shouldReconnect as reconnectsFrom } from './close-codes.js';
import { watchBrowser } from './browser-events.js';
import { resolveWebSocket } from './options.js';
import { dropSocket } from './connection.js';
import { OfflineBuffer } from './offline-buffer.js';
import { JsonHeartbeat } from './json-heartbeat.js';

/** JsonSocket's options with their defaults (documented in index.d.ts and docs/clients/javascript.md). */
const defaults = {
  WebSocket: null,
  protocols: undefined,
  minReconnectDelay: 500,
  maxReconnectDelay: 20000,
  maxReconnectAttempts: Infinity,
  // The Switchboard client's rule: not after 1000, 1003, 1008 (policy: e.g. a refused token), 1009, 4004, 4005.
  shouldReconnect: (close) => reconnectsFrom(close.code),
  connectTimeout: 10000,
  offlineBufferSize: 100,
  offlineBufferOverflow: 'reject',
  onOpen: null,
  heartbeat: false,
  browserEvents: true,
};

/** The WebSocket readyState numbers, as react-use-websocket's `ReadyState` reports them. */
const readyStates = { connecting: 0, reconnecting: 0, connected: 1, disconnected: 3 };

/**
 * A WebSocket for any JSON protocol that stays up: JSON in and out, reconnect with full-jitter backoff while
 * `shouldReconnect(closeEvent)` allows and `maxReconnectAttempts` lasts, a bounded offline buffer sent in order on
 * the next connection, an `onOpen` hook run on every (re)connect before that buffer goes out, an optional JSON
 * heartbeat, and the browser's online/offline and visibility events. The Switchboard client's backoff, close-code
 * rule and browser events, without its protocol: for handler endpoints and any other JSON server.
 *
 * Events: `state` ({ state, previous, code, reason, retryIn }), `open` ({ reconnected }), `message` (the parsed
 * message), `close` ({ code, reason, wasClean, willReconnect }), `overflow` ({ message, policy }), `error` (a
 * SyntaxError for a frame that is not JSON, with `data`; the frame is dropped and the connection goes on).
 *
 * Thread safety: single-threaded like the page or Node event loop it runs on; no method may be called from a worker.
 */
export class JsonSocket extends Emitter {
  #url;
  #options;
  #state = 'disconnected';
  #socket = null;
  #ready = false;
  #stopped = true;
  #retries;
  #connectTimer = null;
  #heartbeat = null;
  #buffer;
  #unwatch = null;

  /**
   * @param {string} url ws:// or wss:// endpoint
   * @param {object} [options] see index.d.ts
   */
  constructor(url, options = {}) {
    super();
    this.#url = url;
    this.#options = { ...defaults, ...options };
    this.#options.WebSocket = resolveWebSocket(this.#options.WebSocket, 'JsonSocket');
    for (const name of ['minReconnectDelay', 'maxReconnectDelay', 'connectTimeout']) {
      if (!(this.#options[name] >= 0)) throw new RangeError(`${name} must be a number of 0 or more`);
    }
    this.#retries = new ReconnectSchedule({ minDelay: this.#options.minReconnectDelay, maxDelay: this.#options.maxReconnectDelay });
    this.#buffer = new OfflineBuffer({
      size: this.#options.offlineBufferSize,
      overflow: this.#options.offlineBufferOverflow,
      onOverflow: (event) => this.emit('overflow', event),
    });
    if (this.#options.heartbeat) {
      this.#heartbeat = new JsonHeartbeat(this.#options.heartbeat, {
        send: (message) => this.#write(JSON.stringify(message)),
        onDead: (reason) => this.#abandon(this.#socket, reason),
      });
    }
    /** The close of the last disconnect and whether the socket reconnects from it; null while connected. */
    this.lastDisconnect = null;
  }

  get url() {
    return this.#url;
  }

  /** 'connecting' | 'connected' | 'reconnecting' | 'disconnected' */
  get state() {
    return this.#state;
  }

  /** The state as a WebSocket readyState number: 0 connecting, 1 open, 3 closed. */
  get readyState() {
    return readyStates[this.#state];
  }

  /** How many messages wait in the offline buffer. */
  get buffered() {
    return this.#buffer.length;
  }

  /** Starts connecting, and reconnecting from then on. Harmless while running. */
  connect() {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#retries.start();
    if (this.#options.browserEvents) this.#unwatch = watchBrowser(this);
    this.#setState('connecting');
    this.#attempt();
  }

  /** Closes (1000 unless given), stops every timer and listener, and empties the offline buffer. */
  close(code = 1000, reason = 'client close') {
    this.#buffer.clear();
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopRetrying();
    const socket = this.#socket;
    this.#detach();
    try {
      socket?.close(code, reason);
    } catch {
      // Still connecting in a browser that refuses to close yet: the socket is already detached.
    }
    this.lastDisconnect = { code, reason, wasClean: true, willReconnect: false };
    this.#setState('disconnected', { code, reason });
  }

  /**
   * Sends `message` as JSON now, or buffers it until a connection has run `onOpen`. Returns false when the full
   * buffer refused it (`overflow` says so); throws a TypeError for a value JSON cannot encode.
   */
  send(message) {
    const text = JSON.stringify(message);
    if (text === undefined) throw new TypeError('JsonSocket.send: the message has no JSON form (undefined or a function)');
    if (this.#ready && this.#write(text)) return true;
    return this.#buffer.push(text, message);
  }

  /** @internal Browser events: the network is back, or the page became visible. Retries now instead of waiting. */
  _wake() {
    if (this.#state === 'connected') this.#heartbeat?.probe();
    else this.#retries.runNow();
  }

  /** @internal Browser event: the network is gone. Drops the connection now instead of waiting for the heartbeat. */
  _offline() {
    if (!this.#stopped && this.#socket) this.#abandon(this.#socket, 'the browser went offline');
  }

  #attempt() {
    let socket;
    try {
      socket = new this.#options.WebSocket(this.#url, this.#options.protocols);
    } catch (error) {
      // A malformed URL or protocol: every retry would throw the same.
      this.#stopped = true;
      this.#stopRetrying();
      this.lastDisconnect = { code: 1006, reason: `could not open: ${error?.message ?? error}`, wasClean: false, willReconnect: false };
      this.#setState('disconnected', this.lastDisconnect);
      return;
    }
    this.#socket = socket;
    this.#connectTimer = setTimeout(() => this.#abandon(socket, 'connect timed out'), this.#options.connectTimeout);
    socket.onopen = () => this.#opened(socket);
    socket.onmessage = (event) => this.#received(socket, event.data);
    socket.onerror = () => {
      // The close event follows with the details (a browser gives none on error).
    };
    socket.onclose = (event) => {
      if (socket === this.#socket) this.#lost({ code: event.code, reason: event.reason || '', wasClean: event.wasClean === true });
    };
  }

  async #opened(socket) {
    if (socket !== this.#socket) return;
    this.#heartbeat?.start(); // A link that goes silent while onOpen waits for an answer is caught too.
    try {
      const direct = (message) => this.#write(JSON.stringify(message));
      await this.#options.onOpen?.({ send: direct, reconnected: this.#retries.everConnected, socket: this });
    } catch (error) {
      this.#abandon(socket, `onOpen failed: ${error?.message ?? error}`);
      return;
    }
    if (socket !== this.#socket || this.#stopped) return;
    clearTimeout(this.#connectTimer);
    const reconnected = this.#retries.everConnected;
    this.#ready = true;
    this.#retries.succeeded();
    this.lastDisconnect = null;
    this.#buffer.drain((text) => this.#write(text));
    this.#setState('connected');
    this.emit('open', { reconnected });
  }

  #received(socket, data) {
    if (socket !== this.#socket) return;
    const text = typeof data === 'string' ? data : String(data);
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      this.emit('error', Object.assign(new SyntaxError('a frame that is not JSON was dropped'), { data: text }));
      return;
    }
    if (this.#heartbeat?.onMessage(message)) return;
    this.emit('message', message);
  }

  #write(text) {
    const socket = this.#socket;
    if (!socket || socket.readyState !== 1) return false;
    try {
      socket.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Gives up on `socket` (dead, timed out, offline) without waiting for a close handshake, then reconnects. */
  #abandon(socket, reason) {
    if (!socket || socket !== this.#socket) return;
    this.#detach();
    dropSocket(socket);
    this.#lost({ code: 1006, reason, wasClean: false });
  }

  #detach() {
    const socket = this.#socket;
    this.#socket = null;
    this.#ready = false;
    this.#heartbeat?.stop();
    clearTimeout(this.#connectTimer);
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.onerror = () => {};
  }

  #lost(close) {
    this.#detach();
    if (this.#stopped) return;
    let reconnect = false;
    try {
      reconnect = this.#options.shouldReconnect(close) !== false;
    } catch {
      // A predicate that throws cannot say yes: stop rather than loop.
    }
    if (reconnect && this.#retries.failures >= this.#options.maxReconnectAttempts) reconnect = false;
    this.lastDisconnect = { ...close, willReconnect: reconnect };
    this.emit('close', this.lastDisconnect);
    if (!reconnect) {
      this.#stopped = true;
      this.#stopRetrying();
      this.#setState('disconnected', close);
      return;
    }
    const retryIn = this.#retries.schedule(() => {
      if (!this.#stopped) this.#attempt();
    });
    this.#setState(this.#retries.waitingState, { ...close, retryIn });
  }

  #stopRetrying() {
    this.#retries.cancel();
    this.#unwatch?.();
    this.#unwatch = null;
  }

  #setState(state, details) {
    const event = stateEvent(this.#state, state, details);
    if (!event) return;
    this.#state = state;
    this.emit('state', event);
  }
}
