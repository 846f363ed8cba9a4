// The client's pure parts, and that the package packs with what it needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { backoffBounds, backoffDelay, matches, shouldReconnect, SwitchboardClient } from '@switchboard/client';

test('backoff: full jitter under a ceiling that doubles per attempt up to the maximum', () => {
  const policy = { minDelay: 500, maxDelay: 20000 };
  assert.deepEqual(backoffBounds(0, policy), [500, 1000]);
  assert.deepEqual(backoffBounds(1, policy), [500, 2000]);
  assert.deepEqual(backoffBounds(4, policy), [500, 16000]);
  assert.deepEqual(backoffBounds(5, policy), [500, 20000]);
  assert.deepEqual(backoffBounds(5000, policy), [500, 20000]);
  assert.equal(backoffDelay(3, policy, 0), 500);
  assert.equal(backoffDelay(3, policy, 0.5), 4250);
  assert.equal(backoffDelay(3, policy, 1), 8000);
  assert.throws(() => backoffBounds(-1, policy), RangeError);
});

test('close codes: reconnect unless normal, a protocol violation, failed auth, rate-limit abuse or a kick', () => {
  for (const code of [null, undefined, 1001, 1011, 1013, 4001, 4002, 4003, 4999]) assert.equal(shouldReconnect(code), true, String(code));
  for (const code of [1000, 1003, 1008, 1009, 4004, 4005]) assert.equal(shouldReconnect(code), false, String(code));
});

test('wildcard patterns match as the protocol says', () => {
  assert.equal(matches('order.*', 'order.created'), true);
  assert.equal(matches('order.*', 'order.created.eu'), false);
  assert.equal(matches('sensors.>', 'sensors.a'), true);
  assert.equal(matches('sensors.>', 'sensors.a.b'), true);
  assert.equal(matches('sensors.>', 'sensors'), false);
  assert.equal(matches('a.b', 'a.b'), true);
});

test('without a WebSocket constructor (Node 20 has none) the client says what to pass', () => {
  assert.throws(() => new SwitchboardClient('ws://127.0.0.1:1/ws', { WebSocket: undefined }), /pass one/);
});

test('npm pack includes the module, its types and the React hooks', () => {
  const dir = path.resolve(import.meta.dirname, '../../../clients/js');
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }));
  const files = packed.files.map((f) => f.path);
  for (const file of ['index.js', 'index.d.ts', 'react.js', 'react.d.ts', 'src/client.js', 'package.json']) assert.ok(files.includes(file), `${file} in ${files}`);
  assert.equal(packed.name, '@switchboard/client');
});

test('both React modules start with the \'use client\' directive (React Server Components keep them client-side)', async () => {
  const { readFile } = await import('node:fs/promises');
  const root = path.dirname(new URL(import.meta.resolve('@switchboard/client/package.json')).pathname);
  for (const file of ['react.js', 'src/react-json-socket.js']) {
    const text = await readFile(path.join(root, file), 'utf8');
    // A directive only counts as the first statement: nothing but comments and whitespace may precede it.
    assert.match(text, /^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*'use client';/, `${file} does not start with 'use client'`);
  }
});
