import { defineConfig } from 'vitest/config';

// Interop and end-to-end tests against real peers from gobgp-testbed/. One file at a time: the peers
// share loopback addresses and it keeps the 2-core CI machine from timing out sessions.
export default defineConfig({
  test: {
    include: ['test/interop/**/*.test.ts', 'test/netns/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
