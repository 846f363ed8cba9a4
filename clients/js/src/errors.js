/** Base class of every error the client rejects a promise with. */
export class SwitchboardError extends Error {
  constructor(message) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server answered a command with an error; `code` is a protocol error code such as `forbidden`. */
export class CommandError extends SwitchboardError {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
    this.serverMessage = message;
  }
}

/** A command got no result within its timeout (time in the offline buffer included). */
export class TimeoutError extends SwitchboardError {}

/** The offline buffer was full: the command was refused or dropped, per `offlineBufferOverflow`. */
export class BufferFullError extends SwitchboardError {}

/**
 * The connection cannot carry the command: the client stopped (closed, or a close code it does not reconnect from), or
 * an rpc was sent and its connection dropped before the result (it may have run). `code`/`reason` are the close's.
 */
export class ConnectionError extends SwitchboardError {
  constructor(message, code = null, reason = '') {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}
