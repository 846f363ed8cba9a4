// The package is ES modules only (docs/clients/javascript.md, "CommonJS"): a CommonJS program loads it with require(),
// which Node 20.19+ and 22.12+ do for ES modules by default, and gets the very classes import() gives (one copy of
// each, no dual-package hazard).
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');

test('require() loads the package in this Node, with the same classes as import()', async () => {
  assert.equal(process.features.require_module, true, `Node ${process.version} cannot require ES modules`);
  const required = require('@switchboard/client');
  const imported = await import('@switchboard/client');
  assert.equal(typeof required.JsonSocket, 'function');
  assert.equal(required.JsonSocket, imported.JsonSocket);
  assert.equal(required.SwitchboardClient, imported.SwitchboardClient);
});
