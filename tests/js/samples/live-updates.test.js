// Seed 002's JavaScript client against samples/LiveUpdates in headless Chromium: JWT in ?token=, subscribe to
// orders and notifications, order_update to updateOrderDisplay, notification to showNotification, sendMessage to
// the subscribers of "messages", close 1008.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { startSample, launchBrowser, blankPage, seedScript, consoleOf, postJson } = require('./harness');

const secret = crypto.randomBytes(32).toString('hex');
let sample;
let browser;
before(async () => { [sample, browser] = await Promise.all([startSample('LiveUpdates', [`--Switchboard:Auth:Secret=${secret}`]), launchBrowser()]); });
after(async () => { await browser?.close(); await sample?.stop(); });

// A test token as the seed's auth service issues them: HS256 with sub, username, roles.
function token(claims) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${body}.${crypto.createHmac('sha256', secret).update(body).digest('base64url')}`;
}

async function seedClient(authToken) {
  const page = await blankPage(browser);
  const console = consoleOf(page);
  // The functions the seed's client calls and leaves to the application: here they record what they were given.
  await page.addScriptTag({ content: `const authToken = ${JSON.stringify(authToken)};
    window.orders = []; window.notifications = [];
    function updateOrderDisplay(order) { window.orders.push(order); }
    function showNotification(message) { window.notifications.push(message); }` });
  await page.addScriptTag({ content: seedScript('seed002_client.js', { 'ws://localhost:8081': sample.url.replace('http://', 'ws://') }) });
  return { page, console };
}

test('order events reach updateOrderDisplay, admin notifications reach showNotification', async () => {
  const { page, console } = await seedClient(token({ sub: 'u-7', username: 'carol', roles: ['user'] }));
  await console.waitFor((args) => args[0] === 'Connected to WebSocket', 'onopen');
  const { page: admin } = await seedClient(token({ sub: 'u-1', username: 'root', roles: ['admin'] }));
  // The seed subscribes on open; a notification sent to the user proves the subscribe was handled before the event.
  await admin.waitForFunction(() => ws.readyState === 1);
  await page.waitForFunction(() => ws.readyState === 1);
  await admin.evaluate(() => ws.send(JSON.stringify({ type: 'admin_command', command: 'notify', user_id: 'u-7', message: 'Your order is packed' })));
  await page.waitForFunction(() => window.notifications.length === 1, null, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.notifications), ['Your order is packed']);

  const accepted = await postJson(`${sample.url}/api/events`, { subject: 'order.created', data: { order_id: 9, total: 12.5 } });
  assert.equal(accepted.status, 202);
  assert.deepEqual(accepted.body.topics, ['orders']);
  await page.waitForFunction(() => window.orders.length === 1, null, { timeout: 15000 });
  assert.deepEqual(await page.evaluate(() => window.orders), [{ order_id: 9, total: 12.5 }]);

  // The seed's sendMessage: {type: 'message', content} goes to the subscribers of the topic "messages", here the
  // admin's page, which subscribes by channel as the seed's mixin does. window.next resolves with the next message
  // of a type (registered before what answers it is sent).
  await admin.evaluate(() => {
    window.next = (type) => new Promise((resolve) => {
      ws.addEventListener('message', function listener(e) {
        const data = JSON.parse(e.data);
        if (data.type === type) { ws.removeEventListener('message', listener); resolve(data); }
      });
    });
    window.subscribed = window.next('subscribed');
    ws.send(JSON.stringify({ type: 'subscribe', channel: 'messages' }));
  });
  assert.deepEqual(await admin.evaluate(() => window.subscribed), { type: 'subscribed', channel: 'messages' });
  await admin.evaluate(() => { window.relayed = window.next('message'); });
  await page.evaluate(() => sendMessage('hello'));
  const message = await admin.evaluate(() => window.relayed);
  assert.deepEqual({ ...message, timestamp: typeof message.timestamp }, { type: 'message', user: 'carol', content: 'hello', timestamp: 'string' });
  await Promise.all([page.close(), admin.close()]);
});

test('a bad token: the seed client logs close 1008 "Invalid token"', async () => {
  const { page, console } = await seedClient('not-a-jwt');
  const [, code, reason] = await console.waitFor((args) => args[0] === 'WebSocket closed:', 'onclose');
  assert.deepEqual([code, reason], [1008, 'Invalid token']);
  await page.close();
});
