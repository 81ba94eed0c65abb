/**
 * Build of the three bundles: the main process (Electron host + the `quotedesk` CLI, which share the
 * headless desk, and the engine thread's worker entry), the sandboxed preload (one CommonJS file, as a sandboxed preload must be), and the
 * React renderer that both the Electron window and `quotedesk serve` load.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/main/cli/main.ts'),
          // The engine thread's entry (engine/engine-link.ts starts it as a worker beside itself).
          'engine-worker': resolve('src/main/engine/engine-worker.ts'),
          // Database reads and exports for the transports (bridge/reads.ts starts them).
          'read-worker': resolve('src/main/bridge/read-worker.ts'),
        },
        // why: shared chunks sit beside the entries, so `new URL('./engine-worker.js', import.meta.url)`
        // finds the worker from whichever chunk the link was bundled into.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
