import { defineConfig } from 'vitest/config';

// The tiers (CONTRIBUTING.md, "Tests"):
//   unit   in-process: the core, and the CLI through main(argv, io); npm run test:unit
//   spawn  the built bin as a process: signals, pipes, concurrent runs, the packed package
//   lint   the committed outputs (test/fixtures/*/expected, generated/) through the linters; npm run lint
//   e2e    real containers, under one lock machine-wide
//   prometheus  a real Prometheus on a bundle's monitoring/ (no containers), beside e2e
// Hooks get as long as tests: a verdict never depends on an idle machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/spawn/**'],
          setupFiles: ['test/cleanup.ts'],
          // In-process runs of main() change the working folder: one process per test file.
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'spawn',
          include: ['test/spawn/**/*.test.ts'],
          setupFiles: ['test/cleanup.ts'],
          pool: 'forks',
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'lint',
          include: ['test/**/*.lint.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          exclude: ['test/e2e/monitoring.test.ts'],
          // One Docker engine and fixed host ports: the real-container scenarios run one at a time.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 600_000,
          globalSetup: ['test/e2e/setup.ts'],
        },
      },
      {
        // A real Prometheus against a bundle's monitoring/: no container, no fixed port (it picks a
        // free one), so it needs neither the engine nor the e2e lock, and runs beside the e2e files
        // instead of adding its minute of waiting for the alert's `for` to theirs.
        test: {
          name: 'prometheus',
          include: ['test/e2e/monitoring.test.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
