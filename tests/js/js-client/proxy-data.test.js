// The application's backend deciding for the real `switchboard serve` (docs/proxy.md), seen from the JavaScript
// client: `connectData` reaches the connect call as its `data`, the answer's `data` is `client.welcomeData`, and a
// subscribe's `data` from the backend is on the `subscribed` event and `subscription.data`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, stopServer, newClient, closeAll } from './helpers.js';

const calls = [];
let backend;
let server;

before(async () => {
  backend = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      const call = JSON.parse(body);
      calls.push({ path: request.url, body: call });
      const answer = request.url === '/connect'
        ? { result: { user: 'ada', data: { name: 'Ada', theme: call.data?.theme ?? 'light' } } }
        : { result: { data: { status: 'paid', channel: call.channel } } };
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${backend.address().port}`;
  server = await startServer([
    `--Switchboard:Proxy:Connect:Url=${base}/connect`,
    `--Switchboard:Proxy:Subscribe:Url=${base}/subscribe`,
    '--Switchboard:Proxy:Subscribe:Channels:0=orders.>',
  ]);
});

after(async () => {
  closeAll();
  if (server) await stopServer(server);
  await new Promise((resolve) => backend?.close(resolve));
});

const wsUrl = () => server.url.replace('http:', 'ws:') + '/ws';

test('connectData goes to the connect call and the answer\'s data is welcomeData', async () => {
  const client = newClient(wsUrl(), { connectData: { theme: 'dark' } });
  await client.connect();
  assert.equal(client.user, 'ada');
  assert.deepEqual(client.welcomeData, { name: 'Ada', theme: 'dark' });
  assert.deepEqual(calls.find((c) => c.path === '/connect' && c.body.client === client.clientId).body.data, { theme: 'dark' });
});

test('a subscribe\'s data from the backend is on the subscribed event and the subscription; none where it does not decide', async () => {
  const client = newClient(wsUrl());
  await client.connect();
  assert.deepEqual(client.welcomeData, { name: 'Ada', theme: 'light' });
  assert.equal('data' in calls.find((c) => c.path === '/connect' && c.body.client === client.clientId).body, false);

  const order = client.subscribe('orders.1');
  const subscribed = new Promise((resolve) => order.once('subscribed', resolve));
  await order.ready();
  assert.deepEqual((await subscribed).data, { status: 'paid', channel: 'orders.1' });
  assert.deepEqual(order.data, { status: 'paid', channel: 'orders.1' });

  const chat = client.subscribe('chat.general');
  await chat.ready();
  assert.equal(chat.data, null);
});
