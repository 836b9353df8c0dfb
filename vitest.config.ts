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
    minWorkers: 1,
    // workers one step below vitest's own process, which must answer them within a fixed 60 s
    setupFiles: ['test/helpers/worker-priority.ts'],
  },
});
