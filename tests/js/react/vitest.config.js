import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The client is linked from clients/js (file: dependency): resolve its `react` import from this folder's
  // node_modules, as an installed package would, so that the hooks and the test share one React.
  resolve: { preserveSymlinks: true, dedupe: ['react', 'react-dom'] },
  // The automatic JSX runtime, as React 17+ apps use it: the documented examples do not import React.
  esbuild: { jsx: 'automatic' },
  test: {
    environment: 'jsdom',
    server: { deps: { inline: ['@switchboard/client'] } },
    testTimeout: 60000,
    hookTimeout: 60000,
    fileParallelism: false,
  },
});
