import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files whose time is mostly spent waiting (npm installs and builds of a copy of the repository,
 * a few seconds of CPU over a minute or more): they start first, so that their wait overlaps the
 * other files' work instead of ending the run alone. vitest orders files by their last durations
 * when its cache has them, otherwise by size, which put these small files near the end (the hook
 * test ended the run, alone on one core, for the last 50 s).
 */
const START_FIRST = ['test/pre-commit.test.ts', 'test/action.test.ts'];

class WaitingFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = START_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}`));
      return i < 0 ? START_FIRST.length : i;
    };
    // a stable sort: the rest keeps vitest's order
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['rules/**/*.test.ts', 'test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // vitest's default is one worker less than the cores: one worker on a 2-core machine. Most of
    // the slow files wait on subprocesses (dockerd engines, docker stack config, the CLI), so three
    // workers share two cores well; each engine suite has its own data root, socket and free ports.
    maxWorkers: 3,
    // Each worker runs one file after another in the same process, which keeps the modules it has
    // loaded: a fresh process per file loaded the sources again (about 1 s of CPU a file, 100 s of
    // the suite's 13 minutes). Test files restore what they change (the working folder), and each
    // test gets its own temporary folders. With reused workers, vitest ends the run with
    // "Terminating worker thread" when it may stop idle ones: the three stay until the end.
    isolate: false,
    minWorkers: 3,
    // workers one step below vitest's own process, which must answer them within a fixed 60 s;
    // STACKOPT_TEST_CPU_LOG=FILE logs the CPU each test file takes
    setupFiles: ['test/helpers/worker-priority.ts', 'test/helpers/cpu-log.ts'],
    sequence: { sequencer: WaitingFirst },
  },
});
