// React bindings for @switchboard/client: a provider that owns one client, useSwitchboard() and useChannel().
// React is a peer dependency: it is imported, never bundled.
import { createContext, createElement, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { SwitchboardClient } from './index.js';

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
 * messages, oldest first: `{ messages, publications, subscription, error }`. Components using one channel share one
 * subscription, unsubscribed when the last of them unmounts. `options.limit` (default 100) bounds
 * what is kept; `options.presence` subscribes with presence events.
 */
export function useChannel(channel, { limit = 100, presence = false } = {}) {
  const { client } = useSwitchboard();
  const [view, setView] = useState({ publications: [], subscription: null, error: null });
  useEffect(() => {
    if (!channel) return undefined;
    const subscription = acquire(client, channel, presence);
    setView({ publications: [], subscription, error: null });
    const offMessage = subscription.on('message', (data, publication) => {
      setView((v) => ({ ...v, publications: [...v.publications, publication].slice(-limit) }));
    });
    const offError = subscription.on('error', (error) => setView((v) => ({ ...v, error })));
    return () => {
      offMessage();
      offError();
      release(client, channel, subscription);
    };
  }, [client, channel, limit, presence]);
  return { ...view, messages: view.publications.map((p) => p.data) };
}
