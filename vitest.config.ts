import { defineConfig } from 'vitest/config';

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
  },
});
