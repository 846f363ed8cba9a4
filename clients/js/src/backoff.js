/**
 * Exponential backoff with full jitter: the wait before retry number `attempt` (0 for the first retry after a loss)
 * is a uniformly random point between `minDelay` and `min(maxDelay, minDelay * 2^(attempt + 1))`, so that the
 * clients of a restarted server do not all come back in the same millisecond. The same rule as the .NET client's
 * ReconnectPolicy, so both SDKs spread a thundering herd alike.
 */

/**
 * The range a retry's delay is drawn from.
 * @param {number} attempt retries failed since the last successful connection
 * @param {{minDelay: number, maxDelay: number}} policy milliseconds
 * @returns {[number, number]}
 */
export function backoffBounds(attempt, { minDelay, maxDelay }) {
  if (!(attempt >= 0)) throw new RangeError('attempt must be 0 or more');
  const min = Math.max(0, minDelay);
  const max = Math.max(min, maxDelay);
  // Capped exponent: 2^attempt would become Infinity after ~1000 attempts of retrying forever.
  const ceiling = Math.min(max, min * 2 ** (Math.min(attempt, 61) + 1));
  return [min, Math.max(ceiling, min)];
}

/**
 * The delay before retry number `attempt`.
 * @param {number} attempt
 * @param {{minDelay: number, maxDelay: number}} policy
 * @param {number} [random] a number in [0, 1); passed in so the computation is pure
 */
export function backoffDelay(attempt, policy, random = Math.random()) {
  const [min, max] = backoffBounds(attempt, policy);
  const jitter = Math.min(1, Math.max(0, random));
  return min + (max - min) * jitter;
}
