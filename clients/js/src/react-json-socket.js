'use client';
// useJsonSocket(): react-use-websocket's useWebSocket shape (readyState, sendJsonMessage, lastJsonMessage,
// shouldReconnect, share, filter) on JsonSocket, so a React app on a handler endpoint gets backoff with jitter, an
// offline buffer, onOpen and a heartbeat without changing how it reads.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { JsonSocket } from './json-socket.js';
import { shouldReconnect as reconnectsFrom } from './close-codes.js';

/** react-use-websocket's ReadyState numbers: the socket's readyState, and UNINSTANTIATED before there is one. */
export const ReadyState = Object.freeze({ UNINSTANTIATED: -1, CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });

// With `share`, one socket per url for every component that asks, closed when the last of them unmounts.
const sharedSockets = new Map();

function acquireSocket(url, create) {
  let entry = sharedSockets.get(url);
  if (!entry) {
    entry = { socket: create(), users: 0 };
    sharedSockets.set(url, entry);
    entry.socket.connect();
  }
  entry.users++;
  return entry.socket;
}

function releaseSocket(url, socket) {
  const entry = sharedSockets.get(url);
  if (!entry || entry.socket !== socket) return;
  if (--entry.users === 0) {
    sharedSockets.delete(url);
    socket.close();
  }
}

const noSubscription = () => () => {};

/**
 * A JsonSocket to `url` while the component is mounted and `connect` is true (a null url waits):
 * `{ readyState, sendJsonMessage, lastJsonMessage, getWebSocket }`. The callbacks in `options` (`shouldReconnect`,
 * `onOpen`, `onMessage`, `onClose`, `filter`) are read when they run, so passing new functions on every render does
 * not reconnect; changing `url`, `connect` or `share` does. `reconnectAttempts` is JsonSocket's `maxReconnectAttempts`;
 * the other options are JsonSocket's, read when the socket is made (with `share`, by the first component).
 */
export function useJsonSocket(url, options = {}, connect = true) {
  const latest = useRef(options);
  latest.current = options;
  const [socket, setSocket] = useState(null);
  const [lastJsonMessage, setLastJsonMessage] = useState(null);
  const socketRef = useRef(null);
  // Sent before the effect made the socket (during the first render or an event in between): handed over to it.
  const early = useRef([]);
  const share = options.share === true;

  useEffect(() => {
    if (!url || !connect) return undefined;
    const create = () => {
      const { share: _share, filter: _filter, onMessage: _onMessage, onClose: _onClose, reconnectAttempts, ...rest } = latest.current;
      return new JsonSocket(url, {
        ...rest,
        maxReconnectAttempts: reconnectAttempts ?? rest.maxReconnectAttempts ?? Infinity,
        shouldReconnect: (close) => (latest.current.shouldReconnect ?? ((c) => reconnectsFrom(c.code)))(close),
        onOpen: (context) => latest.current.onOpen?.(context),
      });
    };
    const current = share ? acquireSocket(url, create) : create();
    const offMessage = current.on('message', (message) => {
      latest.current.onMessage?.(message);
      const filter = latest.current.filter;
      if (!filter || filter(message)) setLastJsonMessage(message);
    });
    const offClose = current.on('close', (close) => latest.current.onClose?.(close));
    for (const message of early.current.splice(0)) current.send(message);
    if (!share) current.connect();
    socketRef.current = current;
    setSocket(current);
    return () => {
      offMessage();
      offClose();
      socketRef.current = null;
      setSocket(null);
      if (share) releaseSocket(url, current);
      else current.close();
    };
  }, [url, connect, share]);

  const subscribe = useCallback((onChange) => (socket ? socket.on('state', onChange) : noSubscription()), [socket]);
  const readyState = useSyncExternalStore(
    subscribe,
    () => (socket ? socket.readyState : ReadyState.UNINSTANTIATED),
    () => ReadyState.UNINSTANTIATED,
  );

  const sendJsonMessage = useCallback((message) => {
    const current = socketRef.current;
    if (current) return current.send(message);
    // Bounded like the socket's own buffer, which these join when it exists.
    if (early.current.length >= (latest.current.offlineBufferSize ?? 100)) return false;
    early.current.push(message);
    return true;
  }, []);
  const getWebSocket = useCallback(() => socketRef.current, []);

  return { readyState, sendJsonMessage, lastJsonMessage, getWebSocket };
}
