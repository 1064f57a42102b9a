import { defineConfig } from 'vitest/config';

// Unit and component tests: pure code, the EC2 emulator, our own encoder as a peer. Run in parallel.
// Tests that start real BGP implementations (gobgpd, BIRD, FRR, ExaBGP) live in test/interop and run
// serially through vitest.interop.config.ts, as do the network-namespace tests in test/netns.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/interop/**', 'test/netns/**', 'node_modules/**', 'dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
