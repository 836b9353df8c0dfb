import type { LiveLoc } from '../model/location.js';
import type { Service, Stack } from '../model/types.js';

/**
 * What only a live swarm can tell, attached to the converted model as `Stack.live`: its nodes, the
 * audited services with their desired state, and every task with where it runs and how it ended.
 * Live rules read these; file rules read the services as they read a stack file.
 */
export interface LiveFacts {
  /** when the snapshot was taken (ms since the epoch); ages are measured from here */
  takenAt: number;
  /** the engine the snapshot came from, as the user named it */
  engine: string;
  engineVersion: string | null;
  /** the node the snapshot was taken on (the manager answering) */
  localNodeId: string | null;
  nodes: LiveNode[];
  /** the services in the audit's scope (--stack, --service), in the order of `Stack.services` */
  services: LiveService[];
  /** every service's id → name, including those outside the scope (their tasks use capacity too) */
  serviceNames: Map<string, string>;
  /** every task of the swarm, current and past */
  tasks: LiveTask[];
  scope: { stack: string | null; services: string[] };
  /** the stack file(s) given with -f, for drift */
  declared?: DeclaredStack;
}

export interface DeclaredStack {
  stack: Stack;
  /** the stack name the declared services are deployed under (`NAME_service`) */
  namespace: string;
  files: string[];
}

export interface LiveNode {
  id: string;
  /** the hostname, with a short id when two nodes share a hostname */
  name: string;
  hostname: string;
  role: 'manager' | 'worker' | string;
  /** `active`, `pause`, `drain` */
  availability: string;
  /** `ready`, `down`, `unknown`, `disconnected` */
  state: string;
  message: string;
  addr: string;
  labels: Record<string, string>;
  engineLabels: Record<string, string>;
  os: string;
  arch: string;
  nanoCpus: number;
  memoryBytes: number;
  engineVersion: string;
  manager: { leader: boolean; reachability: string; addr: string } | null;
  /** `node NAME` with the docker path of a field */
  loc(path: string): LiveLoc;
}

export type ServiceMode = 'replicated' | 'global' | 'replicated-job' | 'global-job';

export interface LiveService {
  id: string;
  name: string;
  /** the `com.docker.stack.namespace` label: the stack it was deployed in */
  namespace: string | null;
  mode: ServiceMode;
  /** desired replicas of a replicated service, else null */
  replicas: number | null;
  constraints: string[];
  maxReplicasPerNode: number;
  reservation: { nanoCpus: number; memoryBytes: number };
  /** the image as the stack file named it (`com.docker.stack.image`), else the spec's image */
  image: string;
  updateStatus: { state: string; message: string } | null;
  /**
   * A job's current run: its iteration (each `docker service update --force` starts the next) and
   * the completions a replicated job asks for (null for a global job: one per eligible node).
   */
  job: { iteration: number; completions: number | null } | null;
  /** the converted service, as rules see it */
  model: Service;
  loc(path: string): LiveLoc;
}

export interface LiveTask {
  id: string;
  serviceId: string;
  nodeId: string | null;
  slot: number | null;
  desiredState: string;
  state: string;
  message: string;
  err: string;
  exitCode: number | null;
  /** the job run the task belongs to (null for tasks of services that are not jobs) */
  jobIteration: number | null;
  /** ms since the epoch of the last status change */
  timestamp: number;
  reservation: { nanoCpus: number; memoryBytes: number };
  limit: { nanoCpus: number; memoryBytes: number };
}

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
