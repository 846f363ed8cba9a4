// Compiles a seed's React code (its JSX or TSX, as written) and a page that renders it into one classic script with
// esbuild, as the seeds' apps are built by their own bundlers, and loads it into a headless Chromium page.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');
const { blankPage, seedScript } = require('./harness');

/**
 * `entry` is the page's JSX; it imports the `modules` as `seed:NAME` (each `{ contents, loader: 'jsx' | 'tsx' }`),
 * `react`, `react-dom/client` and `@switchboard/client/react` from this folder's node_modules.
 */
async function bundle(entry, modules) {
  const result = await esbuild.build({
    stdin: { contents: entry, loader: 'jsx', resolveDir: __dirname, sourcefile: 'page.jsx' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic', // React 17+'s runtime: the seeds' components do not import React.
    // @switchboard/client is linked from clients/js: its `react` import must resolve here, to the page's one React.
    preserveSymlinks: true,
    define: { 'process.env.NODE_ENV': '"development"' }, // React's development build: its warnings reach the console.
    logLevel: 'silent',
    plugins: [{
      name: 'seed-modules',
      setup(build) {
        build.onResolve({ filter: /^seed:/ }, (args) => ({ path: args.path.slice('seed:'.length), namespace: 'seed' }));
        build.onLoad({ filter: /.*/, namespace: 'seed' }, (args) => ({ ...modules[args.path], resolveDir: __dirname }));
      },
    }],
  });
  return result.outputFiles[0].text;
}

/** A new page (from harness.blankPage) with a `#root` element and the compiled `entry` running in it. */
async function reactPage(browser, entry, modules) {
  const script = await bundle(entry, modules);
  const page = await blankPage(browser);
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  await page.evaluate(() => { document.body.innerHTML = '<div id="root"></div>'; });
  await page.addScriptTag({ content: script });
  return { page, errors };
}

/**
 * A seed's React code block (seeds/FILE, as written) with its server address replaced, as a module for `reactPage`.
 * The seeds do not export their components, so one `export { exported };` line is appended.
 */
function seedModule(file, replacements, exported) {
  return { contents: `${seedScript(file, replacements)}\nexport { ${exported} };\n`, loader: path.extname(file).slice(1) };
}

/** The first `lang` (jsx or tsx) code block of docs/clients/javascript.md's section on the seeds' hooks, as printed but for `replacements`. */
function docsModule(lang, replacements) {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../../docs/clients/javascript.md'), 'utf8');
  let code = new RegExp(`\`\`\`${lang}\n([\\s\\S]*?)\`\`\``).exec(doc.slice(doc.indexOf("### The seeds' hooks, rewritten on `useJsonSocket`")))[1];
  for (const [from, to] of Object.entries(replacements)) {
    if (!code.includes(from)) throw new Error(`the docs' ${lang} block does not contain ${from}`);
    code = code.split(from).join(to);
  }
  return { contents: code, loader: lang };
}

module.exports = { reactPage, seedModule, docsModule };
