import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 120_000, // generous: CI may share this 2-core machine with other work
    hookTimeout: 180_000,
    // 2-core machine: PGlite (wasm) and Chromium tests are heavy; keep parallelism modest.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
