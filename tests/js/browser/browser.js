// Headless Chromium (Debian's) through playwright-core, with every console error and page error recorded.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = process.env.SWITCHBOARD_ROOT || path.resolve(import.meta.dirname, '../../..');
export const outputDir = process.env.SWITCHBOARD_TEST_OUTPUT || path.join(root, 'TestResults', 'browser');

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A new context and page; `page.problems` collects console errors and uncaught exceptions. */
export async function openPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  await page.goto(url);
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(outputDir, { recursive: true });
  const file = path.join(outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

import assert from 'node:assert/strict';
import serve from '../plain-client/serve.js';

/**
 * The real server (with the HTTP API under a test key) and one browser for a test file. `open(url, base?)` opens a
 * page in a new context; `stop()` ends both.
 */
export async function startPages() {
  const key = 'browser-test-key';
  const [server, browser] = await Promise.all([serve.startServer([`--Switchboard:HttpApi:Key=${key}`]), launch()]);
  return {
    server,
    key,
    browser,
    open: (url, base = server.url) => openPage(browser, base + url),
    stop: async () => {
      await browser.close();
      await serve.stopServer(server);
    },
  };
}

/** Publishes through the HTTP API; resolves with the offset. */
export async function publish(env, channel, data) {
  const response = await fetch(`${env.server.url}/api/publish`, {
    method: 'POST',
    headers: { 'X-API-Key': env.key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ channel, data }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.offset;
}

/** Sends a chat message from the /chat page's form. */
export async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#sendButton');
}

/** The texts of the messages the /chat page shows, top to bottom. */
export const texts = (page) => page.$$eval('#messages .message .text', (nodes) => nodes.map((n) => n.textContent));

/** Fails with the page's console errors and uncaught exceptions, except those matching `allowed`. */
export function assertNoProblems(page, allowed = []) {
  const problems = page.problems.filter((p) => !allowed.some((pattern) => pattern.test(p)));
  assert.deepEqual(problems, [], `browser console errors on ${page.url()}`);
}
