// /chat when the network goes away, in real headless Chromium: a cut network (a TCP proxy) shows reconnecting, then
// connected, with what was published meanwhile in order; the browser's offline/online events drop and restore at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoProblems, publish, say, screenshot, startPages, texts } from './browser.js';
import { TcpProxy } from '../js-client/proxy.js';

let env;
before(async () => { env = await startPages(); });
after(async () => { await env?.stop(); });
const open = (url, base) => env.open(url, base);

test('reconnect: the indicator shows reconnecting while the network is cut, then connected, and what was published meanwhile appears in order', async () => {
  const net = await new TcpProxy(Number(new URL(env.server.url).port)).start();
  try {
    const page = await open('/chat?room=outage', `http://127.0.0.1:${net.port}`);
    await page.waitForSelector('#indicator[data-state="connected"]');
    await say(page, 'before the outage');
    await page.waitForFunction(() => document.querySelectorAll('#messages .message').length === 1);

    net.refuse(true);
    net.reset();
    await page.waitForSelector('#indicator[data-state="reconnecting"]');
    await screenshot(page, 'chat-reconnecting');
    for (let i = 1; i <= 5; i++) await publish(env, 'chat.outage', { name: 'backend', text: `missed ${i}` });
    net.refuse(false);
    await page.waitForSelector('#indicator[data-state="connected"]', { timeout: 30000 });
    await page.waitForFunction(() => document.querySelectorAll('#messages .message').length === 6);
    assert.deepEqual(await texts(page), ['before the outage', 'missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5']);
    // The console may report the failed WebSocket attempts while the network was down; nothing else.
    assertNoProblems(page, [/WebSocket connection to .* failed/]);
  } finally {
    await net.close();
  }
});

test('the browser\'s offline and online events: the connection drops (also on the event alone) and comes back with what was missed', async () => {
  const page = await open('/chat?room=offline');
  await page.waitForSelector('#indicator[data-state="connected"]');
  await page.context().setOffline(true); // Fires the window's offline event (and cuts the page's network).
  await page.waitForSelector('#indicator[data-state="reconnecting"]');
  await publish(env, 'chat.offline', { name: 'backend', text: 'while offline' });
  await page.context().setOffline(false);
  await page.waitForSelector('#indicator[data-state="connected"]', { timeout: 30000 });
  await page.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((n) => n.textContent === 'while offline'));
  // Chromium may close the socket itself when it goes offline; the event alone must be enough: dispatched while the
  // network is up, it still drops the connection (with its own reason), and the client comes back.
  const reason = await page.evaluate(() => new Promise((resolve) => {
    const off = window.switchboard.on('state', (e) => {
      if (e.state === 'reconnecting') {
        off();
        resolve(e.reason);
      }
    });
    window.dispatchEvent(new Event('offline'));
  }));
  assert.equal(reason, 'the browser went offline');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForSelector('#indicator[data-state="connected"]', { timeout: 30000 });
  assertNoProblems(page, [/WebSocket connection to .* failed/, /ERR_INTERNET_DISCONNECTED/]);
});

