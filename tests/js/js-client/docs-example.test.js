// The Node example in docs/clients/javascript.md runs as printed against the real server (only the URL is changed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { startServer, stopServer } from './helpers.js';

let server;
before(async () => { server = await startServer(); });
after(async () => { if (server) await stopServer(server); });

test('the Node example of docs/clients/javascript.md runs', async () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/clients/javascript.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Node'));
  const code = /```js\n([\s\S]*?)```/.exec(section)[1];
  const file = path.join(import.meta.dirname, '.docs-example.mjs'); // Here, so that its imports resolve from node_modules.
  fs.writeFileSync(file, code.replaceAll('ws://localhost:8000/ws', server.url.replace('http:', 'ws:') + '/ws'));
  try {
    const output = await new Promise((resolve, reject) => {
      execFile('node', [file], { timeout: 60000, env: { ...process.env, SWITCHBOARD_TOKEN: '' } }, (error, stdout, stderr) => (error ? reject(new Error(`${stderr}\n${stdout}`)) : resolve(stdout)));
    });
    assert.match(output, /state: disconnected -> connecting/);
    assert.match(output, /published at offset 1/);
    assert.match(output, /orders\.created #1 \{ id: 42 \}/);
    assert.match(output, /history: 1/);
    assert.match(output, /server time: \d+/);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
