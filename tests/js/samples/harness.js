// Starts a built sample (the Release build test.sh made) on a free loopback port, and headless Chromium.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const root = process.env.SWITCHBOARD_ROOT || path.resolve(__dirname, '../../..');

function sampleDll(name) {
  for (const config of ['Release', 'Debug']) {
    const dll = path.join(root, 'samples', name, 'bin', config, 'net10.0', `${name}.dll`);
    if (fs.existsSync(dll)) return dll;
  }
  throw new Error(`build samples/${name} first (./test.sh does)`);
}

/** Starts sample `name` with `--Key=value` settings; resolves with { url, stop() } once it logs its address. */
function startSample(name, settings = []) {
  return new Promise((resolve, reject) => {
    const child = spawn('dotnet', [sampleDll(name), '--urls', 'http://127.0.0.1:0', ...settings], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${name} did not start:\n${output}`)); }, 60000);
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], output: () => output, stop: () => stop(child) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code}:\n${output}`)); });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Debian's chromium, headless, with the flags the project's browser tests use. */
function launchBrowser() {
  // Required here, not at the top: suites outside this folder (tests/js/home-assistant) start samples without a browser.
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A seed's code block (seeds/FILE, byte for byte from the seed) with its server address replaced. */
function seedScript(file, replacements = {}) {
  let text = fs.readFileSync(path.join(__dirname, 'seeds', file), 'utf8');
  for (const [from, to] of Object.entries(replacements)) {
    if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
    text = text.split(from).join(to);
  }
  return text;
}

/** Records a page's console calls with their arguments as JSON values, and waits for one that matches. */
function consoleOf(page) {
  const entries = [];
  const waiters = [];
  page.on('console', async (message) => {
    const args = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => String(a))));
    entries.push(args);
    for (const waiter of [...waiters]) {
      if (waiter.match(args)) { waiters.splice(waiters.indexOf(waiter), 1); waiter.resolve(args); }
    }
  });
  return {
    entries,
    waitFor(match, what, timeout = 15000) {
      const found = entries.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        setTimeout(() => reject(new Error(`no console ${what} within ${timeout} ms; console: ${JSON.stringify(entries)}`)), timeout).unref();
      });
    },
  };
}

/**
 * A new page for the seed's code, served by a small local web server (as the seeds' apps are served by their own dev
 * servers), from where the code opens its WebSocket to the sample. A page served from the browser's own network
 * stack would be stopped by Chromium's local network access checks; a real loopback page is not.
 */
async function blankPage(browser) {
  if (!pageServer) {
    pageServer = http.createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>seed client</title>');
    });
    await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageServer.unref();
  }

  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${pageServer.address().port}/`);
  return page;
}

let pageServer;

async function postJson(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

module.exports = { startSample, launchBrowser, blankPage, seedScript, consoleOf, postJson };
