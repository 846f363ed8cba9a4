import { TimeoutError } from './errors.js';

/** A publication as handed to the application, from its `message` wire form. */
export function toPublication(message, followsGap = false) {
  return {
    channel: message.channel,
    data: message.data,
    offset: message.offset ?? null,
    epoch: message.epoch ?? null,
    ts: message.ts ?? null,
    from: message.from ?? null,
    followsGap,
  };
}

/** A fresh idempotency key for a publish (at most 64 characters, as the protocol allows). */
export function newKey() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/** Rejects with a TimeoutError when `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
