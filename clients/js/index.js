// The Switchboard JavaScript client: an ES module with no runtime dependencies, for browsers and Node 20+.
export { SwitchboardClient } from './src/client.js';
export { JsonSocket } from './src/json-socket.js';
export { matches } from './src/channel-pattern.js';
export { Subscription } from './src/subscription.js';
export { backoffBounds, backoffDelay } from './src/backoff.js';
export { CloseCodes, shouldReconnect } from './src/close-codes.js';
export { SwitchboardError, CommandError, TimeoutError, BufferFullError, ConnectionError } from './src/errors.js';
export { encodeCommand, decodeServerMessage } from './src/protocol.js';
