// /sensors in real headless Chromium: live uPlot charts from readings published through the HTTP API and by
// `switchboard simulate sensors`; the served chart library is the locked npm package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoProblems, publish, say, screenshot, startPages, texts } from './browser.js';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { packageFile, vendorDir, vendoredFiles } from './vendor-charts.js';

let env;
before(async () => { env = await startPages(); });
after(async () => { await env?.stop(); });
const open = (url, base) => env.open(url, base);

test('sensors: a chart per sensor draws new points as readings are published through the HTTP API', async () => {
  const page = await open('/sensors');
  await page.waitForSelector('#indicator[data-state="connected"]');
  for (let i = 0; i < 5; i++) await publish(env, 'sensors.lab.temperature', { value: 20 + i * 0.4, unit: '°C' });
  await publish(env, 'sensors.lab.humidity', 41.5);
  const card = '[data-channel="sensors.lab.temperature"]';
  await page.waitForSelector(`${card}[data-points="5"] canvas`);
  await page.waitForSelector('[data-channel="sensors.lab.humidity"][data-points="1"]');
  const before = await page.$eval(`${card} canvas`, (canvas) => canvas.toDataURL());
  for (let i = 0; i < 5; i++) await publish(env, 'sensors.lab.temperature', { value: 23 - i, unit: '°C' });
  await page.waitForSelector(`${card}[data-points="10"]`);
  await page.waitForFunction(([selector, old]) => document.querySelector(selector).toDataURL() !== old, [`${card} canvas`, before]);
  assert.equal(await page.$eval(`${card} .value`, (n) => n.textContent), '19 °C');
  await screenshot(page, 'sensors');
  assertNoProblems(page);
});

test('switchboard simulate sensors publishes readings that the sensors page charts', async () => {
  const page = await open('/sensors');
  await page.waitForSelector('#indicator[data-state="connected"]');
  const root = process.env.SWITCHBOARD_ROOT || path.resolve(import.meta.dirname, '../../..');
  const dll = ['Release', 'Debug'].map((c) => path.join(root, 'src/Switchboard/bin', c, 'net10.0/switchboard.dll')).find((f) => fs.existsSync(f));
  const wsUrl = env.server.url.replace('http:', 'ws:') + '/ws';
  const output = await new Promise((resolve, reject) => {
    execFile('dotnet', [dll, 'simulate', 'sensors', '--url', wsUrl, '--sensors', '3', '--count', '3', '--interval', '0.2'], { cwd: root }, (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)));
  });
  assert.match(output, /round 3: 3 readings/);
  for (const channel of ['sensors.kitchen.temperature', 'sensors.kitchen.humidity', 'sensors.kitchen.co2']) {
    await page.waitForSelector(`[data-channel="${channel}"][data-points="3"] canvas`);
  }
  const history = await (await fetch(`${env.server.url}/api/history`, { method: 'POST', headers: { 'X-API-Key': env.key }, body: '{"channel":"sensors.kitchen.temperature"}' })).json();
  for (const p of history.publications) {
    assert.equal(p.data.unit, '°C');
    assert.ok(p.data.value >= 15 && p.data.value <= 30, `plausible temperature ${p.data.value}`);
  }
  await screenshot(page, 'sensors-simulated');
  assertNoProblems(page);
});

test('the chart library served is the locked npm package, with its license', async () => {
  for (const name of Object.keys(vendoredFiles)) {
    assert.ok(fs.readFileSync(path.join(vendorDir, name)).equals(packageFile(name)), `${name} differs from npm's uplot: run npm run vendor`);
  }
  const served = await fetch(`${env.server.url}/vendor/uplot/uPlot.iife.min.js`);
  assert.equal(served.status, 200);
  assert.ok(Buffer.from(await served.arrayBuffer()).equals(packageFile('uPlot.iife.min.js')));
  assert.equal((await fetch(`${env.server.url}/vendor/uplot/LICENSE.txt`)).status, 200);
});

