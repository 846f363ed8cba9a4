'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, stopServer } = require('./serve');
const { PlainClient } = require('./client');

let server;
let wsUrl;

before(async () => {
  server = await startServer();
  wsUrl = server.url.replace('http:', 'ws:') + '/ws';
});

after(async () => { if (server) await stopServer(server); });

test('serve warns that it runs in open development mode', () => {
  assert.match(server.output(), /open development mode/);
});

test('a plain ws client subscribes and receives what another publishes', async () => {
  const alice = await PlainClient.connect(wsUrl);
  const bob = await PlainClient.connect(wsUrl);
  assert.equal(alice.welcome.version, 1);

  const sub = await alice.command({ type: 'subscribe', channel: 'chat.general' });
  assert.equal(sub.success, true);
  assert.equal(sub.result.channel, 'chat.general');

  const pub = await bob.command({ type: 'publish', channel: 'chat.general', data: { text: 'hello from node' } });
  assert.equal(pub.success, true);

  const message = await alice.next((m) => m.type === 'message');
  assert.equal(message.channel, 'chat.general');
  assert.deepEqual(message.data, { text: 'hello from node' });
  assert.equal(message.offset, pub.result.offset);
  assert.equal(message.from.client, bob.welcome.client);
  await alice.close();
  await bob.close();
});

test('wildcards, rpc, errors and batching work as docs/protocol.md says', async () => {
  const client = await PlainClient.connect(wsUrl + '?batch=1');
  await client.command({ type: 'subscribe', channel: 'sensors.>' });
  await client.command({ type: 'publish', channel: 'sensors.basement.wall', data: 21.5 });
  const reading = await client.next((m) => m.type === 'message');
  assert.equal(reading.channel, 'sensors.basement.wall');

  const time = await client.command({ type: 'rpc', method: 'time' });
  assert.equal(time.success, true);
  assert.equal(typeof time.result, 'number');

  const unknown = await client.command({ type: 'rpc', method: 'nope' });
  assert.deepEqual(unknown.error.code, 'not_found');

  client.ws.send('{oops');
  const error = await client.next((m) => m.type === 'error');
  assert.equal(error.code, 'bad_request');

  client.send({ type: 'ping', id: 'p1' });
  const pong = await client.next((m) => m.type === 'pong' || m.type === 'result');
  assert.deepEqual(pong, { type: 'pong', id: 'p1' });
  await client.close();
});

test('the test page is served at /', async () => {
  const response = await fetch(server.url + '/');
  assert.equal(response.status, 200);
  assert.match(await response.text(), /<title>Switchboard<\/title>/);
});

test('Ctrl+C (SIGINT) closes every client with 1001 and exits cleanly', async () => {
  const own = await startServer();
  const url = own.url.replace('http:', 'ws:') + '/ws';
  const clients = await Promise.all([1, 2, 3].map(() => PlainClient.connect(url)));
  const exitCode = await stopServer(own, 'SIGINT');
  const closes = await Promise.all(clients.map((c) => c.closed));
  for (const close of closes) assert.equal(close.code, 1001);
  assert.equal(exitCode, 0);
});

test('a connection flood past the open-file limit is refused with 503 and the server keeps serving', async () => {
  // Without a cap below the file limit the .NET process dies ("Out of memory.") when it next needs to open a file.
  const own = await startServer([], { fileLimit: 600 });
  const url = own.url.replace('http:', 'ws:') + '/ws';
  try {
    // In waves of 25, so that the refusals come from the limit on open WebSockets, not from a burst of handshakes.
    const attempts = [];
    for (let wave = 0; wave < 18; wave++) {
      attempts.push(...await Promise.allSettled(Array.from({ length: 25 }, () => PlainClient.connect(url))));
    }
    const opened = attempts.filter((a) => a.status === 'fulfilled').map((a) => a.value);
    const refused = attempts.filter((a) => a.status === 'rejected');
    assert.ok(opened.length >= 100, `only ${opened.length} connections opened: ${refused.slice(0, 3).map((r) => r.reason).join('; ')}`);
    assert.ok(refused.length > 0, 'expected some connections to be refused');
    // Over the limit on open WebSockets: HTTP 503 (with Retry-After), the HTTP form of close 1013.
    for (const failure of refused) assert.match(String(failure.reason), /503/);
    assert.equal(own.process.exitCode, null, 'the server must still be running');

    // The admitted clients still work, and once some leave, newcomers are admitted again.
    const [first, second] = opened;
    await first.command({ type: 'subscribe', channel: 'after.flood' });
    await second.command({ type: 'publish', channel: 'after.flood', data: 'still here' });
    assert.equal((await first.next((m) => m.type === 'message')).data, 'still here');
    await Promise.all(opened.slice(2).map((c) => c.close()));
    const newcomer = await PlainClient.connect(url);
    assert.equal(newcomer.welcome.version, 1);
    await Promise.all([first.close(), second.close(), newcomer.close()]);
  } finally {
    await stopServer(own);
  }
});
