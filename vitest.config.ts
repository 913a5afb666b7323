import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2-core machine: PGlite (wasm) and Chromium tests are heavy; keep parallelism modest.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
