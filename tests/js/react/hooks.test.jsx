// useSwitchboard(), useChannel() and usePresence() against the real server: state from the provider, live messages,
// cleanup on unmount (the server sees the subscription and the connection end), one shared subscription per channel,
// stable arrays, publish, and a presence list that follows joins and leaves.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import React, { useEffect, useState } from 'react';
import WebSocket from 'ws';
import { SwitchboardClient } from '@switchboard/client';
import { SwitchboardProvider, useChannel, usePresence, useSwitchboard } from '@switchboard/client/react';
import serve from '../plain-client/serve.js';

let server;
let url;
let observer;

beforeAll(async () => {
  server = await serve.startServer();
  url = server.url.replace('http:', 'ws:') + '/ws';
  observer = new SwitchboardClient(url, { WebSocket });
  await observer.connect();
});

afterAll(async () => {
  cleanup();
  observer?.close();
  if (server) await serve.stopServer(server);
});

function Status({ onClient }) {
  const { client, state } = useSwitchboard();
  useEffect(() => onClient?.(client), [client, onClient]);
  return <p data-testid="state">{state}</p>;
}

function Messages({ channel, testId }) {
  const { messages } = useChannel(channel);
  return <ul data-testid={testId}>{messages.map((m, i) => <li key={i}>{m.text}</li>)}</ul>;
}

const items = (testId) => [...screen.getByTestId(testId).querySelectorAll('li')].map((li) => li.textContent);

test('useSwitchboard gives the provider\'s client and re-renders on every state change; unmount closes it', async () => {
  let client;
  const view = render(
    <SwitchboardProvider url={url} options={{ WebSocket }}>
      <Status onClient={(c) => { client = c; }} />
    </SwitchboardProvider>,
  );
  expect(['connecting', 'connected']).toContain(screen.getByTestId('state').textContent);
  await waitFor(() => expect(screen.getByTestId('state').textContent).toBe('connected'), { timeout: 20000 });
  const id = client.clientId;
  view.unmount();
  expect(client.state).toBe('disconnected');
  expect(id).toBeTypeOf('string');
});

test('useChannel renders the latest messages in order and unsubscribes on unmount', async () => {
  const client = new SwitchboardClient(url, { WebSocket });
  const view = render(
    <SwitchboardProvider client={client}>
      <Messages channel="react.room" testId="room" />
    </SwitchboardProvider>,
  );
  await act(() => client.connect());
  await waitFor(async () => expect((await observer.presence('react.room')).map((m) => m.client)).toContain(client.clientId), { timeout: 20000 });
  for (const text of ['one', 'two', 'three']) await observer.publish('react.room', { text });
  await waitFor(() => expect(items('room')).toEqual(['one', 'two', 'three']), { timeout: 20000 });

  view.unmount();
  await waitFor(async () => expect(await observer.presence('react.room')).toEqual([]), { timeout: 20000 });
  expect(client.getSubscription('react.room')).toBeNull();
  client.close();
});

test('two components on one channel share one subscription; it ends with the last of them', async () => {
  const client = new SwitchboardClient(url, { WebSocket });
  function Two({ showSecond }) {
    return (
      <SwitchboardProvider client={client}>
        <Messages channel="react.shared" testId="first" />
        {showSecond ? <Messages channel="react.shared" testId="second" /> : null}
      </SwitchboardProvider>
    );
  }
  const view = render(<Two showSecond />);
  await act(() => client.connect());
  await waitFor(async () => expect((await observer.presence('react.shared')).length).toBe(1), { timeout: 20000 });
  await observer.publish('react.shared', { text: 'both see this' });
  await waitFor(() => expect(items('second')).toEqual(['both see this']), { timeout: 20000 });
  expect(items('first')).toEqual(['both see this']);

  view.rerender(<Two showSecond={false} />);
  await observer.publish('react.shared', { text: 'still subscribed' });
  await waitFor(() => expect(items('first')).toEqual(['both see this', 'still subscribed']), { timeout: 20000 });

  view.unmount();
  await waitFor(async () => expect(await observer.presence('react.shared')).toEqual([]), { timeout: 20000 });
  client.close();
});

test('useChannel keeps messages the same array between renders until a message arrives; publish and lastMessage', async () => {
  const client = new SwitchboardClient(url, { WebSocket });
  const seen = [];
  let rerender;
  let publish;
  function Room() {
    const [, setTick] = useState(0);
    rerender = () => setTick((t) => t + 1);
    const channel = useChannel('react.stable');
    seen.push(channel.messages);
    publish = channel.publish;
    return <p data-testid="last">{channel.lastMessage?.text ?? 'none'}</p>;
  }
  const view = render(<SwitchboardProvider client={client}><Room /></SwitchboardProvider>);
  await act(() => client.connect());
  await waitFor(async () => expect((await observer.presence('react.stable')).map((m) => m.client)).toContain(client.clientId), { timeout: 20000 });

  const offset = await act(() => publish({ text: 'first' }));
  expect(offset).toBe(1);
  await waitFor(() => expect(screen.getByTestId('last').textContent).toBe('first'), { timeout: 20000 });
  const afterMessage = seen.at(-1);
  expect(afterMessage).toEqual([{ text: 'first' }]);

  const rendersBefore = seen.length;
  act(() => rerender());
  act(() => rerender());
  expect(seen.length).toBe(rendersBefore + 2);
  for (const messages of seen.slice(rendersBefore)) expect(messages).toBe(afterMessage);

  await observer.publish('react.stable', { text: 'second' });
  await waitFor(() => expect(screen.getByTestId('last').textContent).toBe('second'), { timeout: 20000 });
  expect(seen.at(-1)).not.toBe(afterMessage);
  expect(seen.at(-1)).toEqual([{ text: 'first' }, { text: 'second' }]);
  view.unmount();
  client.close();
});

test('usePresence lists the channel\'s clients and follows joins and leaves', async () => {
  const client = new SwitchboardClient(url, { WebSocket });
  function Who() {
    const { clients } = usePresence('react.presence');
    return <p data-testid="who">{clients.map((c) => c.client).sort().join(',')}</p>;
  }
  const view = render(<SwitchboardProvider client={client}><Who /></SwitchboardProvider>);
  await act(() => client.connect());
  await waitFor(() => expect(screen.getByTestId('who').textContent).toBe(client.clientId), { timeout: 20000 });

  const other = new SwitchboardClient(url, { WebSocket });
  await other.connect();
  const subscription = other.subscribe('react.presence');
  await subscription.ready();
  await waitFor(() => expect(screen.getByTestId('who').textContent).toBe([client.clientId, other.clientId].sort().join(',')), { timeout: 20000 });

  other.close();
  await waitFor(() => expect(screen.getByTestId('who').textContent).toBe(client.clientId), { timeout: 20000 });
  view.unmount();
  client.close();
});
