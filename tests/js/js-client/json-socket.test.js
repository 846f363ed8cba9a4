// JsonSocket against a real handler endpoint with its own JSON protocol (samples/ChatRooms, the built dll), through a
// TCP proxy that cuts, refuses and black-holes the network: the offline buffer, onOpen, close codes and heartbeat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { JsonSocket } from '@switchboard/client';
import serve from '../plain-client/serve.js';
import { TcpProxy } from './proxy.js';
import { waitFor } from './helpers.js';

let sample;
let proxy;
let directUrl;
const sockets = new Set();

before(async () => {
  sample = await serve.startSample('ChatRooms');
  directUrl = sample.url.replace('http:', 'ws:') + '/ws';
  proxy = await new TcpProxy(Number(new URL(sample.url).port)).start();
});
after(async () => {
  for (const socket of sockets) socket.close();
  await proxy?.close();
  if (sample) await serve.stopServer(sample);
});

/** A JsonSocket with test-friendly delays, closed after the suite; `received` collects its messages. */
function open(url, options = {}) {
  const socket = new JsonSocket(url, { WebSocket, minReconnectDelay: 50, maxReconnectDelay: 300, ...options });
  socket.received = [];
  socket.closes = [];
  socket.on('message', (message) => socket.received.push(message));
  socket.on('close', (close) => socket.closes.push(close));
  sockets.add(socket);
  return socket;
}

const joinOnOpen = (room, calls = []) => ({ send, reconnected }) => {
  calls.push(reconnected);
  send({ type: 'join_room', room });
};

const chatIn = (socket, room) => socket.received.filter((m) => m.type === 'chat_message' && m.room === room).map((m) => m.message);
const joinedRoom = (socket, room) => socket.received.some((m) => m.type === 'room_joined' && m.room === room);

test('messages sent while offline arrive once after the reconnect, in order, after onOpen re-joined the room', async () => {
  const room = 'offline-room';
  const observer = open(directUrl, { onOpen: joinOnOpen(room) });
  const calls = [];
  const sender = open(proxy.wsUrl, { onOpen: joinOnOpen(room, calls) });
  observer.connect();
  sender.connect();
  await waitFor(() => joinedRoom(observer, room) && joinedRoom(sender, room), 'both in the room');

  proxy.refuse(true);
  proxy.reset();
  await waitFor(() => sender.state === 'reconnecting', 'the sender to notice the cut');
  for (let i = 1; i <= 5; i++) assert.equal(sender.send({ type: 'chat_message', room, message: `offline ${i}` }), true);
  assert.equal(sender.buffered, 5);
  sender.received.length = 0;

  proxy.refuse(false);
  await waitFor(() => sender.state === 'connected', 'the reconnect');
  assert.equal(sender.buffered, 0);
  sender.send({ type: 'chat_message', room, message: 'after' });
  await waitFor(() => chatIn(observer, room).includes('after') && chatIn(sender, room).includes('after'), 'the message sent after the reconnect');

  // The server answers a chat in a room the connection has not joined with an error, so the buffered messages
  // reached the room only because onOpen's join_room went out before them, on the new connection.
  assert.deepEqual(chatIn(observer, room), ['offline 1', 'offline 2', 'offline 3', 'offline 4', 'offline 5', 'after']);
  assert.deepEqual(calls, [false, true]);
  const types = sender.received.map((m) => m.type);
  assert.ok(types.indexOf('room_joined') < types.indexOf('chat_message'), `room_joined before the echoes: ${types}`);
  assert.equal(sender.received.filter((m) => m.type === 'error').length, 0);
});

test('a close with 1008 (a refused token) stops reconnecting', async () => {
  const accepted = proxy.accepted;
  const socket = open(`${proxy.wsUrl}?token=forged`);
  const states = [];
  socket.on('state', (event) => states.push(event.state));
  socket.connect();
  await waitFor(() => socket.state === 'disconnected', 'the socket to give up');
  assert.equal(socket.lastDisconnect.code, 1008);
  assert.equal(socket.lastDisconnect.willReconnect, false);
  // Ten times the longest backoff: a retry would have connected through the proxy by now.
  const until = Date.now() + 3000;
  await waitFor(() => Date.now() > until, 'ten backoff periods');
  assert.equal(proxy.accepted - accepted, 1);
  assert.ok(!states.includes('reconnecting') && states.at(-1) === 'disconnected', `no retry: ${states}`);
  assert.equal(socket.closes.length, 1);
});

test('shouldReconnect sees the close event and maxReconnectAttempts bounds the retries', async () => {
  const seen = [];
  const socket = open(proxy.wsUrl, { maxReconnectAttempts: 2, shouldReconnect: (close) => { seen.push(close.code); return true; } });
  socket.connect();
  await waitFor(() => socket.state === 'connected', 'the first connection');
  proxy.refuse(true);
  try {
    proxy.reset();
    await waitFor(() => socket.state === 'disconnected', 'the socket to give up');
  } finally {
    proxy.refuse(false);
  }
  assert.equal(seen.length, 3, 'the loss and two failed attempts');
  assert.deepEqual(socket.closes.map((c) => c.willReconnect), [true, true, false]);

  const refusing = open(proxy.wsUrl, { shouldReconnect: () => false });
  refusing.connect();
  await waitFor(() => refusing.state === 'connected', 'the second socket');
  proxy.reset();
  await waitFor(() => refusing.state === 'disconnected', 'shouldReconnect to stop it');
  assert.equal(refusing.closes.length, 1);
});

test('the heartbeat reconnects a silent link, and keeps a live idle one', async () => {
  const room = 'heartbeat-room';
  // ChatRooms has no ping of its own: it answers {"type":"ping"} with an error, which counts as "any message".
  const socket = open(proxy.wsUrl, { heartbeat: { returnMessage: null, interval: 300, timeout: 1500 }, connectTimeout: 3000, onOpen: joinOnOpen(room) });
  socket.connect();
  await waitFor(() => socket.state === 'connected', 'the connection');
  const until = Date.now() + 2500; // Eight intervals of idleness, more than the timeout.
  await waitFor(() => Date.now() > until, 'eight heartbeat intervals');
  assert.equal(socket.closes.length, 0, 'a live idle link stays up');
  assert.ok(socket.received.some((m) => m.type === 'error' && /unknown message type/i.test(m.message)), 'the pings were answered');

  proxy.blackhole(true);
  try {
    await waitFor(() => socket.closes.length > 0, 'the heartbeat timeout');
  } finally {
    proxy.blackhole(false);
  }
  assert.match(socket.closes[0].reason, /heartbeat timeout/);
  assert.equal(socket.closes[0].willReconnect, true);
  await waitFor(() => socket.state === 'connected', 'the reconnect', 30000);
  socket.send({ type: 'chat_message', room, message: 'alive again' });
  await waitFor(() => chatIn(socket, room).includes('alive again'), 'the echo on the new connection');
});

test('with returnMessage "pong", a server that answers pings with something else is taken for dead', async () => {
  const socket = open(proxy.wsUrl, { heartbeat: { interval: 300, timeout: 600 }, maxReconnectAttempts: 0 });
  socket.connect();
  await waitFor(() => socket.state === 'disconnected', 'the heartbeat to give up');
  assert.match(socket.closes[0].reason, /heartbeat timeout/);
});

test('a full offline buffer refuses the newest message with an overflow event and keeps what it accepted', async () => {
  const room = 'overflow-room';
  const observer = open(directUrl, { onOpen: joinOnOpen(room) });
  observer.connect();
  const overflows = [];
  const sender = open(proxy.wsUrl, { offlineBufferSize: 2, onOpen: joinOnOpen(room) });
  sender.on('overflow', (event) => overflows.push(event));
  assert.equal(sender.send({ type: 'chat_message', room, message: 'one' }), true);
  assert.equal(sender.send({ type: 'chat_message', room, message: 'two' }), true);
  assert.equal(sender.send({ type: 'chat_message', room, message: 'three' }), false);
  assert.deepEqual(overflows, [{ message: { type: 'chat_message', room, message: 'three' }, policy: 'reject' }]);
  await waitFor(() => joinedRoom(observer, room), 'the observer in the room');
  sender.connect();
  await waitFor(() => chatIn(observer, room).length === 2, 'the buffered messages');
  assert.deepEqual(chatIn(observer, room), ['one', 'two']);

  const dropping = new JsonSocket(proxy.wsUrl, { WebSocket, offlineBufferSize: 2, offlineBufferOverflow: 'drop-oldest' });
  const dropped = [];
  dropping.on('overflow', (event) => dropped.push(event.message));
  for (const n of [1, 2, 3]) assert.equal(dropping.send(n), true);
  assert.deepEqual(dropped, [1]);
  assert.equal(dropping.buffered, 2);
  dropping.close();
  assert.equal(dropping.buffered, 0);
});

test('close() while reconnecting stops every retry', async () => {
  let made = 0;
  class CountingWebSocket extends WebSocket {
    constructor(...args) {
      super(...args);
      made++;
    }
  }
  const socket = open(proxy.wsUrl, { WebSocket: CountingWebSocket, heartbeat: true });
  socket.connect();
  await waitFor(() => socket.state === 'connected', 'the connection');
  proxy.refuse(true);
  try {
    proxy.reset();
    await waitFor(() => made >= 3, 'two retries');
    socket.close();
    const after = made;
    const until = Date.now() + 1500; // Five of the longest backoffs.
    await waitFor(() => Date.now() > until, 'five backoff periods');
    assert.equal(made, after);
    assert.equal(socket.state, 'disconnected');
    assert.equal(socket.lastDisconnect.willReconnect, false);
  } finally {
    proxy.refuse(false);
  }
});

test('the default heartbeat (ping, pong expected) keeps an idle link to a server that answers pong, and swallows the pongs', async () => {
  // samples/TopicManager answers {"type":"ping"} with {"type":"pong"}, as seed 003's rewrite in the docs relies on.
  const topics = await serve.startSample('TopicManager');
  try {
    const socket = open(`${topics.url.replace('http:', 'ws:')}/ws/heartbeat`, { heartbeat: { interval: 200, timeout: 1000 } });
    socket.connect();
    await waitFor(() => socket.state === 'connected', 'the connection');
    const until = Date.now() + 2000; // Ten intervals, twice the timeout.
    await waitFor(() => Date.now() > until, 'ten heartbeat intervals');
    assert.equal(socket.closes.length, 0, 'a link that answers pong stays up');
    assert.deepEqual(socket.received, [], 'the pongs are the heartbeat\'s, not messages');
    socket.send({ type: 'note' });
    await waitFor(() => socket.received.length === 1, 'the echo');
    assert.deepEqual(socket.received, [{ received: { type: 'note' } }]);
    socket.close();
  } finally {
    await serve.stopServer(topics);
  }
});
