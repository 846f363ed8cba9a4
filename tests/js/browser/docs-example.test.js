// The plain-page example of docs/clients/javascript.md, as printed (only the server's URL changed), served next to a
// copy of clients/js by a static file server, in two browsers that chat through the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { assertNoProblems, startPages } from './browser.js';

const repo = path.resolve(import.meta.dirname, '../../..');
const site = path.join(import.meta.dirname, '.plain-page');
let env;
let web;

before(async () => {
  env = await startPages();
  fs.rmSync(site, { recursive: true, force: true });
  fs.cpSync(path.join(repo, 'clients/js'), path.join(site, 'switchboard'), { recursive: true });
  const doc = fs.readFileSync(path.join(repo, 'docs/clients/javascript.md'), 'utf8');
  const html = /```html\n([\s\S]*?)```/.exec(doc.slice(doc.indexOf('## A plain page')))[1];
  fs.writeFileSync(path.join(site, 'chat.html'), html.replaceAll('ws://localhost:8000/ws', env.server.url.replace('http:', 'ws:') + '/ws'));
  const types = { '.html': 'text/html', '.js': 'text/javascript' };
  web = http.createServer((request, response) => {
    if (request.url === '/favicon.ico') {
      response.writeHead(204).end(); // What any web server hosting the page would have; the example has no icon.
      return;
    }
    const file = path.join(site, decodeURIComponent(new URL(request.url, 'http://x').pathname));
    if (!file.startsWith(site) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => web.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await new Promise((resolve) => web?.close(resolve));
  await env?.stop();
  fs.rmSync(site, { recursive: true, force: true });
});

test('the plain-page example chats between two browsers', async () => {
  const base = `http://127.0.0.1:${web.address().port}`;
  const [one, two] = [await env.open('/chat.html', base), await env.open('/chat.html', base)];
  for (const page of [one, two]) await page.waitForFunction(() => document.getElementById('state').textContent === 'connected');
  // Both subscriptions are in place on the server before the first message.
  for (let members = 0; members < 2;) {
    const response = await fetch(`${env.server.url}/api/presence`, { method: 'POST', headers: { 'X-API-Key': env.key }, body: '{"channel":"chat.general"}' });
    members = (await response.json()).clients.length;
    if (members < 2) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await one.fill('#text', 'hello from the docs');
  await one.click('button');
  for (const page of [one, two]) await page.waitForFunction(() => document.querySelector('#messages li')?.textContent === 'hello from the docs');
  assert.equal(await two.$$eval('#messages li', (items) => items.length), 1);
  assertNoProblems(one);
  assertNoProblems(two);
});
