// useChannel's stable arrays, publish and lastMessage, and usePresence, against the real `switchboard serve`.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import React, { useState } from 'react';
import WebSocket from 'ws';
import { SwitchboardClient } from '@switchboard/client';
import { SwitchboardProvider, useChannel, usePresence } from '@switchboard/client/react';
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
