// @vitest-environment node
// The package's .d.ts files (index.d.ts, react.d.ts) compile the documented usage in types-usage.tsx under strict
// TypeScript, including one line that must be a type error (publish resolves with a number).
import { expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

test('the type declarations describe the API', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: import.meta.dirname, encoding: 'utf8', timeout: 230000 });
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
}, 240000); // tsc takes seconds, but minutes on a loaded CI machine.
