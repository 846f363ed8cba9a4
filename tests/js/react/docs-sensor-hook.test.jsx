// docs/clients/javascript.md's seed 001 `useSensorWebSocket` on useJsonSocket, as printed (only the server address is
// changed), with the seed's SensorDashboard, against samples/SensorStream (its built dll) through a TCP proxy.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import React from 'react';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import serve from '../plain-client/serve.js';
import { TcpProxy } from '../js-client/proxy.js';

let sample;
let proxy;
const file = path.join(import.meta.dirname, '.docs-sensor-hook.jsx'); // Here, so that its imports resolve from node_modules.

beforeAll(async () => {
  sample = await serve.startSample('SensorStream');
  proxy = await new TcpProxy(Number(new URL(sample.url).port)).start();
  // jsdom's window has no WebSocket the hook could use from Node; the page's would be the browser's.
  globalThis.WebSocket = WebSocket;
});

afterAll(async () => {
  cleanup();
  delete globalThis.WebSocket;
  fs.rmSync(file, { force: true });
  await proxy?.close();
  if (sample) await serve.stopServer(sample);
});

const reading = (sensorId) => ({
  sensor_id: sensorId, type: 'moisture_level', location: 'basement_wall', value: 75.5, unit: '%',
  timestamp: '2024-01-15T12:00:00Z',
});

async function post(body) {
  const response = await fetch(`${sample.url}/api/sensors/readings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
}

const text = () => document.body.textContent;

/** The stream sends nothing on connect: post readings of `sensorId` until the dashboard shows one. */
async function untilShown(sensorId) {
  await waitFor(async () => {
    await post(reading(sensorId));
    expect(text()).toContain(`"sensor_id": ${sensorId}`);
  }, { timeout: 20000, interval: 300 });
}

test('the documented useSensorWebSocket drives the seed\'s SensorDashboard, and reconnects after a cut', async () => {
  const doc = fs.readFileSync(path.resolve(import.meta.dirname, '../../../docs/clients/javascript.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### `useJsonSocket('));
  const code = /```jsx\n([\s\S]*?)```/.exec(section)[1];
  const printed = 'ws://localhost:8000/api/ws/sensor/stream';
  expect(code).toContain(printed);
  fs.writeFileSync(file, code.replace(printed, `ws://127.0.0.1:${proxy.port}/api/ws/sensor/stream`));
  const { SensorDashboard } = await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);

  const view = render(<SensorDashboard />);
  await waitFor(() => expect(text()).toContain('Status: 🟢 Connected'), { timeout: 20000 });
  await untilShown(31);
  expect(text()).toContain('"type": "sensor_reading"');

  proxy.reset();
  await waitFor(() => expect(text()).toContain('Status: 🔴 Disconnected'), { timeout: 20000 });
  await waitFor(() => expect(text()).toContain('Status: 🟢 Connected'), { timeout: 20000 });
  await untilShown(32);
  expect(text()).not.toContain('Error:');
  view.unmount();
});
