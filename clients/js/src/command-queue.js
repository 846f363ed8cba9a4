import { BufferFullError, CommandError, ConnectionError, TimeoutError } from './errors.js';
import { encodeCommand } from './protocol.js';

/**
 * The commands in flight: numbered, sent at once when connected or held in a bounded offline buffer, each with a
 * timeout that counts from the call (time in the buffer included). What happens to a command whose connection drops
 * before its result depends on its policy:
 * - `resend` (publish with its key, history, presence): sent again after the reconnect, ahead of what was buffered
 *   since, in the original order; the publish key makes the server publish it once.
 * - `fail-if-sent` (rpc): fails with ConnectionError ("it may have run"); one still in the buffer waits.
 * - `forget` (subscribe, refresh): the client's own bookkeeping, redone on the next connection; never buffered.
 */
export class CommandQueue {
  #nextId = 1;
  #pending = new Map();
  #offline = [];
  #size;
  #overflow;
  #send;

  /**
   * @param {{ size: number, overflow: 'reject'|'drop-oldest'|'drop-newest', send: (payload: string) => boolean }} options
   */
  constructor({ size, overflow, send }) {
    if (!['reject', 'drop-oldest', 'drop-newest'].includes(overflow)) throw new TypeError(`unknown offlineBufferOverflow '${overflow}'`);
    this.#size = size;
    this.#overflow = overflow;
    this.#send = send;
  }

  /** How many commands wait in the offline buffer. */
  get buffered() {
    return this.#offline.length;
  }

  /** Sends the command (or buffers it) and resolves with its result body. */
  execute(body, policy, timeout) {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      const payload = encodeCommand({ ...body, id });
      const command = { id, payload, policy, resolve, reject, sent: false, timer: null };
      command.timer = setTimeout(() => {
        this.#forget(command);
        reject(new TimeoutError(`no result for ${body.type} within ${timeout} ms`));
      }, timeout);
      if (this.#send(payload)) {
        command.sent = true;
        this.#pending.set(id, command);
        return;
      }
      if (policy === 'forget') {
        clearTimeout(command.timer);
        reject(new ConnectionError('not connected'));
        return;
      }
      if (this.#offline.length >= this.#size) {
        if (this.#overflow === 'reject' || this.#offline.length === 0) {
          clearTimeout(command.timer);
          reject(new BufferFullError(`the offline buffer is full (${this.#size} commands)`));
          return;
        }
        const dropped = this.#overflow === 'drop-oldest' ? this.#offline.shift() : this.#offline.pop();
        this.#pending.delete(dropped.id);
        clearTimeout(dropped.timer);
        dropped.reject(new BufferFullError(`dropped from the full offline buffer (${this.#size} commands)`));
      }
      this.#pending.set(id, command);
      this.#offline.push(command);
    });
  }

  /** Sends the buffered commands, in order, on a new connection. */
  flush() {
    const waiting = this.#offline;
    this.#offline = [];
    for (let i = 0; i < waiting.length; i++) {
      if (!this.#send(waiting[i].payload)) {
        this.#offline = waiting.slice(i).concat(this.#offline);
        return;
      }
      waiting[i].sent = true;
    }
  }

  /** A `result` from the server. */
  onResult(message) {
    const command = this.#pending.get(message.id);
    if (!command) return; // Timed out meanwhile, or a duplicate.
    this.#pending.delete(message.id);
    clearTimeout(command.timer);
    if (message.success === true) command.resolve(message.result ?? null);
    else command.reject(new CommandError(message.error?.code ?? 'internal', message.error?.message ?? ''));
  }

  /** The connection dropped: applies each sent command's policy (see the class comment). */
  onConnectionLost(close) {
    const unanswered = [...this.#pending.values()].filter((c) => c.sent).sort((a, b) => a.id - b.id);
    const resend = [];
    for (const command of unanswered) {
      command.sent = false;
      if (command.policy === 'resend') {
        resend.push(command);
        continue;
      }
      this.#pending.delete(command.id);
      clearTimeout(command.timer);
      const message = command.policy === 'fail-if-sent'
        ? 'the connection was lost before the rpc\'s result arrived; it may have run'
        : 'the connection was lost';
      command.reject(new ConnectionError(message, close.code, close.reason));
    }
    // Ahead of anything buffered since: they were issued first.
    this.#offline = resend.concat(this.#offline);
  }

  /** The client stopped for good: every waiting command fails. */
  failAll(error) {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    this.#offline = [];
    for (const command of all) {
      clearTimeout(command.timer);
      command.reject(error);
    }
  }

  #forget(command) {
    this.#pending.delete(command.id);
    const index = this.#offline.indexOf(command);
    if (index >= 0) this.#offline.splice(index, 1);
  }
}
