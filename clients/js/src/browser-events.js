/**
 * Ties a client to the browser's network and page-visibility events (a no-op in Node):
 * - `offline`: drop the connection now instead of waiting for the heartbeat to notice;
 * - `online`: retry at once instead of waiting out the backoff;
 * - `visibilitychange` to visible: a tab woken from the background retries at once, or checks a connection that may
 *   have died while its timers were throttled.
 * Returns a function that removes the listeners.
 */
export function watchBrowser(client) {
  const win = globalThis.window;
  const doc = globalThis.document;
  if (!win?.addEventListener) return () => {};
  const online = () => client._wake();
  const offline = () => client._offline();
  const visibility = () => {
    if (doc?.visibilityState === 'visible') client._wake();
  };
  win.addEventListener('online', online);
  win.addEventListener('offline', offline);
  doc?.addEventListener?.('visibilitychange', visibility);
  return () => {
    win.removeEventListener('online', online);
    win.removeEventListener('offline', offline);
    doc?.removeEventListener?.('visibilitychange', visibility);
  };
}
