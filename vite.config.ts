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
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // one file at a time: the browser suites each drive Chromium with software WebGL and a
    // simulator, and two at once on a 2-core machine starve each other
    fileParallelism: false,
    hookTimeout: 60_000,
  },
});
