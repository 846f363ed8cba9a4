// Heartbeats against a server that pings every second and closes a silent client after one more: an idle client
// stays connected (it answers pings and pings a quiet server), where a plain socket that does not is closed with 4002.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { closeAll, newClient, startServer, stopServer, waitFor } from './helpers.js';

let server;
let wsUrl;
before(async () => {
  server = await startServer(['--Switchboard:PingInterval=00:00:01', '--Switchboard:PongTimeout=00:00:01']);
  wsUrl = server.url.replace('http:', 'ws:') + '/ws';
});
after(async () => {
  closeAll();
  if (server) await stopServer(server);
});

test('a silent plain socket is closed with 4002 (the settings are in force)', async () => {
  const ws = new WebSocket(wsUrl);
  const code = await new Promise((resolve) => ws.on('close', resolve));
  assert.equal(code, 4002);
});

test('an idle client stays connected across many ping intervals', async () => {
  const client = newClient(wsUrl);
  await client.connect();
  const id = client.clientId;
  const changes = [];
  client.on('state', (e) => changes.push(e.state));
  const until = Date.now() + 6000; // Six ping intervals, three times the server's patience.
  await waitFor(() => Date.now() > until, 'six ping intervals');
  assert.deepEqual(changes, []);
  assert.equal(client.clientId, id);
  assert.equal(await client.publish('heartbeat.one', 'alive'), 1);
});
