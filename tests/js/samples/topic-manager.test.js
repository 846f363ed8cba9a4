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

test('ws /api/ws/traffic reports connections, subscribers and messages per topic once a second', async () => {
  const page = await blankPage(browser);
  const ws = sample.url.replace('http://', 'ws://');
  await page.evaluate(async (base) => {
    const open = (path) => new Promise((resolve) => { const s = new WebSocket(base + path); s.onopen = () => resolve(s); });
    window.reports = [];
    window.replies = [];
    window.monitor = await open('/api/ws/traffic');
    monitor.onmessage = (e) => { const m = JSON.parse(e.data); (m.type === 'traffic' ? reports : replies).push(m); };
    window.erin = await open('/ws/erin');
    window.frank = await open('/ws/frank');
    erin.send(JSON.stringify({ type: 'subscribe', topic: 'traffic-a' }));
    erin.send(JSON.stringify({ type: 'subscribe', topic: 'traffic-b' }));
    frank.send(JSON.stringify({ type: 'subscribe', topic: 'traffic-a' }));
    frank.send(JSON.stringify({ type: 'subscribe', topic: 'traffic-a' })); // Again: still one subscriber.
    erin.send(JSON.stringify({ type: 'ping' })); // Answered after both subscribes were handled.
    await new Promise((resolve) => { erin.onmessage = resolve; });
    frank.send(JSON.stringify({ type: 'ping' }));
    await new Promise((resolve) => { frank.onmessage = resolve; });
    monitor.send(JSON.stringify({ type: 'subscribe', topic: 'x' })); // The monitor only listens.
  }, ws);
  const topicIn = (report, name) => report.topics.find((t) => t.topic === name);
  const nextReport = async (match, what) => {
    await page.waitForFunction((m) => new Function('r', `return ${m}`)(window.reports.at(-1) ?? { topics: [] }), match, { timeout: 15000 })
      .catch(async () => { throw new Error(`no report with ${what}: ${JSON.stringify(await page.evaluate(() => window.reports.slice(-3)))}`); });
    return page.evaluate(() => window.reports.at(-1));
  };

  const both = await nextReport("r.topics.some((t) => t.topic === 'traffic-a' && t.subscribers === 2)", 'two subscribers on traffic-a');
  assert.match(both.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(topicIn(both, 'traffic-b'), { topic: 'traffic-b', subscribers: 1, messages: 0 });
  assert.equal(both.topic_count, both.topics.length);
  const before = both.connections;
  assert.ok(before >= 2, `erin and frank counted: ${JSON.stringify(both)}`);
  await page.waitForFunction(() => window.replies.length > 0, null, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.replies), [{ type: 'error', message: 'Unknown message type' }]);

  for (let i = 0; i < 4; i++) assert.equal((await postJson(`${sample.url}/api/publish`, { topic: 'traffic-b', message: i })).status, 202);
  const counted = await nextReport("r.topics.some((t) => t.topic === 'traffic-b' && t.messages > 0)", 'messages on traffic-b');
  assert.equal(topicIn(counted, 'traffic-b').subscribers, 1);
  // Four messages, each counted in exactly one report (a burst can straddle two), then the count is back to 0.
  await nextReport("r.topics.some((t) => t.topic === 'traffic-b' && t.messages === 0)", 'the next second without messages');
  const counts = await page.evaluate(() => window.reports.map((r) => r.topics.find((t) => t.topic === 'traffic-b')?.messages ?? 0));
  assert.equal(counts.reduce((a, b) => a + b, 0), 4, `messages per report: ${counts}`);

  await page.evaluate(() => { erin.close(); });
  const left = await nextReport(`r.connections === ${before - 1} && !r.topics.some((t) => t.topic === 'traffic-b')`, 'erin gone');
  assert.equal(topicIn(left, 'traffic-a').subscribers, 1, 'frank is still on traffic-a');
  await page.evaluate(() => { frank.send(JSON.stringify({ type: 'unsubscribe', topic: 'traffic-a' })); });
  await nextReport("!r.topics.some((t) => t.topic === 'traffic-a')", 'traffic-a gone after the unsubscribe');
  await page.close();
});
