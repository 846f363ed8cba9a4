// Rough proxy throughput (docs/proxy.md, Sizing): N connections (env N, default 32) keep W rpc calls each in flight
// (env W, default 4) for S seconds (default 10, after a 2 s warm-up) through the Release build of `switchboard serve`,
// whose rpc proxy calls a Node backend on loopback answering after D ms (default 0). Prints calls per second.
// Needs `dotnet build -c Release` and `npm ci` in tests/js/js-client (for ws). Loopback only, bounded by N * W.
// Run: node bench/ProxyCalls/measure.mjs     (or N=64 W=2 D=5 node bench/ProxyCalls/measure.mjs)
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../tests/js/js-client/package.json', import.meta.url));
const WebSocket = require('ws');
const [connections, window, seconds, delayMs] = [Number(process.env.N ?? 32), Number(process.env.W ?? 4), Number(process.env.S ?? 10), Number(process.env.D ?? 0)];
let backendCalls = 0;
const backend = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    backendCalls++;
    const send = () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{"result":{"data":1}}'); };
    if (delayMs > 0) setTimeout(send, delayMs); else send();
  });
});
await new Promise((r) => backend.listen(0, '127.0.0.1', r));
const port = 20000 + Math.floor(Math.random() * 10000);
const server = spawn('dotnet', [new URL('../../src/Switchboard/bin/Release/net10.0/switchboard.dll', import.meta.url).pathname, 'serve', '--urls', `http://127.0.0.1:${port}`,
  `--Switchboard:Proxy:Rpc:Url=http://127.0.0.1:${backend.address().port}/rpc`, '--Logging:LogLevel:Default=Warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
server.stdout.on('data', (c) => { out += c; }); server.stderr.on('data', (c) => { out += c; });
for (let i = 0; i < 600 && !/listening on|Now listening/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
let ok = 0, failed = 0, running = true;
const sockets = await Promise.all(Array.from({ length: connections }, () => new Promise((resolve) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  let id = 0;
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString());
    if (m.type === 'welcome') { resolve(ws); return; }
    if (m.type === 'result') { if (m.success) ok++; else failed++; if (running) ws.send(JSON.stringify({ type: 'rpc', method: 'm', id: ++id })); }
  });
  ws.start = () => { for (let i = 0; i < window; i++) ws.send(JSON.stringify({ type: 'rpc', method: 'm', id: ++id })); };
})));
// warm up 2 s
sockets.forEach((s) => s.start());
await new Promise((r) => setTimeout(r, 2000));
const [ok0, f0] = [ok, failed];
const t0 = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (Date.now() - t0) / 1000;
running = false;
console.log(JSON.stringify({ connections, window, backendDelayMs: delayMs, callsPerSecond: Math.round((ok - ok0) / elapsed), failedPerSecond: Math.round((failed - f0) / elapsed) }));
sockets.forEach((s) => s.terminate());
server.kill('SIGTERM');
backend.close();
setTimeout(() => process.exit(0), 500);
