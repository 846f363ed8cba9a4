// The language-neutral golden vectors of protocol v1 (tests/vectors), run by the JavaScript client: it encodes every
// command exactly as the vectors say and decodes (or drops) every server message as they say. The invalid commands are
// sent to the real server over a plain WebSocket, which must answer with the vectors' error code, message and id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { decodeServerMessage, encodeCommand } from '@switchboard/client';
import { startServer, stopServer } from './helpers.js';

const vectors = (name) => JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../vectors', name), 'utf8'));
const commands = vectors('commands.json');
const serverMessages = vectors('server-messages.json');

test('valid commands: the client writes exactly the canonical bytes', () => {
  assert.ok(commands.valid.length > 0);
  for (const vector of commands.valid) assert.equal(encodeCommand(JSON.parse(vector.json)), vector.json, vector.name);
});

test('accepted variants: written back in canonical form', () => {
  for (const vector of commands.accepted) {
    const command = JSON.parse(vector.json);
    assert.equal(encodeCommand(command), vector.canonical, vector.name);
  }
});

test('server messages: decoded, and written back byte for byte', () => {
  assert.ok(serverMessages.messages.length > 0);
  for (const vector of serverMessages.messages) {
    const message = decodeServerMessage(vector.json);
    assert.ok(message, vector.name);
    assert.equal(JSON.stringify(message), vector.json, vector.name);
  }
});

test('unknown types are decoded (and then ignored); ignored messages are dropped', () => {
  for (const vector of serverMessages.unknown) assert.equal(typeof decodeServerMessage(vector.json)?.type, 'string', vector.name);
  for (const vector of serverMessages.ignored) assert.equal(decodeServerMessage(vector.json), null, vector.name);
});

let server;
before(async () => { server = await startServer(); });
after(async () => { if (server) await stopServer(server); });

test('invalid commands: the real server answers with the vectors\' code, message and id, and keeps the connection', async () => {
  const ws = new WebSocket(server.url.replace('http:', 'ws:') + '/ws');
  const inbox = [];
  let wake = null;
  ws.on('message', (data) => {
    inbox.push(JSON.parse(data.toString()));
    wake?.();
  });
  const next = async () => {
    const deadline = Date.now() + 20000;
    while (inbox.length === 0) {
      if (Date.now() > deadline) throw new Error('no answer from the server');
      await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 100); });
    }
    return inbox.shift();
  };
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  assert.equal((await next()).type, 'welcome');
  for (const vector of commands.invalid) {
    ws.send(vector.json);
    const answer = await next();
    const label = `${vector.name ?? vector.json}: ${JSON.stringify(answer)}`;
    if (vector.id === null) {
      assert.equal(answer.type, 'error', label);
      assert.equal(answer.code, vector.code, label);
      assert.equal(answer.message, vector.message, label);
    } else {
      assert.equal(answer.type, 'result', label);
      assert.deepEqual(answer.id, vector.id, label);
      assert.equal(answer.success, false, label);
      assert.equal(answer.error.code, vector.code, label);
      assert.equal(answer.error.message, vector.message, label);
    }
  }
  assert.equal(ws.readyState, WebSocket.OPEN);
  ws.close();
});
