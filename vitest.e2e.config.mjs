// Vitest settings for the browser suite (tests/e2e: headless Chromium via playwright-core, one
// browser per test file, files run one after another): `npx vitest run -c vitest.e2e.config.mjs`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.mjs'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
