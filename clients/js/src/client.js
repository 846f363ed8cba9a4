import { Emitter } from './emitter.js';
import { Connection } from './connection.js';
import { ReconnectSchedule, stateEvent } from './reconnect-schedule.js';
import { shouldReconnect } from './close-codes.js';
import { BufferFullError, CommandError, ConnectionError, TimeoutError } from './errors.js';
import { Subscription } from './subscription.js';
import { CommandQueue } from './command-queue.js';
import { watchBrowser } from './browser-events.js';
import { matches } from './channel-pattern.js';
import { newKey, toPublication, withTimeout } from './publication.js';
import { resolveOptions } from './options.js';


/**
 * A Switchboard client: one WebSocket connection kept alive, with reconnect (exponential backoff, full jitter, only
 * when the close code allows), resubscribe with recovery, a bounded offline buffer, idempotent publish retries,
 * heartbeats and a timeout on every request. The same behaviour as the .NET client (docs/clients/dotnet.md).
 *
 * Events: `state` ({ state, previous, code, reason, retryIn }), `message` (data, { channel, ts }) for server sends
 * to a channel this client is not subscribed to, `error` (a server error not tied to a command).
 */
export class SwitchboardClient extends Emitter {
  #url;
  #options;
  #state = 'disconnected';
  #connection = null;
  #subscriptions = new Map();
  #commands;
  #stopped = true;
  #retries;
  #paused = false;
  #token = null;
  #unwatch = null;
  #connectWaiters = [];

  /**
   * @param {string} url ws:// or wss:// endpoint, e.g. `ws://localhost:8000/ws`
   * @param {object} [options] see index.d.ts
   */
  constructor(url, options = {}) {
    super();
    this.#url = url;
    this.#options = resolveOptions(options);
    this.#retries = new ReconnectSchedule({ minDelay: this.#options.minReconnectDelay, maxDelay: this.#options.maxReconnectDelay });
    this.#commands = new CommandQueue({
      size: this.#options.offlineBufferSize,
      overflow: this.#options.offlineBufferOverflow,
      send: (payload) => this.#connection?.send(payload) ?? false,
    });
    /** This connection's id (`welcome.client`), null while not connected. */
    this.clientId = null;
    /** The user the server authenticated the connection as, or null when anonymous. */
    this.user = null;
    /** `welcome.data`: what the application's backend said when it let this connection in (docs/proxy.md), or null. */
    this.welcomeData = null;
    /** The close code and reason of the last disconnect, and whether the client reconnects from it. */
    this.lastDisconnect = null;
  }

  /** 'connecting' | 'connected' | 'reconnecting' | 'disconnected' */
  get state() {
    return this.#state;
  }

  /**
   * Starts connecting (and reconnecting, from then on). Resolves when connected; rejects with a ConnectionError when
   * the client gives up before (e.g. 1008: the token was refused). Calling it again while running is harmless.
   */
  connect() {
    const connected = new Promise((resolve, reject) => {
      if (this.#state === 'connected') resolve();
      else this.#connectWaiters.push({ resolve, reject });
    });
    if (this.#stopped) {
      this.#stopped = false;
      this.#retries.start();
      if (this.#options.browserEvents) this.#unwatch = watchBrowser(this);
      this.#setState('connecting');
      this.#attempt();
    }
    return connected;
  }

  /** Closes with 1000 and fails what is still waiting. Subscriptions stay registered and resume on `connect()`. */
  close() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#retries.cancel();
    this.#unwatch?.();
    this.#unwatch = null;
    const connection = this.#connection;
    this.#connection = null;
    connection?.close(1000, 'client disconnect');
    this.#stop({ code: 1000, reason: 'client disconnect' });
  }

  /**
   * Subscribes (now or on connect) and returns the subscription at once; `await sub.ready()` for the server's answer.
   * @param {string} channel a channel or a wildcard pattern (`sensors.>`)
   * @param {{ since?: {offset: number, epoch: string}, presence?: boolean }} [options]
   */
  subscribe(channel, options = {}) {
    if (typeof channel !== 'string' || channel.length === 0) throw new TypeError('channel must be a non-empty string');
    if (this.#subscriptions.has(channel)) throw new Error(`this client is already subscribed to '${channel}'`);
    const subscription = new Subscription(this, channel, options);
    this.#subscriptions.set(channel, subscription);
    if (this.#connection?.isOpen && this.#state === 'connected') this.#sendSubscribe(subscription);
    return subscription;
  }

  /** The subscription to `channel`, if any. */
  getSubscription(channel) {
    return this.#subscriptions.get(channel) ?? null;
  }

  /**
   * Publishes; resolves with the publication's offset. Every publish carries an idempotency `key` (a fresh one unless
   * given), so one whose connection dropped before its result is sent again after the reconnect and published once.
   */
  async publish(channel, data, { key, timeout } = {}) {
    const result = await this.#commands.execute({ type: 'publish', channel, data: data === undefined ? null : data, key: key ?? newKey() }, 'resend', timeout ?? this.#options.commandTimeout);
    return result.offset;
  }

  /** Calls a server rpc method. An rpc already sent when the connection dropped fails (it may have run). */
  rpc(method, params, { timeout } = {}) {
    const command = { type: 'rpc', method };
    if (params !== undefined) command.params = params;
    return this.#commands.execute(command, 'fail-if-sent', timeout ?? this.#options.commandTimeout);
  }

  /**
   * Reads a channel's history, oldest first: `{ publications, offset, epoch, recovered? }`.
   * @param {{ limit?: number, since?: {offset: number, epoch: string}, timeout?: number }} [options]
   */
  async history(channel, { limit, since, timeout } = {}) {
    const command = { type: 'history', channel };
    if (limit !== undefined) command.limit = limit;
    if (since !== undefined) command.since = since;
    const result = await this.#commands.execute(command, 'resend', timeout ?? this.#options.commandTimeout);
    return { ...result, publications: (result.publications ?? []).map(toPublication) };
  }

  /** The clients subscribed to `channel`: `[{ client, user, info }]`. */
  async presence(channel, { timeout } = {}) {
    const result = await this.#commands.execute({ type: 'presence', channel }, 'resend', timeout ?? this.#options.commandTimeout);
    return result.clients ?? [];
  }

  /** @internal Browser events: the network is back, or the page became visible. Retries now instead of waiting. */
  _wake() {
    this.#paused = false;
    if (this.#state === 'connected') this.#connection?.probe();
    else this.#retries.runNow();
  }

  /** @internal Browser event: the network is gone. Drops the connection and waits for `online` to retry. */
  _offline() {
    if (this.#stopped) return;
    this.#paused = true;
    this.#connection?.abandon(null, 'the browser went offline');
  }

  /** @internal */
  _removeSubscription(subscription) {
    if (this.#subscriptions.get(subscription.channel) !== subscription) return;
    this.#subscriptions.delete(subscription.channel);
    // Without an id: nothing to wait for. On one connection commands run in order, so it also undoes a subscribe
    // still in flight.
    if (this.#state === 'connected') this.#connection?.send({ type: 'unsubscribe', channel: subscription.channel });
    subscription.onEnded();
  }

  async #attempt() {
    const stoppedBefore = () => this.#stopped;
    let token = null;
    try {
      token = await withTimeout(this.#resolveToken(), this.#options.connectTimeout, 'the token provider did not answer in time');
    } catch (error) {
      if (stoppedBefore()) return;
      this.#lost({ code: null, reason: `token provider failed: ${error?.message ?? error}` }, false);
      return;
    }
    if (stoppedBefore()) return;
    this.#token = token;
    let welcomed = false;
    const connection = new Connection(this.#options.WebSocket, this.#buildUrl(token), {
      heartbeatTimeout: this.#options.heartbeatTimeout,
      onMessage: (message) => {
        if (message.type === 'welcome') {
          welcomed = true;
          clearTimeout(connectTimer);
          this.#onWelcome(connection, message);
        } else if (message.type === 'auth_required') {
          // The token normally travels in the URL; a server that still asks gets it here.
          if (token) connection.send({ type: 'auth', token });
        } else if (welcomed) {
          this.#onMessage(message);
        }
      },
      onClose: (close) => {
        clearTimeout(connectTimer);
        if (this.#connection === connection) this.#connection = null;
        if (!this.#stopped) this.#lost(close, welcomed);
      },
    });
    const connectTimer = setTimeout(() => connection.abandon(null, 'connect timed out'), this.#options.connectTimeout);
    this.#connection = connection;
  }

  async #resolveToken() {
    const token = this.#options.token;
    if (typeof token === 'function') return (await token()) ?? null;
    return token ?? null;
  }

  #buildUrl(token) {
    const url = new URL(this.#url, globalThis.location?.href);
    if (this.#options.batch) url.searchParams.set('batch', '1');
    // Browsers cannot set headers on a WebSocket upgrade, so the token goes in the query (docs/protocol.md).
    if (token) url.searchParams.set('token', token);
    // For the application's backend that decides who connects (docs/proxy.md); the server speaks first, so the URL.
    if (this.#options.connectData != null) url.searchParams.set('data', JSON.stringify(this.#options.connectData));
    return url.toString();
  }

  #onWelcome(connection, welcome) {
    this.clientId = welcome.client ?? null;
    this.user = welcome.user ?? null;
    this.welcomeData = welcome.data ?? null;
    this.#retries.succeeded();
    this.lastDisconnect = null;
    connection.startHeartbeat(typeof welcome.ping === 'number' && welcome.ping > 0 ? welcome.ping : 25);
    // Subscriptions first, so that buffered publishes to a subscribed channel come after its recovered history.
    for (const subscription of this.#subscriptions.values()) this.#sendSubscribe(subscription);
    this.#commands.flush();
    this.#setState('connected');
    for (const waiter of this.#connectWaiters.splice(0)) waiter.resolve();
  }

  #onMessage(message) {
    switch (message.type) {
      case 'message':
        this.#route(message);
        break;
      case 'result':
        this.#commands.onResult(message);
        break;
      case 'join':
      case 'leave':
        this.#subscriptions.get(message.channel)?.onPresence(message.type, message);
        break;
      case 'token_expiring':
        this.#refreshToken();
        break;
      case 'unsubscribe':
        this.#onServerUnsubscribe(message);
        break;
      case 'error':
        if (message.code !== 'not_subscribed') this.emit('error', message);
        break;
      default:
        break; // pong, auth_ok and types added later (forward compatible).
    }
  }

  #route(message) {
    const exact = this.#subscriptions.get(message.channel);
    if (typeof message.offset !== 'number') {
      if (exact) exact.onDirect(message);
      else this.emit('message', message.data, { channel: message.channel, ts: message.ts ?? null });
      return;
    }
    if (exact && exact.onPublication(message) === 'gap') this.#heal(exact);
    for (const subscription of this.#subscriptions.values()) {
      if (subscription.isWildcard && matches(subscription.channel, message.channel)) subscription.onPublication(message);
    }
  }

  /**
   * The server ended a subscription. With `resubscribe: true` (a gap it could not heal, e.g. `insufficient_state`
   * after a broker link was lost) the client subscribes again from its last position, which recovers the gap or says
   * it cannot; otherwise the subscription is over.
   */
  #onServerUnsubscribe(message) {
    const subscription = this.#subscriptions.get(message.channel);
    if (!subscription) return;
    if (message.resubscribe === true) {
      this.#heal(subscription, true);
      return;
    }
    this.#subscriptions.delete(subscription.channel);
    subscription.onEnded(message.reason ?? 'unsubscribed by the server');
  }

  /**
   * Resubscribes from the last delivered position on this connection: the server recovers the gap or says it cannot.
   * After the server's own unsubscribe notice the old subscription is gone there; after a gap the client saw, it is
   * ended first (one connection's commands run in order, so nothing of it arrives after the new result).
   */
  #heal(subscription, endedByServer = false) {
    if (!subscription || subscription.healing || this.#state !== 'connected') return;
    if (subscription.isWildcard) subscription.markGap(); // Patterns cannot recover: say so on the next publication.
    subscription.healing = true;
    if (!endedByServer) this.#connection?.send({ type: 'unsubscribe', channel: subscription.channel });
    this.#sendSubscribe(subscription);
  }

  #sendSubscribe(subscription) {
    const since = subscription.sinceForSubscribe();
    const command = { type: 'subscribe', channel: subscription.channel };
    if (since) command.since = since;
    if (subscription.wantsPresence) command.presence = true;
    this.#commands
      .execute(command, 'forget', this.#options.commandTimeout)
      .then(
        (result) => {
          if (this.#subscriptions.get(subscription.channel) !== subscription) return;
          subscription.onSubscribed(result, since !== null);
          // Live publications that came with or after the result, before this promise ran, in arrival order.
          for (const message of subscription.takeHeld()) {
            if (subscription.onPublication(message) === 'gap') this.#heal(subscription);
          }
        },
        (error) => {
          if (error instanceof TimeoutError && this.#connection) {
            // No answer on a live connection: the link is unreliable; a fresh connection resubscribes.
            this.#connection.abandon(null, 'subscribe timed out');
            return;
          }
          if (error instanceof CommandError && this.#subscriptions.get(subscription.channel) === subscription) {
            this.#subscriptions.delete(subscription.channel);
            subscription.onRefused(error);
          }
        },
      );
  }

  async #refreshToken() {
    if (typeof this.#options.token !== 'function') return;
    try {
      const token = await this.#options.token();
      // A provider that caches its token until it expires: sending it back would only make the server warn again.
      if (!token || token === this.#token) return;
      await this.#commands.execute({ type: 'refresh', token }, 'forget', this.#options.commandTimeout);
      this.#token = token;
    } catch {
      // Without a refresh the server closes with 4001 at exp, and the reconnect asks the provider again.
    }
  }

  #lost(close, wasConnected) {
    let reconnect = shouldReconnect(close.code);
    if (reconnect && this.#retries.failures >= this.#options.maxReconnectAttempts) reconnect = false;
    this.lastDisconnect = { code: close.code, reason: close.reason, willReconnect: reconnect };
    this.clientId = null;
    if (wasConnected) this.#commands.onConnectionLost(close);
    for (const subscription of this.#subscriptions.values()) subscription.stopHealing();
    if (!reconnect) {
      this.#stopped = true;
      this.#unwatch?.();
      this.#unwatch = null;
      this.#stop(close);
      return;
    }
    const retryIn = this.#retries.schedule(() => {
      if (!this.#stopped) this.#attempt();
    });
    this.#setState(this.#retries.waitingState, { code: close.code, reason: close.reason, retryIn });
  }

  #stop(close) {
    this.lastDisconnect = { code: close.code, reason: close.reason, willReconnect: false };
    this.#commands.failAll(new ConnectionError(`the client is disconnected: ${close.reason || close.code}`, close.code, close.reason));
    for (const subscription of this.#subscriptions.values()) subscription.stopHealing();
    this.#setState('disconnected', { code: close.code, reason: close.reason });
    const error = new ConnectionError(`could not connect: ${close.reason || `close ${close.code}`}`, close.code, close.reason);
    for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
  }

  #setState(state, details) {
    const event = stateEvent(this.#state, state, details);
    if (!event) return;
    this.#state = state;
    this.emit('state', event);
  }
}
