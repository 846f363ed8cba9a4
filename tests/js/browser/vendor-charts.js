// Copies the chart library (uPlot, MIT) from npm into the server's embedded files, with its license.
// Run after changing uplot's version in package.json: `npm install && npm run vendor`, then commit the result.
// The copy is committed so that `dotnet run --project src/Switchboard -- serve` needs no npm step on a fresh machine;
// pages.test.js fails when the committed copy differs from the locked npm package.
import fs from 'node:fs';
import path from 'node:path';

export const vendorDir = path.resolve(import.meta.dirname, '../../../src/Switchboard/wwwroot/vendor/uplot');
const packageDir = path.resolve(import.meta.dirname, 'node_modules/uplot');
export const vendoredFiles = { 'uPlot.iife.min.js': 'dist/uPlot.iife.min.js', 'uPlot.min.css': 'dist/uPlot.min.css', 'LICENSE.txt': 'LICENSE' };

export function packageFile(name) {
  return fs.readFileSync(path.join(packageDir, vendoredFiles[name]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  fs.mkdirSync(vendorDir, { recursive: true });
  for (const name of Object.keys(vendoredFiles)) fs.writeFileSync(path.join(vendorDir, name), packageFile(name));
  const version = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
  fs.writeFileSync(path.join(vendorDir, 'VERSION'), `uplot ${version} (npm), copied by tests/js/browser/vendor-charts.js\n`);
  console.log(`uplot ${version} copied to ${vendorDir}`);
}
