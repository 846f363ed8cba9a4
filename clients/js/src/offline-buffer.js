/**
 * JsonSocket's offline buffer: the messages sent while no connection can take them, encoded once at send(), bounded
 * in count, handed to the next connection in order. When it is full:
 * - `reject` (the default): the new message is refused: send() returns false and `overflow` names it. What the
 *   buffer holds was accepted and is never thrown away behind the caller's back, and the caller learns of the
 *   refusal at the moment it can still act on it (keep the text in the input box, show "offline").
 * - `drop-oldest`: the oldest message makes room and `overflow` names it, for streams where only the latest values
 *   matter (readings, cursor positions).
 */
export class OfflineBuffer {
  #entries = [];
  #size;
  #overflow;
  #onOverflow;

  /**
   * @param {{ size: number, overflow: 'reject'|'drop-oldest', onOverflow: (event: {message: unknown, policy: string}) => void }} options
   */
  constructor({ size, overflow, onOverflow }) {
    if (!['reject', 'drop-oldest'].includes(overflow)) throw new TypeError(`unknown offlineBufferOverflow '${overflow}': use 'reject' or 'drop-oldest'`);
    if (!(size >= 0)) throw new RangeError('offlineBufferSize must be a number of 0 or more');
    this.#size = size;
    this.#overflow = overflow;
    this.#onOverflow = onOverflow;
  }

  get length() {
    return this.#entries.length;
  }

  /** Holds `text` (the encoded `message`); false when the policy refused it. */
  push(text, message) {
    if (this.#entries.length >= this.#size) {
      if (this.#overflow === 'reject' || this.#size === 0) {
        this.#onOverflow({ message, policy: this.#overflow });
        return false;
      }
      const dropped = this.#entries.shift();
      this.#onOverflow({ message: dropped.message, policy: this.#overflow });
    }
    this.#entries.push({ text, message });
    return true;
  }

  /** Writes the held messages in order while `write` succeeds; what it could not take stays, in order. */
  drain(write) {
    let sent = 0;
    while (sent < this.#entries.length && write(this.#entries[sent].text)) sent++;
    this.#entries.splice(0, sent);
    return sent;
  }

  clear() {
    this.#entries = [];
  }
}
