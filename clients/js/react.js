'use client';
// React bindings for @switchboard/client: for the built-in protocol a provider that owns one client, useSwitchboard(),
// useChannel() and usePresence(); for any JSON protocol useJsonSocket() (src/react-json-socket.js). React is a peer
// dependency: it is imported, never bundled. 'use client': hooks run in client components only (Next.js, RSC).
import { createContext, createElement, useCallback, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { SwitchboardClient } from './index.js';

export { useJsonSocket, ReadyState } from './src/react-json-socket.js';

const SwitchboardContext = createContext(null);

// Components that use one channel share one subscription (a client holds one per channel), counted per client.
const shared = new WeakMap();

function acquire(client, channel, presence) {
  let counts = shared.get(client);
  if (!counts) shared.set(client, (counts = new Map()));
  const entry = counts.get(channel);
  if (entry && client.getSubscription(channel) === entry.subscription) {
    entry.users++;
    return entry.subscription;
  }
  const subscription = client.subscribe(channel, { presence });
  counts.set(channel, { subscription, users: 1 });
  return subscription;
}

function release(client, channel, subscription) {
  const counts = shared.get(client);
  const entry = counts?.get(channel);
  if (!entry || entry.subscription !== subscription) return;
  if (--entry.users === 0) {
    counts.delete(channel);
    subscription.unsubscribe();
  }
}

/**
 * Gives its children one client. Pass a `client` you created, or `url` and `options` to have the provider create,
 * connect and close one (on unmount).
 */
export function SwitchboardProvider({ client: given, url, options, children }) {
  const [owned] = useState(() => (given ? null : new SwitchboardClient(url, options)));
  const client = given ?? owned;
  useEffect(() => {
    if (!owned) return undefined;
    owned.connect().catch(() => {}); // The state says it: a rejection here is not an error to throw.
    return () => owned.close();
  }, [owned]);
  return createElement(SwitchboardContext.Provider, { value: client }, children);
}

/** The provider's client and its connection state (re-rendering on every change). */
export function useSwitchboard() {
  const client = useContext(SwitchboardContext);
  if (!client) throw new Error('useSwitchboard must be used inside <SwitchboardProvider>');
  const state = useSyncExternalStore(
    (onChange) => client.on('state', onChange),
    () => client.state,
    () => client.state,
  );
  return { client, state };
}

/**
 * Subscribes to `channel` while the component is mounted (and while `channel` stays the same) and returns the latest
 * messages, oldest first: `{ messages, publications, lastMessage, subscription, error, publish }`. `messages` and
 * `publications` are the same arrays from render to render until a message arrives (safe in effect dependencies and
 * memo). Components using one channel share one subscription, unsubscribed when the last of them unmounts.
 * `options.limit` (default 100) bounds what is kept; `options.presence` subscribes with presence events.
 */
export function useChannel(channel, { limit = 100, presence = false } = {}) {
  const { client } = useSwitchboard();
  const [view, setView] = useState(emptyChannelView);
  useEffect(() => {
    if (!channel) return undefined;
    const subscription = acquire(client, channel, presence);
    setView({ ...emptyChannelView, subscription });
    const offMessage = subscription.on('message', (data, publication) => {
      setView((v) => ({
        ...v,
        publications: [...v.publications, publication].slice(-limit),
        messages: [...v.messages, data].slice(-limit),
        lastMessage: data,
      }));
    });
    const offError = subscription.on('error', (error) => setView((v) => ({ ...v, error })));
    return () => {
      offMessage();
      offError();
      release(client, channel, subscription);
    };
  }, [client, channel, limit, presence]);
  const publish = useCallback((data, options) => client.publish(channel, data, options), [client, channel]);
  return { ...view, publish };
}

const emptyChannelView = Object.freeze({ publications: [], messages: [], lastMessage: null, subscription: null, error: null });

/**
 * The clients subscribed to `channel`, kept current: `{ clients, error }`. It subscribes with presence (sharing the
 * channel's subscription with useChannel; give useChannel `presence: true` too when both run on one channel, since
 * the first subscription decides), reads the list after every (re)subscribe and applies `join`/`leave` between.
 */
export function usePresence(channel) {
  const { client } = useSwitchboard();
  const [view, setView] = useState(emptyPresenceView);
  useEffect(() => {
    if (!channel) return undefined;
    let mounted = true;
    const subscription = acquire(client, channel, true);
    setView(emptyPresenceView);
    const refresh = () => client.presence(channel).then(
      (clients) => mounted && setView({ clients, error: null }),
      (error) => mounted && setView((v) => ({ ...v, error })),
    );
    const offs = [
      subscription.on('subscribed', refresh),
      subscription.on('join', (joined) => setView((v) => (v.clients.some((c) => c.client === joined.client) ? v : { ...v, clients: [...v.clients, joined] }))),
      subscription.on('leave', (left) => setView((v) => ({ ...v, clients: v.clients.filter((c) => c.client !== left.client) }))),
      subscription.on('error', (error) => setView((v) => ({ ...v, error }))),
    ];
    if (subscription.state === 'subscribed') refresh();
    return () => {
      mounted = false;
      for (const off of offs) off();
      release(client, channel, subscription);
    };
  }, [client, channel]);
  return view;
}

const emptyPresenceView = Object.freeze({ clients: [], error: null });
