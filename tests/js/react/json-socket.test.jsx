// useJsonSocket() against a handler endpoint with its own JSON protocol (samples/ChatRooms, the built dll): readyState,
// onOpen, sendJsonMessage and lastJsonMessage, `filter`, one socket for every component with `share`, and the
// browser's offline/online events (jsdom's window).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import React from 'react';
import WebSocket from 'ws';
import { ReadyState, useJsonSocket } from '@switchboard/client/react';
import serve from '../plain-client/serve.js';

let sample;
let url;

beforeAll(async () => {
  sample = await serve.startSample('ChatRooms');
  url = sample.url.replace('http:', 'ws:') + '/ws';
});

afterAll(async () => {
  cleanup();
  if (sample) await serve.stopServer(sample);
});

const joinRoom = (room) => ({ send }) => { send({ type: 'join_room', room }); };

function Chat({ testId, room, options, onSocket }) {
  const { readyState, sendJsonMessage, lastJsonMessage, getWebSocket } = useJsonSocket(url, { WebSocket, onOpen: joinRoom(room), minReconnectDelay: 50, maxReconnectDelay: 200, ...options });
  onSocket?.(getWebSocket, sendJsonMessage);
  return (
    <div data-testid={testId}>
      <p data-testid={`${testId}-state`}>{readyState}</p>
      <p data-testid={`${testId}-last`}>{lastJsonMessage ? `${lastJsonMessage.type}:${lastJsonMessage.message ?? ''}` : 'none'}</p>
    </div>
  );
}

const text = (testId) => screen.getByTestId(testId).textContent;

test('useJsonSocket reports readyState, runs onOpen, sends JSON and re-renders with the last message', async () => {
  let send;
  const view = render(<Chat testId="one" room="hooks-one" onSocket={(_, s) => { send = s; }} />);
  await waitFor(() => expect(text('one-state')).toBe(String(ReadyState.OPEN)), { timeout: 20000 });
  // The room echoes a chat only to connections that joined it: the echo shows onOpen's join_room ran first.
  act(() => { send({ type: 'chat_message', room: 'hooks-one', message: 'hello' }); });
  await waitFor(() => expect(text('one-last')).toBe('chat_message:hello'), { timeout: 20000 });
  view.unmount();
});

test('sendJsonMessage before the socket exists is sent once it connects, after onOpen', async () => {
  let sent = false;
  function Early() {
    const { sendJsonMessage, lastJsonMessage } = useJsonSocket(url, { WebSocket, onOpen: joinRoom('hooks-early'), filter: (m) => m.type === 'chat_message' });
    if (!sent) {
      sent = true;
      sendJsonMessage({ type: 'chat_message', room: 'hooks-early', message: 'from the first render' });
    }
    return <p data-testid="early">{lastJsonMessage?.message ?? 'none'}</p>;
  }
  const view = render(<Early />);
  await waitFor(() => expect(text('early')).toBe('from the first render'), { timeout: 20000 });
  view.unmount();
});

test('filter keeps lastJsonMessage (and renders) to the messages it accepts', async () => {
  let send;
  let filteredRenders = 0;
  function Filtered() {
    filteredRenders++;
    const { lastJsonMessage } = useJsonSocket(url, { WebSocket, share: true, filter: (m) => m.type === 'chat_message' });
    return <p data-testid="filtered">{lastJsonMessage?.message ?? 'none'}</p>;
  }
  const view = render(
    <>
      <Chat testId="all" room="general" options={{ share: true }} onSocket={(_, s) => { send = s; }} />
      <Filtered />
    </>,
  );
  await waitFor(() => expect(text('all-state')).toBe(String(ReadyState.OPEN)), { timeout: 20000 });
  act(() => { send({ type: 'chat_message', room: 'general', message: 'kept' }); });
  await waitFor(() => expect(text('filtered')).toBe('kept'), { timeout: 20000 });
  const rendersAfterChat = filteredRenders;
  act(() => { send({ type: 'no_such_type' }); });
  await waitFor(() => expect(text('all-last')).toBe('error:Unknown message type'), { timeout: 20000 });
  expect(text('filtered')).toBe('kept');
  expect(filteredRenders).toBe(rendersAfterChat);
  view.unmount();
});

test('components with share use one socket, closed when the last of them unmounts', async () => {
  const getters = {};
  function Two({ second }) {
    return (
      <>
        <Chat testId="a" room="hooks-shared" options={{ share: true }} onSocket={(g) => { getters.a = g; }} />
        {second ? <Chat testId="b" room="hooks-shared" options={{ share: true }} onSocket={(g) => { getters.b = g; }} /> : null}
      </>
    );
  }
  const view = render(<Two second />);
  await waitFor(() => expect(text('b-state')).toBe(String(ReadyState.OPEN)), { timeout: 20000 });
  const socket = getters.a();
  expect(getters.b()).toBe(socket);
  const welcomes = [];
  socket.on('message', (m) => { if (m.type === 'room_joined') welcomes.push(m); });

  view.rerender(<Two second={false} />);
  expect(socket.state).toBe('connected');
  view.unmount();
  expect(socket.state).toBe('disconnected');

  // Without share, each component has its own socket.
  const own = {};
  const separate = render(
    <>
      <Chat testId="c" room="hooks-own" onSocket={(g) => { own.c = g; }} />
      <Chat testId="d" room="hooks-own" onSocket={(g) => { own.d = g; }} />
    </>,
  );
  await waitFor(() => expect(text('d-state')).toBe(String(ReadyState.OPEN)), { timeout: 20000 });
  expect(own.c()).not.toBe(own.d());
  separate.unmount();
});

test('the browser going offline drops the socket, and coming online reconnects it at once', async () => {
  let getSocket;
  const view = render(<Chat testId="net" room="hooks-net" options={{ minReconnectDelay: 60000, maxReconnectDelay: 60000 }} onSocket={(g) => { getSocket = g; }} />);
  await waitFor(() => expect(text('net-state')).toBe(String(ReadyState.OPEN)), { timeout: 20000 });
  const closes = [];
  getSocket().on('close', (close) => closes.push(close));
  act(() => { window.dispatchEvent(new Event('offline')); });
  await waitFor(() => expect(text('net-state')).toBe(String(ReadyState.CONNECTING)), { timeout: 20000 });
  expect(closes.map((c) => c.reason)).toEqual(['the browser went offline']);
  // The backoff is a minute: only `online` brings it back within the wait.
  act(() => { window.dispatchEvent(new Event('online')); });
  await waitFor(() => expect(text('net-state')).toBe(String(ReadyState.OPEN)), { timeout: 20000 });
  view.unmount();
});
