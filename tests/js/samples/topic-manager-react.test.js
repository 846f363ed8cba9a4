// Seed 003's React hook `useWebSocket` with its `TrafficMonitor`, as written in the document (TypeScript and JSX,
// compiled by esbuild), and their rewrite on useJsonSocket from docs/clients/javascript.md, in headless Chromium
// against samples/TopicManager's `ws /api/ws/traffic`: the monitor shows the traffic of messages published meanwhile.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSample, launchBrowser, blankPage, postJson } = require('./harness');
const { reactPage, seedModule, docsModule } = require('./react-page');

let sample;
let browser;
let subscriber;
before(async () => {
  [sample, browser] = await Promise.all([startSample('TopicManager'), launchBrowser()]);
  // A client of the topic endpoint, subscribed to `alerts`: the connection and subscriber the monitor must show.
  subscriber = await blankPage(browser);
  await subscriber.evaluate((url) => new Promise((resolve, reject) => {
    window.received = [];
    const socket = new WebSocket(url);
    socket.onopen = () => { socket.send(JSON.stringify({ type: 'subscribe', topic: 'alerts' })); resolve(); };
    socket.onerror = () => reject(new Error('the subscriber could not connect'));
    socket.onmessage = (event) => window.received.push(JSON.parse(event.data));
  }), `${wsUrl()}/ws/dana`);
});
after(async () => { await browser?.close(); await sample?.stop(); });

const printed = 'ws://localhost:8000';
function wsUrl() { return sample.url.replace('http://', 'ws://'); }

// The document's code block and the docs' rewrite, each with its address replaced.
const seed = () => seedModule('seed003_use_websocket.tsx', { [`${printed}/api/ws/traffic`]: `${wsUrl()}/api/ws/traffic` }, 'TrafficMonitor');
const docs = () => docsModule('tsx', { [`${printed}/api/ws/traffic`]: `${wsUrl()}/api/ws/traffic` });

// Counts the WebSockets the page opens (the component's code is untouched) and renders the monitor.
const entry = `
  import { createRoot } from 'react-dom/client';
  import { TrafficMonitor } from 'seed:monitor';
  const Native = window.WebSocket;
  window.opened = 0;
  window.WebSocket = class extends Native { constructor(...args) { super(...args); window.opened++; } };
  createRoot(document.getElementById('root')).render(<TrafficMonitor />);
`;

/** The report the monitor shows in its <pre>, parsed; null before the first. */
const shownReport = (page) => page.evaluate(() => {
  const pre = document.querySelector('pre');
  return pre ? JSON.parse(pre.textContent) : null;
});

/**
 * Publishes `count` messages to `alerts` in one second's report, again until the monitor shows a report counting
 * them (a batch can straddle two reports), with the subscriber's connection and subscription.
 */
async function untilTrafficShown(page, count) {
  const until = Date.now() + 30000;
  while (Date.now() < until) {
    for (let i = 0; i < count; i++) {
      const published = await postJson(`${sample.url}/api/publish`, { topic: 'alerts', message: { n: i } });
      assert.equal(published.status, 202);
    }
    const deadline = Date.now() + 2500; // Two reports.
    while (Date.now() < deadline) {
      const report = await shownReport(page);
      const alerts = report?.topics?.find((t) => t.topic === 'alerts');
      if (alerts?.messages === count) {
        assert.equal(report.type, 'traffic');
        assert.ok(report.connections >= 1, `the subscriber is counted: ${JSON.stringify(report)}`);
        assert.equal(alerts.subscribers, 1);
        return report;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`the monitor never showed ${count} messages on alerts; it shows ${JSON.stringify(await shownReport(page))}`);
}

const statusOf = (page) => page.evaluate(() => /Status: \S+ (Connected|Disconnected)/.exec(document.body.textContent)?.[1]);

test('the seed\'s TrafficMonitor shows the published traffic, but its inline onMessage reopens the socket on every render', async () => {
  const { page, errors } = await reactPage(browser, entry, { monitor: seed() });
  await untilTrafficShown(page, 3);
  await untilTrafficShown(page, 5);
  // connect() depends on onMessage, a new function every render: each render closes the socket and opens another.
  const opened = await page.evaluate(() => window.opened);
  assert.ok(opened > 10, `the seed's monitor opened ${opened} sockets`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the docs\' TrafficMonitor on useJsonSocket shows the same traffic on one socket, connected throughout', async () => {
  const { page, errors } = await reactPage(browser, entry, { monitor: docs() });
  await untilTrafficShown(page, 3);
  assert.equal(await statusOf(page), 'Connected');
  await untilTrafficShown(page, 5);
  assert.equal(await statusOf(page), 'Connected');
  assert.equal(await page.evaluate(() => window.opened), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the subscriber received the published messages the monitor counted', async () => {
  const received = await subscriber.evaluate(() => window.received);
  assert.ok(received.length >= 16, `3 + 5 messages per test, at least: ${received.length}`);
  assert.ok(received.every((m) => Number.isInteger(m.n)));
});
