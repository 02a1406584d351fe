// Vitest settings: two projects run by one `npx vitest run`.
// - node: the wasm runtime, the CLI and the wasm build of the ref-vs-SIMD kernel tests, in Node.
// - browser: headless Chromium via playwright-core (one browser per file, files in sequence).
// `npx vitest run --project browser` runs one of them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['tests/js/**/*.test.mjs'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['tests/e2e/**/*.test.mjs'], fileParallelism: false },
      },
    ],
  },
});
