import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{protocol,runtime,hub,sfu,sfu-client,device-bridge,launcher,desktop}/src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // A failed test prints its processes' warnings and errors.
          setupFiles: ['tests/e2e/support/failure-report.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Real processes on real ports: one file at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
