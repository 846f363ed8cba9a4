// What the client tests share: the real server (from the plain-client suite's launcher), clients, and waiting.
import WebSocket from 'ws';
import { SwitchboardClient } from '@switchboard/client';
import serve from '../plain-client/serve.js';

export const { startServer, stopServer } = serve;

export const portOf = (server) => Number(new URL(server.url).port);

/** A client with test-friendly delays; closed by `closeAll`. */
const open = new Set();
export function newClient(url, options = {}) {
  const client = new SwitchboardClient(url, { WebSocket, minReconnectDelay: 100, maxReconnectDelay: 1000, ...options });
  open.add(client);
  return client;
}

export function closeAll() {
  for (const client of open) client.close();
  open.clear();
}

/** Resolves when `predicate()` holds, polling; fails after `timeout` ms with `what`. */
export async function waitFor(predicate, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves with the next `state` event whose state is `state`. */
export function nextState(client, state, timeout = 20000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out waiting for state ${state}`)); }, timeout);
    const off = client.on('state', (event) => {
      if (event.state === state) {
        clearTimeout(timer);
        off();
        resolve(event);
      }
    });
  });
}

/** Collects a subscription's publications. */
export function collect(subscription) {
  const received = [];
  subscription.on('message', (data, publication) => received.push(publication));
  return received;
}

/** POSTs to the server's HTTP API. */
export async function api(server, key, endpoint, body) {
  const response = await fetch(`${server.url}/api/${endpoint}`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Mints an HS256 token with the real `switchboard token` command. */
export async function mintToken(secret, user, ttl) {
  const { execFile } = await import('node:child_process');
  const path = await import('node:path');
  const fs = await import('node:fs');
  const root = process.env.SWITCHBOARD_ROOT || path.resolve(import.meta.dirname, '../../..');
  const dll = ['Release', 'Debug'].map((c) => path.join(root, 'src/Switchboard/bin', c, 'net10.0/switchboard.dll')).find((f) => fs.existsSync(f));
  return new Promise((resolve, reject) => {
    execFile('dotnet', [dll, 'token', '--user', user, '--ttl', ttl, `--Switchboard:Auth:Secret=${secret}`], { cwd: root }, (error, stdout, stderr) => {
      if (error) reject(new Error(`switchboard token failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}
