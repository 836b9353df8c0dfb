/**
 * Reading live facts: which tasks hold resources, which nodes can run tasks, how far a job has come.
 * The live facts themselves (`LiveFacts`, `LiveNode`, `LiveService`, `LiveTask`) are model types in
 * `types.ts`, re-exported here.
 */
import type { LiveNode, LiveService, LiveTask } from './types.js';

export type { DeclaredStack, LiveFacts, LiveNetwork, LiveNode, LiveService, LiveSwarm, LiveTask, ServiceMode } from './types.js';

/** Task states in which a task holds its node's resources (the scheduler counts it). */
export const ACTIVE_TASK_STATES = new Set(['assigned', 'accepted', 'preparing', 'ready', 'starting', 'running']);
/** Task states of a task on its way to running, not yet there. */
export const STARTING_TASK_STATES = new Set(['new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting']);
/** Task states of a task that ended badly. */
export const FAILED_TASK_STATES = new Set(['failed', 'rejected']);

export function isActiveTask(t: LiveTask): boolean {
  return t.nodeId !== null && (t.desiredState === 'running' || t.desiredState === 'ready') && ACTIVE_TASK_STATES.has(t.state);
}

export function isNodeUsable(n: LiveNode): boolean {
  return n.availability === 'active' && n.state === 'ready';
}

/**
 * Where a job's current run stands: its tasks (those of other runs left out; a task recorded
 * without its run counts as the current one's), and how many of the completions it asks for are
 * done. A global job asks for one per eligible node (`eligibleNodes`).
 */
export function jobProgress(job: NonNullable<LiveService['job']>, tasks: LiveTask[], eligibleNodes: number): { run: LiveTask[]; done: number; total: number } {
  const run = tasks.filter((t) => (t.jobIteration ?? job.iteration) === job.iteration);
  const complete = run.filter((t) => t.state === 'complete');
  const global = job.completions === null;
  return { run, done: global ? new Set(complete.map((t) => t.nodeId)).size : complete.length, total: global ? eligibleNodes : job.completions! };
}
