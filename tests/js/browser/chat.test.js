// /chat (and the home page and protocol console) in real headless Chromium against the real server: two browsers
// chat with presence, a third gets history. No console errors; a screenshot of each page under TestResults/browser/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoProblems, publish, say, screenshot, startPages, texts } from './browser.js';

let env;
before(async () => { env = await startPages(); });
after(async () => { await env?.stop(); });
const open = (url, base) => env.open(url, base);

test('the home page links the pages', async () => {
  const page = await open('/');
  for (const link of ['/chat', '/sensors', '/admin', '/debug']) assert.equal(await page.locator(`a[href="${link}"]`).count(), 1, link);
  await screenshot(page, 'home');
  assertNoProblems(page);
});

test('chat: two browsers see each other\'s messages and presence; a third gets the history', async () => {
  const ada = await open('/chat?room=team');
  const bob = await open('/chat?room=team');
  for (const [page, name] of [[ada, 'ada'], [bob, 'bob']]) {
    await page.waitForSelector('#indicator[data-state="connected"]');
    await page.fill('#name', name);
    await page.dispatchEvent('#name', 'change');
  }
  await ada.waitForFunction(() => document.querySelectorAll('#members li').length === 2);
  await bob.waitForFunction(() => document.querySelectorAll('#members li').length === 2);

  await say(ada, 'hello from ada');
  await bob.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((n) => n.textContent === 'hello from ada'));
  await say(bob, 'hi ada, bob here');
  await ada.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some((n) => n.textContent === 'hi ada, bob here'));
  // Presence with names: each lists the other by the name it chats under.
  await ada.waitForFunction(() => [...document.querySelectorAll('#members li')].some((n) => n.textContent === 'bob'));
  await bob.waitForFunction(() => [...document.querySelectorAll('#members li')].some((n) => n.textContent === 'ada'));

  const cyd = await open('/chat?room=team');
  await cyd.waitForFunction(() => document.querySelectorAll('#messages .message').length === 2);
  assert.deepEqual(await texts(cyd), ['hello from ada', 'hi ada, bob here']);
  await ada.waitForFunction(() => document.querySelectorAll('#members li').length === 3);

  await cyd.context().close(); // Leaves: the others' member lists shrink.
  await ada.waitForFunction(() => document.querySelectorAll('#members li').length === 2);
  await screenshot(ada, 'chat');
  for (const page of [ada, bob, cyd]) assertNoProblems(page);
});

test('debug console: connects and shows the welcome', async () => {
  const page = await open('/debug');
  await page.waitForFunction(() => document.querySelector('#log').textContent.includes('"type":"welcome"'));
  await screenshot(page, 'debug');
  assertNoProblems(page);
});

