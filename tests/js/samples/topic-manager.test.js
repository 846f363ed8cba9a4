// Seed 003's BufferedWebSocket (its TypeScript with the type annotations removed, nothing else) against
// samples/TopicManager in headless Chromium: messages sent before the socket opens are flushed on open.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSample, launchBrowser, blankPage, seedScript, postJson } = require('./harness');

let sample;
let browser;
before(async () => { [sample, browser] = await Promise.all([startSample('TopicManager'), launchBrowser()]); });
after(async () => { await browser?.close(); await sample?.stop(); });

const withoutTypes = {
  'private ws: WebSocket | null = null;': 'ws = null;',
  'private messageBuffer: any[] = [];': 'messageBuffer = [];',
  'private maxBufferSize = 100;': 'maxBufferSize = 100;',
  'connect(url: string)': 'connect(url)',
  'send(data: any)': 'send(data)',
};

test('BufferedWebSocket: subscribe and ping sent while connecting are flushed in order on open', async () => {
  const page = await blankPage(browser);
  await page.addScriptTag({ content: seedScript('seed003_buffered_websocket.ts', withoutTypes) });
  const url = `${sample.url.replace('http://', 'ws://')}/ws/dana`;
  await page.evaluate((u) => {
    window.received = [];
    window.socket = new BufferedWebSocket();
    socket.connect(u);
    socket.ws.addEventListener('message', (e) => window.received.push(JSON.parse(e.data)));
    socket.send({ type: 'subscribe', topic: 'alerts' }); // Still CONNECTING: both go to the buffer.
    socket.send({ type: 'ping' });
    window.buffered = socket.messageBuffer.length;
  }, url);
  assert.equal(await page.evaluate(() => window.buffered), 2);
  await page.waitForFunction(() => window.received.length === 1, null, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.received), [{ type: 'pong' }], 'the ping was answered, so the subscribe before it was handled');

  const published = await postJson(`${sample.url}/api/publish`, { topic: 'alerts', message: { level: 'high', text: 'water in basement' } });
  assert.equal(published.status, 202);
  await page.waitForFunction(() => window.received.length === 2, null, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.received[1]), { level: 'high', text: 'water in basement' });

  await page.evaluate(() => socket.send({ type: 'note', text: 'open now: sent at once' }));
  await page.waitForFunction(() => window.received.length === 3, null, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.received[2]), { received: { type: 'note', text: 'open now: sent at once' } });
  await page.close();
});
