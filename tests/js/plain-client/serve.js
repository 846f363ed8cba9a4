// Starts the real `switchboard serve`, or a sample's handler endpoint (the Release builds test.sh made), on a free
// loopback port.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = process.env.SWITCHBOARD_ROOT || path.resolve(__dirname, '../../..');

function builtDll(folder, file) {
  for (const config of ['Release', 'Debug']) {
    const dll = path.join(root, folder, 'bin', config, 'net10.0', file);
    if (fs.existsSync(dll)) return dll;
  }
  throw new Error(`build ${folder} first (./test.sh does)`);
}

const hostDll = () => builtDll('src/Switchboard', 'switchboard.dll');

/**
 * Resolves with { url, process, output() } once the server logs its address. With `fileLimit`, the server runs
 * under `ulimit -n fileLimit` (through bash, which then execs it, so the PID is the server's).
 */
function startServer(extraArgs = [], { fileLimit } = {}) {
  const argv = [hostDll(), 'serve', '--urls', 'http://127.0.0.1:0', ...extraArgs];
  return startProcess(fileLimit
    ? ['bash', ['-c', `ulimit -n ${Number(fileLimit)} && exec dotnet "$@"`, 'serve', ...argv]]
    : ['dotnet', argv], 'server');
}

function startProcess([command, args], what) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ASPNETCORE_ENVIRONMENT: process.env.ASPNETCORE_ENVIRONMENT || 'Development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${what} did not start:\n${output}`)); }, 60000);
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], process: child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited with ${code}:\n${output}`)); });
  });
}

/** Starts samples/NAME (its built dll) with `--Key=value` settings; resolves as startServer does. */
function startSample(name, settings = []) {
  return startProcess(['dotnet', [builtDll(`samples/${name}`, `${name}.dll`), '--urls', 'http://127.0.0.1:0', ...settings]], name);
}

/** Stops the server with a signal and resolves with its exit code. */
function stopServer(server, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    if (server.process.exitCode !== null) { resolve(server.process.exitCode); return; }
    const timer = setTimeout(() => server.process.kill('SIGKILL'), 20000);
    server.process.removeAllListeners('exit');
    server.process.on('exit', (code) => { clearTimeout(timer); resolve(code); });
    server.process.kill(signal);
  });
}

module.exports = { startServer, startSample, stopServer };
