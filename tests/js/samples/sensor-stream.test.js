// Seed 001's browser code against samples/SensorStream: the SensorWebSocket class with its usage code, and the
// "Browser Console Test", in headless Chromium.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSample, launchBrowser, blankPage, seedScript, consoleOf, postJson } = require('./harness');

let sample;
let browser;
before(async () => { [sample, browser] = await Promise.all([startSample('SensorStream'), launchBrowser()]); });
after(async () => { await browser?.close(); await sample?.stop(); });

const reading = (sensorId) => ({
  sensor_id: sensorId, type: 'moisture_level', location: 'basement_wall', value: 75.5, unit: '%', confidence: 0.95,
  calibration_json: { calibrated_at: '2024-01-15T10:00:00Z', offset: 0.0 }, extras_json: { battery_level: 90, signal_strength: 85 },
  timestamp: '2024-01-15T12:00:00Z',
});

// The stream sends nothing on connect, so a page cannot tell when the server has added it to the stream (a moment
// after the handshake): post probe readings from another sensor until the page has logged one.
async function untilStreaming(console, probeSensor) {
  for (let attempt = 0; attempt < 20; attempt++) {
    await postJson(`${sample.url}/api/sensors/readings`, reading(probeSensor));
    const seen = await console.waitFor((args) => JSON.stringify(args).includes(`"sensor_id":${probeSensor}`), 'probe', 1000).then(() => true, () => false);
    if (seen) return;
  }
  throw new Error('the page never received a probe reading');
}

const of = (sensorId) => (args) => args[1]?.data?.sensor_id === sensorId;

async function pageWith(file) {
  const page = await blankPage(browser);
  const console = consoleOf(page);
  await page.addScriptTag({ content: seedScript(file, { 'ws://localhost:8000': sample.url.replace('http://', 'ws://') }) });
  return { page, console };
}

test('SensorWebSocket connects, and its onMessage gets each posted reading', async () => {
  const { page, console } = await pageWith('seed001_sensor_websocket.js');
  await console.waitFor((args) => args[0] === 'Sensor WebSocket ready', 'onConnected');
  await untilStreaming(console, 2001);
  const posted = await postJson(`${sample.url}/api/sensors/readings`, reading(21));
  assert.equal(posted.status, 201);
  const [, status] = await console.waitFor((args) => args[0] === 'New sensor reading:' && of(21)(args) && args[1].type === 'sensor_status', 'sensor_status');
  assert.deepEqual(status.data && [status.data.sensor_id, status.data.status], [21, 'online']);
  const [, message] = await console.waitFor((args) => args[0] === 'New sensor reading:' && of(21)(args) && args[1].type === 'sensor_reading', 'sensor_reading');
  assert.deepEqual(message, { type: 'sensor_reading', data: posted.body });

  const invalid = await postJson(`${sample.url}/api/sensors/readings`, { ...reading(21), value: 'wet' });
  assert.equal(invalid.status, 400);
  assert.match(invalid.body.detail, /value/);
  const second = await postJson(`${sample.url}/api/sensors/readings`, reading(21));
  await console.waitFor((args) => args[0] === 'New sensor reading:' && args[1].data?.id === second.body.id, 'the second reading');
  const readings = console.entries.filter((args) => args[0] === 'New sensor reading:' && of(21)(args)).map((args) => args[1]);
  assert.deepEqual(readings.map((m) => m.type), ['sensor_status', 'sensor_reading', 'sensor_reading'], 'the invalid reading was not broadcast');
  assert.equal(await page.evaluate(() => sensorWS.ws.readyState), 1);
  await page.close();
});

test('the Browser Console Test logs the connection and each message', async () => {
  const { page, console } = await pageWith('seed001_browser_console.js');
  await console.waitFor((args) => String(args[0]).includes('Connected'), 'onopen');
  await untilStreaming(console, 2002);
  const posted = await postJson(`${sample.url}/api/sensors/readings`, reading(22));
  const [, message] = await console.waitFor((args) => String(args[0]).includes('Message:') && of(22)(args) && args[1].type === 'sensor_reading', 'the reading');
  assert.deepEqual(message, { type: 'sensor_reading', data: posted.body });
  assert.ok(console.entries.some((args) => args[0] === 'WebSocket state:' && args[1] === 0), 'the seed logs readyState CONNECTING first');
  await page.close();
});
