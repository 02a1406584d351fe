// Vitest settings for the Node suite (tests/js): the wasm runtime, the CLI and the wasm build of
// the ref-vs-SIMD kernel tests, all under Node. The browser suite has vitest.e2e.config.mjs.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/js/**/*.test.mjs'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
