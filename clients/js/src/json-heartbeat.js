/**
 * JsonSocket's optional heartbeat, for protocols that have an application-level ping: every `interval` it sends
 * `message` and expects an answer within `timeout`, else the link is dead (a black-holed network, a server that
 * hangs) and `onDead` reconnects. The answer is a message whose `type` is `returnMessage` (such answers are not
 * passed on as messages), or, with `returnMessage: null`, any message at all. In that mode a link that carried a
 * message since the last tick is not pinged: it is alive.
 */
export class JsonHeartbeat {
  #message;
  #returnMessage;
  #interval;
  #timeout;
  #send;
  #onDead;
  #ticker = null;
  #deadline = null;
  #heard = false;

  /**
   * @param {{ message?: unknown, returnMessage?: string | ((message: unknown) => boolean) | null, interval?: number, timeout?: number }} options
   * @param {{ send: (message: unknown) => boolean, onDead: (reason: string) => void }} hooks
   */
  constructor(options, { send, onDead }) {
    const { message = { type: 'ping' }, returnMessage = 'pong', interval = 25000, timeout = 10000 } = options === true ? {} : options;
    if (!(interval > 0) || !(timeout > 0)) throw new RangeError('heartbeat interval and timeout must be more than 0 ms');
    this.#message = message;
    this.#returnMessage = returnMessage;
    this.#interval = interval;
    this.#timeout = timeout;
    this.#send = send;
    this.#onDead = onDead;
  }

  start() {
    this.stop();
    this.#heard = false;
    this.#ticker = setInterval(() => this.#tick(), this.#interval);
    // In Node a heartbeat alone must not keep the process alive.
    this.#ticker.unref?.();
  }

  /** Checks the link now (a page that became visible again): ping, and a dead link times out. */
  probe() {
    if (this.#ticker && !this.#deadline) this.#ping();
  }

  /** Sees every incoming message; true when it was the heartbeat's answer (not to be passed on). */
  onMessage(message) {
    const isAnswer = this.#isAnswer(message);
    if (isAnswer || this.#returnMessage === null) {
      this.#heard = true;
      clearTimeout(this.#deadline);
      this.#deadline = null;
    }
    return isAnswer;
  }

  stop() {
    clearInterval(this.#ticker);
    clearTimeout(this.#deadline);
    this.#ticker = this.#deadline = null;
  }

  #tick() {
    if (this.#deadline) return; // A ping is still waiting for its answer.
    if (this.#returnMessage === null && this.#heard) {
      this.#heard = false;
      return;
    }
    this.#ping();
  }

  #ping() {
    this.#heard = false;
    this.#send(this.#message);
    this.#deadline = setTimeout(() => {
      this.#deadline = null;
      this.#onDead(`heartbeat timeout: no answer to the ping within ${this.#timeout} ms`);
    }, this.#timeout);
    this.#deadline.unref?.();
  }

  #isAnswer(message) {
    const expected = this.#returnMessage;
    if (expected === null) return false;
    if (typeof expected === 'function') return expected(message) === true;
    return message === expected || (typeof message === 'object' && message !== null && message.type === expected);
  }
}
