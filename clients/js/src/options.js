/** The client's options with their defaults (documented in index.d.ts and docs/clients/javascript.md). */
export const defaults = {
  token: null,
  WebSocket: null,
  batch: true,
  minReconnectDelay: 500,
  maxReconnectDelay: 20000,
  maxReconnectAttempts: Infinity,
  connectTimeout: 10000,
  commandTimeout: 30000,
  heartbeatTimeout: null,
  offlineBufferSize: 1000,
  offlineBufferOverflow: 'reject',
  browserEvents: true,
  connectData: null,
};

/** Fills in the defaults and checks what cannot work, with a message that says what to do. */
export function resolveOptions(options) {
  const resolved = { ...defaults, ...options };
  resolved.WebSocket = resolveWebSocket(resolved.WebSocket, 'SwitchboardClient');
  for (const name of ['minReconnectDelay', 'maxReconnectDelay', 'connectTimeout', 'commandTimeout', 'offlineBufferSize']) {
    if (!(resolved[name] >= 0)) throw new RangeError(`${name} must be a number of 0 or more`);
  }
  return resolved;
}

/**
 * The WebSocket constructor to use: the one given, else the platform's (browsers, Node 22+); Node 20 has none, so
 * the message says how to pass npm's `ws`.
 * @param {unknown} given
 * @param {string} owner the class being constructed, named in the message
 */
export function resolveWebSocket(given, owner) {
  const WebSocketCtor = given ?? globalThis.WebSocket;
  if (typeof WebSocketCtor !== 'function') {
    throw new TypeError(`no WebSocket constructor: pass one, e.g. new ${owner}(url, { WebSocket }) with \`import WebSocket from "ws"\``);
  }
  return WebSocketCtor;
}
