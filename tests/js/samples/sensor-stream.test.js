// Seed 001's browser code against samples/SensorStream: the SensorWebSocket class with its usage code, and the
// "Browser Console Test", in headless Chromium.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSample, launchBrowser, seedScript, consoleOf, postJson } = require('./harness');

let sample;
let browser;
before(async () => { [sample, browser] = await Promise.all([startSample('SensorStream'), launchBrowser()]); });
after(async () => { await browser?.close(); await sample?.stop(); });

const reading = (sensorId) => ({
  sensor_id: sensorId, type: 'moisture_level', location: 'basement_wall', value: 75.5, unit: '%', confidence: 0.95,
  calibration_json: { calibrated_at: '2024-01-15T10:00:00Z', offset: 0.0 }, extras_json: { battery_level: 90, signal_strength: 85 },
  timestamp: '2024-01-15T12:00:00Z',
});

async function pageWith(file) {
  const page = await browser.newPage();
  await page.goto(`${sample.url}/api/sensors/readings`).catch(() => {}); // Any page of the sample's origin.
  const console = consoleOf(page);
  await page.addScriptTag({ content: seedScript(file, { 'ws://localhost:8000': sample.url.replace('http://', 'ws://') }) });
  return { page, console };
}

test('SensorWebSocket connects, and its onMessage gets each posted reading', async () => {
  const { page, console } = await pageWith('seed001_sensor_websocket.js');
  await console.waitFor((args) => args[0] === 'Sensor WebSocket ready', 'onConnected');
  const posted = await postJson(`${sample.url}/api/sensors/readings`, reading(21));
  assert.equal(posted.status, 201);
  const [, status] = await console.waitFor((args) => args[0] === 'New sensor reading:' && args[1].type === 'sensor_status', 'sensor_status');
  assert.deepEqual(status.data && [status.data.sensor_id, status.data.status], [21, 'online']);
  const [, message] = await console.waitFor((args) => args[0] === 'New sensor reading:' && args[1].type === 'sensor_reading', 'sensor_reading');
  assert.deepEqual(message, { type: 'sensor_reading', data: posted.body });

  const invalid = await postJson(`${sample.url}/api/sensors/readings`, { ...reading(21), value: 'wet' });
  assert.equal(invalid.status, 400);
  assert.match(invalid.body.detail, /value/);
  const second = await postJson(`${sample.url}/api/sensors/readings`, reading(21));
  await console.waitFor((args) => args[0] === 'New sensor reading:' && args[1].data?.id === second.body.id, 'the second reading');
  const readings = console.entries.filter((args) => args[0] === 'New sensor reading:').map((args) => args[1]);
  assert.deepEqual(readings.map((m) => m.type), ['sensor_status', 'sensor_reading', 'sensor_reading'], 'the invalid reading was not broadcast');
  assert.equal(await page.evaluate(() => sensorWS.ws.readyState), 1);
  await page.close();
});

test('the Browser Console Test logs the connection and each message', async () => {
  const { page, console } = await pageWith('seed001_console_test.js');
  await console.waitFor((args) => String(args[0]).includes('Connected'), 'onopen');
  const posted = await postJson(`${sample.url}/api/sensors/readings`, reading(22));
  const [, message] = await console.waitFor((args) => String(args[0]).includes('Message:') && args[1].type === 'sensor_reading', 'the reading');
  assert.deepEqual(message, { type: 'sensor_reading', data: posted.body });
  assert.ok(console.entries.some((args) => args[0] === 'WebSocket state:' && args[1] === 0), 'the seed logs readyState CONNECTING first');
  await page.close();
});
