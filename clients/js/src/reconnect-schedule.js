import { backoffDelay } from './backoff.js';

/**
 * The retries of one connection owner (SwitchboardClient, JsonSocket): counts the failed attempts in a row, waits the
 * full-jitter backoff before the next one, and can run a waiting retry at once (the browser is online again).
 */
export class ReconnectSchedule {
  #policy;
  #timer = null;
  #pending = null;
  /** Failed attempts since the last successful connection. */
  failures = 0;
  /** Whether a connection succeeded since start(): a loss then is a `reconnecting`, not a `connecting`. */
  everConnected = false;

  /** @param {{ minDelay: number, maxDelay: number }} policy milliseconds */
  constructor(policy) {
    this.#policy = policy;
  }

  /** A new run (connect() after a stop): no failures, never connected. */
  start() {
    this.failures = 0;
    this.everConnected = false;
  }

  /** A connection succeeded: the count of failures in a row starts again. */
  succeeded() {
    this.failures = 0;
    this.everConnected = true;
  }

  /** The state while waiting for the next attempt. */
  get waitingState() {
    return this.everConnected ? 'reconnecting' : 'connecting';
  }

  /** Runs `attempt` after the next backoff delay; returns that delay, in ms. */
  schedule(attempt) {
    this.cancel();
    const retryIn = backoffDelay(this.failures, this.#policy);
    this.failures++;
    const run = () => {
      this.cancel();
      attempt();
    };
    this.#pending = run;
    // While the browser is offline the timer still runs (the event may lie), but `online` retries at once.
    this.#timer = setTimeout(run, retryIn);
    return retryIn;
  }

  /** Runs the waiting retry now, if there is one. */
  runNow() {
    this.#pending?.();
  }

  cancel() {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = null;
  }
}

/**
 * The `state` event for a change from `previous` to `state`, or null when nothing changed (a retry repeats its state
 * with a new `retryIn`, which is a change).
 */
export function stateEvent(previous, state, details = {}) {
  if (previous === state && details.retryIn === undefined) return null;
  return { state, previous, code: details.code ?? null, reason: details.reason ?? '', retryIn: details.retryIn ?? null };
}
