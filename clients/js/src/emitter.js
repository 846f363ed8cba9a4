/**
 * A minimal event emitter that works the same in browsers and Node (no dependency on node:events). A listener that
 * throws is reported on the `onListenerError` hook instead of breaking the client's receive path.
 */
export class Emitter {
  #listeners = new Map();

  /** Adds a listener; returns a function that removes it. */
  on(event, listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Adds a listener called at most once. */
  once(event, listener) {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off(event, listener) {
    this.#listeners.get(event)?.delete(listener);
  }

  /** @protected */
  emit(event, ...args) {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        // An application's listener must not break delivery to the others; surface it asynchronously, as an
        // uncaught error, where the application's own error reporting sees it.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
