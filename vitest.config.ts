import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * vitest's own order, with test/e2e/monitoring.test.ts last: the Prometheus it reads is started by
 * the e2e global setup, and by the time the other files have run, its alert's minute has passed.
 */
class MonitoringLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const last = (spec: TestSpecification) => spec.moduleId.endsWith('/test/e2e/monitoring.test.ts');
    return [...sorted.filter((spec) => !last(spec)), ...sorted.filter(last)];
  }
}

// The tiers (CONTRIBUTING.md, "Tests"):
//   unit   in-process: the core, and the CLI through main(argv, io); npm run test:unit
//   spawn  the built bin as a process: signals, pipes, concurrent runs, the packed package
//   lint   the committed outputs (test/fixtures/*/expected, generated/) through the linters; npm run lint
//   e2e    real containers, under one lock machine-wide
// Hooks get as long as tests: a verdict never depends on an idle machine.
export default defineConfig({
  test: {
    sequence: { sequencer: MonitoringLast },
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
          // One Docker engine and fixed host ports: the real-container scenarios run one at a time.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 600_000,
          globalSetup: ['test/e2e/setup.ts'],
        },
      },
    ],
  },
});
