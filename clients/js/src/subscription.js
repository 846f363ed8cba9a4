import { Emitter } from './emitter.js';
import { toPublication } from './publication.js';

/**
 * A subscription to a channel or a wildcard pattern that survives reconnects. After each reconnect (and whenever the
 * server reports a gap, or the stream's offsets jump) the client subscribes again with `since` = the last position
 * it delivered; the server sends what was missed first, and anything at or before that position is dropped here, so
 * `message` listeners see each publication once, in offset order. When the server cannot recover, `subscribed` says
 * `recovered: false` and the next publication has `followsGap: true`: reload state (e.g. with `client.history`).
 *
 * Events: `message` (data, publication), `join` / `leave` (presence client, with `presence: true`), `subscribed`
 * ({ recovered, resubscribed, offset, epoch, missed, data }: `data` is what the application's backend sent with the
 * result, docs/proxy.md), `error` (a CommandError when the server refused), `unsubscribed`.
 */
export class Subscription extends Emitter {
  #client;
  #position;
  #gapPending = false;
  #held = [];
  #wildcardPositions = new Map();
  #everSubscribed = false;
  #ready;
  #readyResolve;
  #readyReject;

  /** @internal */
  constructor(client, channel, options = {}) {
    super();
    this.#client = client;
    /** The channel or pattern. */
    this.channel = channel;
    /** Whether this is a wildcard pattern (no recovery across reconnects: the protocol keeps no history for patterns). */
    this.isWildcard = /(^|\.)(\*|>)(\.|$)/.test(channel);
    this.#position = options.since ? { offset: options.since.offset, epoch: options.since.epoch } : null;
    /** @internal */
    this.wantsPresence = options.presence === true;
    /** @internal Set while a resubscribe to heal a gap is in flight: live publications wait for its result. */
    this.healing = false;
    /** The outcome of the last resubscribe (or of a subscribe with `since`); null before any. */
    this.recovered = null;
    /** 'subscribing' | 'subscribed' | 'unsubscribed' */
    this.state = 'subscribing';
    /** The application backend's `data` from the last subscribe result (docs/proxy.md); null when none. */
    this.data = null;
    this.#ready = new Promise((resolve, reject) => {
      this.#readyResolve = resolve;
      this.#readyReject = reject;
    });
    this.#ready.catch(() => {}); // Nobody has to wait for it: a refusal is also reported as `error`.
  }

  /** The position of the last publication delivered (or of the channel's end when subscribed); null for patterns. */
  get position() {
    return this.isWildcard || !this.#position ? null : { ...this.#position };
  }

  /** Resolves once the server confirmed the first subscribe; rejects with its CommandError or on unsubscribe first. */
  ready() {
    return this.#ready;
  }

  /** Unsubscribes. Publications already received have been delivered. */
  unsubscribe() {
    this.#client._removeSubscription(this);
  }

  /** @internal The `since` to send, if any. */
  sinceForSubscribe() {
    return this.isWildcard || !this.#position ? null : { offset: this.#position.offset, epoch: this.#position.epoch };
  }

  /** @internal A successful subscribe result. */
  onSubscribed(result, sentSince) {
    const resubscribed = this.#everSubscribed;
    this.#everSubscribed = true;
    this.state = 'subscribed';
    this.healing = false;
    this.data = result.data ?? null;
    let recovered = null;
    let missed = 0;
    if (this.isWildcard) {
      if (resubscribed) {
        recovered = false;
        this.#gapPending = true;
      }
    } else {
      const end = { offset: result.offset ?? 0, epoch: result.epoch ?? '' };
      const current = this.#position;
      if (!sentSince) {
        // Live publications handled before this result (same frame batch) may already be past its position.
        if (!current || current.epoch !== end.epoch || current.offset < end.offset) this.#position = end;
      } else if (result.recovered === true) {
        recovered = true;
        for (const publication of result.publications ?? []) {
          if (this.#deliver(publication)) missed++;
        }
        const latest = this.#position;
        if (!latest || latest.epoch !== end.epoch || latest.offset < end.offset) this.#position = end;
      } else {
        recovered = false;
        this.#position = end;
        this.#gapPending = true;
      }
    }
    if (recovered !== null) this.recovered = recovered;
    this.#readyResolve();
    this.emit('subscribed', { recovered, resubscribed, offset: this.#position?.offset ?? null, epoch: this.#position?.epoch ?? null, missed, data: this.data });
  }

  /** @internal The server refused the subscribe. */
  onRefused(error) {
    this.state = 'unsubscribed';
    this.#readyReject(error);
    this.emit('error', error);
    this.emit('unsubscribed', { error });
  }

  /** @internal Unsubscribed by the application or the client's close. */
  onEnded(reason = 'unsubscribed') {
    if (this.state === 'unsubscribed') return;
    this.state = 'unsubscribed';
    this.#readyReject(new Error(reason));
    this.emit('unsubscribed', { reason });
  }

  /**
   * @internal A live publication. Returns 'gap' when its offset shows that something is missing (the connection
   * dropped messages, or the server said so): the client then resubscribes from the last delivered position, which
   * recovers the missing ones (or reports that it cannot) instead of skipping them in silence.
   */
  onPublication(message) {
    if (this.healing) {
      // Held, not dropped: frames that arrive together are handled before the resubscribe's result is (a promise),
      // so live publications after the result may already be here. takeHeld() replays them once the result is in.
      this.#held.push(message);
      return 'ok';
    }
    if (!this.isWildcard && this.#position && typeof message.offset === 'number') {
      const last = this.#position;
      if (last.epoch === message.epoch && message.offset > last.offset + 1) return 'gap';
      if (last.epoch !== message.epoch && last.epoch !== '' && last.offset > 0) return 'gap';
    }
    this.#deliver(message);
    return 'ok';
  }

  /** @internal The live publications held while a resubscribe was in flight, oldest first; the hold is emptied. */
  takeHeld() {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  /** @internal The connection is gone: no resubscribe is in flight, and what was held belongs to the old one. */
  stopHealing() {
    this.healing = false;
    this.#held = [];
  }

  /** @internal A publication without offset (a server send to this channel): at most once, outside the stream. */
  onDirect(message) {
    this.emit('message', message.data, toPublication(message));
  }

  /** @internal */
  onPresence(type, message) {
    this.emit(type, { client: message.client, user: message.user ?? null, info: message.info ?? {} });
  }

  /** @internal Marks that what comes next follows a gap nothing could recover (e.g. a pattern's stream jumped). */
  markGap() {
    this.#gapPending = true;
    this.recovered = false;
  }

  #deliver(message) {
    const offset = message.offset;
    const epoch = message.epoch;
    if (!this.isWildcard) {
      const last = this.#position;
      // At or before the last delivered one of the same stream: delivered already (a recovery overlapping live
      // delivery, or the copy the server sends for an overlapping pattern subscription). Offsets only grow in an epoch.
      if (last && last.epoch === epoch && offset <= last.offset) return false;
      this.#position = { offset, epoch };
    } else {
      const last = this.#wildcardPositions.get(message.channel);
      if (last && last.epoch === epoch && offset <= last.offset) return false;
      if (last && (last.epoch !== epoch || offset > last.offset + 1)) this.#gapPending = true;
      this.#wildcardPositions.set(message.channel, { offset, epoch });
    }
    const followsGap = this.#gapPending;
    this.#gapPending = false;
    this.emit('message', message.data, toPublication(message, followsGap));
    return true;
  }
}
