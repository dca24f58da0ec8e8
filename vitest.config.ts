import { defineConfig } from 'vitest/config';

// Many tests run the built CLI as a child process; on a loaded 2-core machine those take seconds.
export default defineConfig({
  test: {
    // Certificates for the local Azure servers, trusted by every worker and CLI child process.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
