// /admin in real headless Chromium: refused without the API key, live charts, channels, closes and errors with it;
// not served in Production.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoProblems, publish, say, screenshot, startPages, texts } from './browser.js';
import serve from '../plain-client/serve.js';

let env;
before(async () => { env = await startPages(); });
after(async () => { await env?.stop(); });
const open = (url, base) => env.open(url, base);

test('admin: refuses without the key, then shows live charts, channels, closes and errors with it', async () => {
  const page = await open('/admin');
  assert.equal(await page.isVisible('#dashboard'), false);
  await page.fill('#key', 'wrong-key');
  await page.click('#login button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#loginError').textContent === 'The key was refused.');
  assert.equal(await page.isVisible('#dashboard'), false);
  const refused = await fetch(`${env.server.url}/api/info`, { method: 'POST' });
  assert.equal(refused.status, 401);

  await page.fill('#key', env.key);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#dashboard', { state: 'visible' });

  // Traffic while the page watches: a chat page publishing, and a bad command for the error list.
  const chat = await open('/chat?room=watched');
  await chat.waitForSelector('#indicator[data-state="connected"]');
  const before = await page.$eval('#inChart canvas', (canvas) => canvas.toDataURL());
  for (let i = 0; i < 5; i++) await say(chat, `busy ${i}`);
  await chat.evaluate(() => new Promise((resolve) => {
    const ws = new WebSocket(`ws://${location.host}/ws`);
    ws.onmessage = (event) => {
      if (JSON.parse(event.data).type !== 'welcome') return;
      ws.send('{"type":"publish","channel":"bad channel","data":1}');
      setTimeout(() => { ws.close(1000); resolve(); }, 300);
    };
  }));
  await page.waitForFunction(() => Number(document.querySelector('#inChart').dataset.points) >= 3);
  await page.waitForFunction((old) => document.querySelector('#inChart canvas').toDataURL() !== old, before);
  await page.waitForFunction(() => [...document.querySelectorAll('#channels td')].some((n) => n.textContent === 'chat.watched'));
  await page.waitForFunction(() => [...document.querySelectorAll('#errors td')].some((n) => n.textContent === 'bad_request'));
  assert.equal(await page.$$eval('#errors tr', (rows) => rows.length), 1);
  await page.waitForFunction(() => [...document.querySelectorAll('#closes td')].some((n) => n.textContent === '1000'));
  assert.ok(Number(await page.textContent('#connections')) >= 1);
  await screenshot(page, 'admin');
  // The one expected console error: the browser reports the refused key's 401.
  assertNoProblems(page, [/status of 401/]);
  assertNoProblems(chat);
});

test('in Production the admin page is not served', async () => {
  const production = await serve.startServer(['--environment', 'Production', '--Switchboard:Auth:AllowAnonymous=true']);
  try {
    assert.equal((await fetch(`${production.url}/admin`)).status, 404);
    assert.equal((await fetch(`${production.url}/admin.js`)).status, 404);
    assert.equal((await fetch(`${production.url}/chat`)).status, 200);
  } finally {
    await serve.stopServer(production);
  }
});
