// Tokens against the real secured server: a token function called on every (re)connect and before expiry, refresh on
// the same connection, 4001 and reconnect with a fresh token, 1008 stopping the client.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError } from '@switchboard/client';
import { closeAll, collect, mintToken, newClient, nextState, startServer, stopServer, waitFor } from './helpers.js';

const secret = 'js-client-token-test-secret-0123456789abcdef';
let server;
let wsUrl;
let tokens;

before(async () => {
  [server, tokens] = await Promise.all([
    startServer([`--Switchboard:Auth:Secret=${secret}`, '--Switchboard:Auth:TokenExpiringAhead=00:00:02', '--Switchboard:Auth:ClockSkew=00:00:00']),
    Promise.all([
      mintToken(secret, 'ada', '1h'),
      mintToken('another-secret-that-is-long-enough-0123456789', 'mallory', '1h'),
    ]),
  ]);
  wsUrl = server.url.replace('http:', 'ws:') + '/ws';
});

afterEach(() => closeAll());

after(async () => {
  if (server) await stopServer(server);
});

test('a token string authenticates the connection as its user', async () => {
  const client = newClient(wsUrl, { token: tokens[0] });
  await client.connect();
  assert.equal(client.user, 'ada');
});

test('a refused token (1008) stops the client: connect rejects, nothing reconnects', async () => {
  let calls = 0;
  const client = newClient(wsUrl, { token: async () => { calls++; return tokens[1]; } });
  await assert.rejects(client.connect(), (e) => e instanceof ConnectionError && e.code === 1008);
  assert.equal(client.state, 'disconnected');
  assert.equal(client.lastDisconnect.willReconnect, false);
  assert.equal(calls, 1);
});

test('token_expiring leads to a refresh on the same connection, which outlives the first token', async () => {
  const short = await mintToken(secret, 'ada', '3s');
  const expires = Date.now() + 3000;
  let calls = 0;
  const client = newClient(wsUrl, { token: async () => (++calls === 1 ? short : tokens[0]) });
  await client.connect();
  const id = client.clientId;
  const states = [];
  client.on('state', (e) => states.push(e.state));
  await waitFor(() => calls === 2, 'the token function to be asked again before expiry');
  // Past the first token's exp (the server's clock skew is 0): the connection is still the same one.
  await waitFor(() => Date.now() > expires + 1500, 'the first token to expire');
  assert.equal(await client.publish('tokens.one', 'still here'), 1);
  assert.equal(client.clientId, id);
  assert.deepEqual(states, []);
});

test('a failed refresh ends in 4001, a reconnect with a fresh token, and recovery of what was missed', async () => {
  const short = await mintToken(secret, 'ada', '3s');
  let calls = 0;
  const client = newClient(wsUrl, {
    token: async () => {
      calls++;
      if (calls === 1) return short;
      if (calls === 2) throw new Error('the identity provider is down');
      return tokens[0];
    },
  });
  const publisher = newClient(wsUrl, { token: tokens[0] });
  await Promise.all([client.connect(), publisher.connect()]);
  const sub = client.subscribe('tokens.two');
  const received = collect(sub);
  await sub.ready();
  const reconnecting = nextState(client, 'reconnecting');
  await publisher.publish('tokens.two', 1);
  const lost = await reconnecting;
  assert.equal(lost.code, 4001);
  await publisher.publish('tokens.two', 2);
  await nextState(client, 'connected');
  await publisher.publish('tokens.two', 3);
  await waitFor(() => received.length === 3, 'three publications');
  assert.deepEqual(received.map((p) => p.data), [1, 2, 3]);
  assert.equal(calls, 3);
});
