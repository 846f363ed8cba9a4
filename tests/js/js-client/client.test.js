// The JavaScript client against the real server: commands, reconnect, recovery, the offline buffer, idempotent
// retries, timeouts, heartbeats and close codes. One server for the file; a TCP proxy per test cuts the network.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { BufferFullError, CommandError, ConnectionError, TimeoutError } from '@switchboard/client';
import { TcpProxy } from './proxy.js';
import { api, closeAll, collect, newClient, nextState, portOf, startServer, stopServer, waitFor } from './helpers.js';

const key = 'js-client-test-key';
let server;
let directUrl;
const proxies = [];

before(async () => {
  server = await startServer([`--Switchboard:HttpApi:Key=${key}`]);
  directUrl = server.url.replace('http:', 'ws:') + '/ws';
});

afterEach(async () => {
  closeAll();
  for (const proxy of proxies.splice(0)) await proxy.close();
});

after(async () => {
  if (server) await stopServer(server);
});

async function proxy() {
  const p = await new TcpProxy(portOf(server)).start();
  proxies.push(p);
  return p;
}

test('connects, subscribes, publishes, reads history and presence, calls rpc', async () => {
  const client = newClient(directUrl);
  const states = [];
  client.on('state', (e) => states.push(e.state));
  await client.connect();
  assert.deepEqual(states, ['connecting', 'connected']);
  assert.equal(typeof client.clientId, 'string');

  const sub = client.subscribe('basic.room', { presence: true });
  const received = collect(sub);
  await sub.ready();
  const offset = await client.publish('basic.room', { text: 'hi' });
  assert.equal(offset, 1);
  await waitFor(() => received.length === 1, 'the publication');
  assert.deepEqual(received[0].data, { text: 'hi' });
  assert.equal(received[0].offset, 1);
  assert.equal(received[0].from.client, client.clientId);
  assert.equal(received[0].followsGap, false);

  const history = await client.history('basic.room', { limit: 10 });
  assert.deepEqual(history.publications.map((p) => p.data), [{ text: 'hi' }]);
  assert.equal(history.offset, 1);

  const other = newClient(directUrl);
  await other.connect();
  const joins = [];
  sub.on('join', (e) => joins.push(e));
  const otherSub = other.subscribe('basic.room');
  await otherSub.ready();
  await waitFor(() => joins.length === 1, 'the join');
  assert.equal(joins[0].client, other.clientId);
  const members = await client.presence('basic.room');
  assert.deepEqual(members.map((m) => m.client).sort(), [client.clientId, other.clientId].sort());

  const time = await client.rpc('time');
  assert.equal(typeof time, 'number');
  await assert.rejects(client.rpc('no.such.method'), (e) => e instanceof CommandError && e.code === 'not_found');
  await assert.rejects(client.publish('bad channel', 1), (e) => e instanceof CommandError && e.code === 'bad_request');
});

test('a wildcard subscription receives every matching channel', async () => {
  const client = newClient(directUrl);
  await client.connect();
  const sub = client.subscribe('wild.>');
  const received = collect(sub);
  await sub.ready();
  await client.publish('wild.a', 1);
  await client.publish('wild.b.c', 2);
  await client.publish('wilder', 3);
  await waitFor(() => received.length === 2, 'two publications');
  assert.deepEqual(received.map((p) => [p.channel, p.data]), [['wild.a', 1], ['wild.b.c', 2]]);
});

test('reconnects after a reset and recovers what was published meanwhile: no loss, no duplicate, in order', async () => {
  const net = await proxy();
  const subscriber = newClient(net.wsUrl);
  const publisher = newClient(directUrl);
  await Promise.all([subscriber.connect(), publisher.connect()]);
  const sub = subscriber.subscribe('recover.one');
  const received = collect(sub);
  await sub.ready();
  for (let i = 1; i <= 20; i++) await publisher.publish('recover.one', i);
  await waitFor(() => received.length === 20, 'the first 20');

  const reconnecting = nextState(subscriber, 'reconnecting');
  net.refuse(true);
  net.reset();
  const lost = await reconnecting;
  assert.equal(lost.code, null);
  assert.ok(lost.retryIn >= 100 && lost.retryIn <= 1000, `retryIn ${lost.retryIn} within the backoff bounds`);
  for (let i = 21; i <= 220; i++) await publisher.publish('recover.one', i);

  const resubscribed = new Promise((resolve) => sub.on('subscribed', resolve));
  net.refuse(false);
  await nextState(subscriber, 'connected');
  const event = await resubscribed;
  assert.equal(event.recovered, true);
  assert.equal(event.resubscribed, true);
  for (let i = 221; i <= 240; i++) await publisher.publish('recover.one', i);
  await waitFor(() => received.length >= 240, 'all 240');
  assert.deepEqual(received.map((p) => p.data), Array.from({ length: 240 }, (_, i) => i + 1));
  assert.ok(received.every((p) => !p.followsGap));
});

test('publishes made offline wait in the buffer and go out in order after the reconnect', async () => {
  const net = await proxy();
  const client = newClient(net.wsUrl);
  const watcher = newClient(directUrl);
  await Promise.all([client.connect(), watcher.connect()]);
  const sub = watcher.subscribe('buffer.one');
  const received = collect(sub);
  await sub.ready();

  net.refuse(true);
  net.reset();
  await nextState(client, 'reconnecting');
  const offsets = [1, 2, 3, 4, 5].map((i) => client.publish('buffer.one', i));
  net.refuse(false);
  assert.deepEqual(await Promise.all(offsets), [1, 2, 3, 4, 5]);
  await waitFor(() => received.length === 5, 'five publications');
  assert.deepEqual(received.map((p) => p.data), [1, 2, 3, 4, 5]);
});

test('the offline buffer is bounded: reject, drop-oldest', async () => {
  const net = await proxy();
  net.refuse(true);
  const rejecting = newClient(net.wsUrl, { offlineBufferSize: 2 });
  rejecting.connect().catch(() => {});
  const kept = [rejecting.publish('buffer.two', 1), rejecting.publish('buffer.two', 2)];
  await assert.rejects(rejecting.publish('buffer.two', 3), BufferFullError);

  const dropping = newClient(net.wsUrl, { offlineBufferSize: 2, offlineBufferOverflow: 'drop-oldest' });
  dropping.connect().catch(() => {});
  const first = dropping.publish('buffer.three', 'a');
  const rest = [dropping.publish('buffer.three', 'b'), dropping.publish('buffer.three', 'c')];
  await assert.rejects(first, BufferFullError);

  net.refuse(false);
  assert.deepEqual(await Promise.all(kept), [1, 2]);
  assert.deepEqual(await Promise.all(rest), [1, 2]);
  const history = await dropping.history('buffer.three');
  assert.deepEqual(history.publications.map((p) => p.data), ['b', 'c']);
});

test('a publish whose result was lost is sent again after the reconnect and published once', async () => {
  const net = await proxy();
  const client = newClient(net.wsUrl);
  await client.connect();
  net.dropReplies(true);
  const publishing = client.publish('idempotent.one', 'once');
  // The request reaches the server (its history shows it) but the result never comes back.
  const reader = newClient(directUrl);
  await reader.connect();
  await waitFor(async () => (await reader.history('idempotent.one')).publications.length === 1, 'the server to publish');
  net.dropReplies(false);
  net.reset();
  assert.equal(await publishing, 1);
  await client.publish('idempotent.one', 'next');
  const history = await reader.history('idempotent.one');
  assert.deepEqual(history.publications.map((p) => p.data), ['once', 'next']);
});

test('every request times out: on a dead link, and in the offline buffer', async () => {
  const net = await proxy();
  const client = newClient(net.wsUrl, { heartbeatTimeout: 60000 });
  await client.connect();
  net.blackhole(true);
  await assert.rejects(client.rpc('time', undefined, { timeout: 300 }), TimeoutError);
  await assert.rejects(client.history('timeout.one', { timeout: 300 }), TimeoutError);

  net.blackhole(false);
  net.refuse(true);
  net.reset();
  await nextState(client, 'reconnecting');
  await assert.rejects(client.publish('timeout.one', 1, { timeout: 300 }), TimeoutError);
  net.refuse(false);
  await nextState(client, 'connected');
  // The timed-out publish left the buffer: it is not published after the reconnect.
  assert.equal(await client.publish('timeout.one', 2), 1);
});

test('an rpc whose connection drops before its result fails: it may have run', async () => {
  const net = await proxy();
  const client = newClient(net.wsUrl);
  await client.connect();
  net.dropReplies(true);
  const call = client.rpc('time');
  await new Promise((resolve) => setTimeout(resolve, 200)); // Let it leave the socket; what follows is the cut.
  net.dropReplies(false);
  net.reset();
  await assert.rejects(call, (e) => e instanceof ConnectionError && /may have run/.test(e.message));
});

test('the heartbeat notices a dead link, and the client reconnects when it is back', async () => {
  const net = await proxy();
  const client = newClient(net.wsUrl, { heartbeatTimeout: 1500 });
  await client.connect();
  const firstId = client.clientId;
  const reconnecting = nextState(client, 'reconnecting');
  net.blackhole(true);
  const lost = await reconnecting;
  assert.match(lost.reason, /heartbeat/);
  net.blackhole(false);
  await nextState(client, 'connected');
  assert.notEqual(client.clientId, firstId);
});

test('a kick (4005) stops the client; waiting commands fail', async () => {
  const client = newClient(directUrl);
  await client.connect();
  const sub = client.subscribe('kick.counted');
  const received = collect(sub);
  await sub.ready();
  await client.publish('kick.counted', 'in and out');
  await waitFor(() => received.length === 1, 'the publication');
  const stopped = nextState(client, 'disconnected');
  const kicked = await api(server, key, 'disconnect', { client: client.clientId, reason: 'test kick' });
  assert.equal(kicked.body.disconnected, 1);
  const event = await stopped;
  assert.equal(event.code, 4005);
  assert.deepEqual(client.lastDisconnect, { code: 4005, reason: 'test kick', willReconnect: false });
  await assert.rejects(client.publish('kick.one', 1, { timeout: 300 }), TimeoutError);
  // The node counts it (the admin page reads these through the HTTP API's info).
  await waitFor(async () => (await api(server, key, 'info', {})).body.closes?.['4005'] >= 1, 'the close counted by code');
  const info = (await api(server, key, 'info', {})).body;
  assert.ok(info.messagesIn > 0 && info.messagesOut > 0, JSON.stringify(info));
});

test('a gap in a live stream is recovered, never skipped in silence', async () => {
  // Offsets follow each other within an epoch; a client that sees a jump resubscribes from the last one it delivered.
  // The proxy drops the frame that carries offset 5, as a link that lost part of the stream would.
  const net = await proxy();
  const subscriber = newClient(net.wsUrl, { batch: false });
  const publisher = newClient(directUrl);
  await Promise.all([subscriber.connect(), publisher.connect()]);
  const sub = subscriber.subscribe('gap.one');
  const received = collect(sub);
  const subscribed = [];
  sub.on('subscribed', (e) => subscribed.push(e));
  await sub.ready();
  let dropped = 0;
  net.dropServerFrames((text) => text.startsWith('{"type":"message","channel":"gap.one"') && text.includes('"offset":5,') && ++dropped > 0);
  for (let i = 1; i <= 40; i++) await publisher.publish('gap.one', i);
  await waitFor(() => received.length >= 40, 'all 40');
  assert.equal(dropped, 1);
  assert.deepEqual(received.map((p) => p.data), Array.from({ length: 40 }, (_, i) => i + 1));
  assert.equal(subscribed.at(-1).recovered, true);
  assert.equal(subscriber.state, 'connected');
});

test('after a server restart the history is gone: the subscription says so, the next publication follows a gap', async () => {
  const restartable = await startServer();
  const net = await new TcpProxy(portOf(restartable)).start();
  proxies.push(net);
  const client = newClient(net.wsUrl);
  await client.connect();
  const sub = client.subscribe('restart.one');
  const received = collect(sub);
  await sub.ready();
  await client.publish('restart.one', 'before');
  await waitFor(() => received.length === 1, 'the first');

  const reconnecting = nextState(client, 'reconnecting');
  await stopServer(restartable);
  assert.equal((await reconnecting).code, 1001);
  const next = await startServer();
  try {
    net.targetPort = portOf(next);
    const resubscribed = new Promise((resolve) => sub.on('subscribed', resolve));
    await nextState(client, 'connected');
    assert.equal((await resubscribed).recovered, false);
    await client.publish('restart.one', 'after');
    await waitFor(() => received.length === 2, 'the second');
    assert.equal(received[1].followsGap, true);
  } finally {
    closeAll();
    await stopServer(next);
  }
});
