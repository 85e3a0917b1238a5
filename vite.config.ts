/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { buildIdPlugin } from './scripts/build-id-plugin.ts';

const backend = process.env.ONESCREEN_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'web',
  plugins: [svelte({ configFile: false }), buildIdPlugin()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: {
      '/api': backend,
      '/socket.io': { target: backend, ws: true },
    },
  },
  test: {
    root: '.',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // pure logic, the view-models, and the servers each test starts on loopback ports of its
        // own (temporary data, PostgreSQL and Redis included): two files at a time
        extends: true,
        test: {
          name: 'node',
          include: ['test/{unit,web,regression,contract,integration,deploy}/**/*.test.ts'],
          // vitest's default is one fewer than the cores: 1 on the 2-core machines here
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // one file at a time, after the rest: each drives Chromium with software WebGL (and most
        // a simulator), and two at once on a 2-core machine starve each other
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
