// samples/SignIn in headless Chromium: a user signs in on the app's page with a cookie, the page opens the socket and
// welcome names the user; a page of another origin in the same browser (the cookie goes along: same site, other port)
// is refused by the Origin check, and admitted once the app lists that origin in Switchboard:AllowedOrigins.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startSample, launchBrowser } = require('./harness');

let browser;
let otherOrigin;
before(async () => {
  browser = await launchBrowser();
  // Another origin on 127.0.0.1 (another port): the same site for cookies, so the browser sends the sign-in cookie.
  otherOrigin = http.createServer((request, response) => {
    const target = new URL(request.url, 'http://x').searchParams.get('ws');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>another site</title><script>
      window.outcome = new Promise((resolve) => {
        const ws = new WebSocket(${JSON.stringify(target)});
        ws.onmessage = (e) => resolve({ welcome: JSON.parse(e.data) });
        ws.onclose = (e) => resolve({ closed: e.code });
      });
    </script>`);
  });
  await new Promise((resolve) => otherOrigin.listen(0, '127.0.0.1', resolve));
});
after(async () => { await browser?.close(); otherOrigin?.close(); });

/** Signs in with the app's form; resolves with the page it redirects to (which opens the socket). */
async function signIn(context, sample, user) {
  const page = await context.newPage();
  await page.goto(`${sample.url}/`);
  await page.fill('#user', user);
  await Promise.all([page.waitForSelector('b#user'), page.click('#signin')]);
  assert.equal(await page.textContent('b#user'), user);
  return page;
}

async function welcomeOn(page) {
  await page.waitForFunction(() => document.getElementById('welcome').textContent.length > 0, null, { timeout: 15000 });
  return JSON.parse(await page.textContent('#welcome'));
}

async function fromOtherOrigin(context, sample) {
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${otherOrigin.address().port}/?ws=${encodeURIComponent(sample.url.replace('http://', 'ws://') + '/ws')}`);
  return page.evaluate(() => window.outcome);
}

test('signed in on the page, the socket is the user; another origin riding the cookie is refused', async () => {
  const sample = await startSample('SignIn');
  const context = await browser.newContext();
  try {
    const welcome = await welcomeOn(await signIn(context, sample, 'alice'));
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.user, 'alice');

    // The WebSocket never opens: the upgrade got HTTP 403, which a page sees only as close 1006.
    assert.deepEqual(await fromOtherOrigin(context, sample), { closed: 1006 });
  } finally {
    await context.close();
    await sample.stop();
  }
});

test('the same page of the other origin gets the user once the app allows that origin', async () => {
  const origin = `http://127.0.0.1:${otherOrigin.address().port}`;
  const sample = await startSample('SignIn', [`--Switchboard:AllowedOrigins:0=${origin}`]);
  const context = await browser.newContext();
  try {
    await signIn(context, sample, 'bob'); // The app's own page is not in the list now: only its cookie matters here.
    const outcome = await fromOtherOrigin(context, sample);
    assert.equal(outcome.welcome?.user, 'bob', JSON.stringify(outcome));
  } finally {
    await context.close();
    await sample.stop();
  }
});
