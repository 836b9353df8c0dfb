import { setPriority } from 'node:os';

/**
 * Test workers (and the CLIs, docker and engines they start) run one step below vitest's own
 * process, which must answer each worker's messages within vitest's fixed 60 s: on a machine
 * loaded far beyond its cores, a main process starved by its own workers misses that and the run
 * ends with "Timeout calling onTaskUpdate" errors although every test passed.
 */
try {
  setPriority(5);
} catch {
  /* not allowed here: the worker keeps its priority */
}
