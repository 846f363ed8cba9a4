// Seed 001's React hook `useSensorWebSocket` with its `SensorDashboard`, as written in the document, and its rewrite
// on useJsonSocket from docs/clients/javascript.md, compiled with esbuild and rendered in headless Chromium against
// samples/SensorStream fed by its own `--simulate` (nothing is posted: the stream is live on its own).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSample, launchBrowser } = require('./harness');
const { reactPage, seedModule, docsModule } = require('./react-page');

let sample;
let browser;
before(async () => { [sample, browser] = await Promise.all([startSample('SensorStream', ['--simulate']), launchBrowser()]); });
after(async () => { await browser?.close(); await sample?.stop(); });

const printed = 'ws://localhost:8000';
const wsUrl = () => sample.url.replace('http://', 'ws://');

// The document's code block and the docs' rewrite, each with its address replaced.
const seed = () => seedModule('seed001_use_sensor_websocket.jsx', { [`${printed}/api/ws/sensor/stream`]: `${wsUrl()}/api/ws/sensor/stream` }, 'SensorDashboard');
const docs = () => docsModule('jsx', { [`${printed}/api/ws/sensor/stream`]: `${wsUrl()}/api/ws/sensor/stream` });

// Counts the WebSockets the page opens (the hook's code is untouched) and renders the dashboard; unmount() ends it.
const entry = `
  import { createRoot } from 'react-dom/client';
  import { SensorDashboard } from 'seed:dashboard';
  const Native = window.WebSocket;
  window.opened = 0;
  window.WebSocket = class extends Native { constructor(...args) { super(...args); window.opened++; } };
  const root = createRoot(document.getElementById('root'));
  root.render(<SensorDashboard />);
  window.unmount = () => root.unmount();
`;

const connected = /Status: \S+ Connected/;

/** The dashboard's "Latest Reading" as the JSON it shows. */
async function latestReading(page) {
  const text = await page.evaluate(() => document.body.textContent);
  const at = text.indexOf('Latest Reading: ');
  return at < 0 ? null : JSON.parse(text.slice(at + 'Latest Reading: '.length));
}

/** Waits until the dashboard is connected and shows two different simulated readings (live, not one message). */
async function untilLive(page) {
  await page.waitForFunction((pattern) => new RegExp(pattern).test(document.body.textContent), connected.source, { timeout: 20000 });
  const seen = new Set();
  const until = Date.now() + 20000;
  while (seen.size < 2 && Date.now() < until) {
    const message = await latestReading(page);
    if (message?.type === 'sensor_reading') {
      assert.equal(message.data.extras_json.simulated, true);
      assert.ok([1, 2, 3].includes(message.data.sensor_id), `a simulated sensor: ${JSON.stringify(message)}`);
      seen.add(message.data.id);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(seen.size, 2, 'two different readings shown within 20 s');
}

/** Waits out `ms` with the page (the hooks' timers) running. */
const pause = (page, ms) => page.waitForTimeout(ms);

test('the seed\'s useSensorWebSocket shows the simulated readings live, and reconnects after its component unmounted', async () => {
  const { page, errors } = await reactPage(browser, entry, { dashboard: seed() });
  await untilLive(page);
  assert.equal(await page.evaluate(() => window.opened), 1);
  assert.deepEqual(errors, []);

  // The hook's cleanup closes the socket but leaves its onclose attached, which schedules connect() in 3 s.
  await page.evaluate(() => window.unmount());
  await page.waitForFunction(() => window.opened === 2, null, { timeout: 15000 });
  await page.close();
});

test('the docs\' useSensorWebSocket on useJsonSocket shows the same readings, and opens nothing after unmount', async () => {
  const { page, errors } = await reactPage(browser, entry, { dashboard: docs() });
  await untilLive(page);
  assert.equal(await page.evaluate(() => window.opened), 1);

  await page.evaluate(() => window.unmount());
  await pause(page, 5000); // Longer than the seed's 3 s reconnect, which the test above waited for.
  assert.equal(await page.evaluate(() => window.opened), 1);
  assert.deepEqual(errors, []);
  await page.close();
});
