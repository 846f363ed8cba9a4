/**
 * WebSocket close codes of protocol v1 (docs/protocol.md) and which of them the client reconnects from. The rule is the
 * .NET client's: everything reconnects except a normal close, a protocol violation by this client, failed
 * authentication, rate-limit abuse and a kick, where trying again would fail the same way or undo the server's intent.
 */
export const CloseCodes = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  tryAgainLater: 1013,
  tokenExpired: 4001,
  heartbeatTimeout: 4002,
  slowConsumer: 4003,
  rateLimitAbuse: 4004,
  kicked: 4005,
});

const final = new Set([1000, 1003, 1008, 1009, 4004, 4005]);

/**
 * Whether the client reconnects after the server closed with `code`. `undefined`/`null` (no close frame: a reset, a
 * refused connection, a heartbeat timeout noticed by the client) and unknown codes reconnect.
 * @param {number | null | undefined} code
 */
export function shouldReconnect(code) {
  return code == null || !final.has(code);
}
