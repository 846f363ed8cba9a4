// Seed 004's HTML chat page, served by samples/ChatRooms at /, in two headless Chromium pages.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startSample, launchBrowser } = require('./harness');

let sample;
let browser;
before(async () => { [sample, browser] = await Promise.all([startSample('ChatRooms'), launchBrowser()]); });
after(async () => { await browser?.close(); await sample?.stop(); });

const lines = (page) => page.$$eval('#messages div', (divs) => divs.map((d) => d.textContent));
const waitForLine = (page, text) =>
  page.waitForFunction((t) => [...document.querySelectorAll('#messages div')].some((d) => d.textContent === t), text, { timeout: 15000 });

test('the page at / is the seed page, with only its server address pointing back at the sample', async () => {
  const seedPage = fs.readFileSync(path.join(__dirname, '../../../samples/ChatRooms/wwwroot/index.html'), 'utf8');
  const served = await (await fetch(`${sample.url}/`)).text();
  assert.equal(served, seedPage.replace('ws://localhost:8000/ws', `${sample.url.replace('http://', 'ws://')}/ws`));
});

test('two people chat through the unchanged page: welcome, joined, messages both ways, left', async () => {
  const alice = await browser.newPage();
  await alice.goto(`${sample.url}/`);
  await waitForLine(alice, 'System: Welcome to the chat!');

  const bob = await browser.newPage();
  await bob.goto(`${sample.url}/`);
  await waitForLine(bob, 'System: Welcome to the chat!');
  await alice.fill('#message', 'Hello everyone!');
  await alice.press('#message', 'Enter');
  await bob.waitForFunction(() => [...document.querySelectorAll('#messages div')].some((d) => d.textContent.endsWith(': Hello everyone!')), null, { timeout: 15000 });
  await alice.waitForFunction(() => [...document.querySelectorAll('#messages div')].some((d) => d.textContent.endsWith(': Hello everyone!')), null, { timeout: 15000 });
  assert.equal(await alice.inputValue('#message'), '', 'the page clears its input after sending');

  await bob.fill('#message', 'Hi Alice');
  await bob.click('button');
  await alice.waitForFunction(() => [...document.querySelectorAll('#messages div')].some((d) => d.textContent.endsWith(': Hi Alice')), null, { timeout: 15000 });

  const aliceId = (await lines(bob)).find((l) => l.endsWith(': Hello everyone!')).split(':')[0];
  const bobId = (await lines(alice)).find((l) => l.endsWith(': Hi Alice')).split(':')[0];
  assert.notEqual(aliceId, bobId);
  await waitForLine(alice, `System: User ${bobId} joined`); // Under the id his messages carry.
  await waitForLine(bob, `System: User ${bobId} joined`); // Joining the room is announced to the room, the joiner included.

  await bob.close();
  await waitForLine(alice, `System: User ${bobId} left`);
  await alice.close();
});
