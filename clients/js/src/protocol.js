/**
 * The wire form of protocol v1 on the client's side: commands encoded in the canonical field order, and server
 * messages decoded or dropped by the protocol's rules. Both are checked against the language-neutral golden vectors in
 * tests/vectors (tests/js/js-client/vectors.test.js).
 */

// The canonical order of a command's fields (tests/vectors/commands.json), and which fields each type uses.
const commandFields = ['type', 'id', 'channel', 'data', 'key', 'since', 'limit', 'presence', 'method', 'params', 'token'];
const fieldsOf = {
  subscribe: new Set(['id', 'channel', 'since', 'presence']),
  unsubscribe: new Set(['id', 'channel']),
  publish: new Set(['id', 'channel', 'data', 'key']),
  history: new Set(['id', 'channel', 'since', 'limit']),
  presence: new Set(['id', 'channel']),
  rpc: new Set(['id', 'method', 'params']),
  ping: new Set(['id']),
  pong: new Set(['id']),
  refresh: new Set(['id', 'token']),
  auth: new Set(['id', 'token']),
};

/**
 * One command as the compact JSON text of one frame, fields in the canonical order. Fields its type does not use are
 * left out, and so is `presence: false` (the default).
 */
export function encodeCommand(command) {
  const uses = fieldsOf[command.type];
  const ordered = {};
  for (const field of commandFields) {
    const value = command[field];
    if (value === undefined || (field !== 'type' && uses && !uses.has(field)) || (field === 'presence' && value === false)) continue;
    ordered[field] = field === 'since' ? { offset: value.offset, epoch: value.epoch } : value;
  }
  return JSON.stringify(ordered);
}

/**
 * One server message from its text, or null when the protocol says to drop it (not JSON, not an object, no string
 * `type`); the connection goes on either way. Types this client does not know are returned and ignored by the caller.
 */
export function decodeServerMessage(text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message) || typeof message.type !== 'string') return null;
  return message;
}
