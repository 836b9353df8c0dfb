import type { DotenvUse, LMap } from '../parse/located.js';
import type { SourceFile } from '../parse/source-file.js';
import type { LRef, Located } from './access.js';
import type { LiveLoc, Loc } from '../parse/location.js';
import type { ShortPort } from '../parse/stack-formats.js';
import type { FileVersion } from '../parse/load-project.js';

/** The typed model every rule reads, built from files or from a live swarm. */
export interface Stack {
  origin: 'file' | 'live';
  /** the files in the order given (empty for live stacks) */
  files: SourceFile[];
  root: LRef<LMap>;
  services: Service[];
  networks: Map<string, TopLevelObject>;
  volumes: Map<string, TopLevelObject>;
  secrets: Map<string, TopLevelObject>;
  configs: Map<string, TopLevelObject>;
  /**
   * What the stack is deployed with, as lint resolved it (`--target`, config, or auto-detected):
   * `compose` or `swarm` (`docker stack deploy`). Absent: read it through `stackTarget()`.
   */
  target?: 'compose' | 'swarm';
  /**
   * The `.env` file read without --env-file and where the files use a variable only it sets (set
   * by lint): `docker stack deploy` does not read that file.
   */
  dotenv?: { file: string; uses: DotenvUse[] } | null;
  /** what only a live swarm tells (nodes, tasks, desired state): set by `stackopt audit`, read by live rules */
  live?: LiveFacts;
  /**
   * The `version` each file of the project declares, in the order given (set by lint): the merged
   * tree keeps only the last one, and docker stack deploy refuses files whose versions differ.
   */
  fileVersions?: FileVersion[];
}

export interface TopLevelObject {
  name: string;
  ref: LRef;
  loc: Loc;
}

export interface Resources {
  ref: LRef | null;
  cpus: Located<number> | null;
  memory: Located<number> | null;
  pids: Located<number> | null;
}

export interface Healthcheck {
  ref: LRef;
  disable: boolean;
  /** `test` as a list (`["CMD", ...]`) or a shell string, null when absent */
  test: Located<string[] | string> | null;
  interval: Located<number> | null;
  timeout: Located<number> | null;
  startPeriod: Located<number> | null;
  retries: Located<number> | null;
}

export interface Mount {
  ref: LRef;
  syntax: 'short' | 'long';
  type: string;
  source: string | null;
  target: string;
  readOnly: boolean;
  /** tmpfs size in bytes (long syntax `tmpfs.size`, or `size=` in short tmpfs options) */
  size: number | null;
  /** mount options of a short `tmpfs:` entry (`noexec`, `nosuid`, `size=…`, `mode=…`) */
  options: string[];
}

export interface Port extends ShortPort {
  ref: LRef;
  syntax: 'short' | 'long';
}

export interface SleepPolicy {
  /** `sleep_policy` (rejected by docker) or `x-sleep-policy` (an extension key), or a live label set */
  key: 'sleep_policy' | 'x-sleep-policy' | 'labels';
  ref: LRef;
}

export interface Service {
  name: string;
  /** where the service's name is written (`services.<name>` key) */
  nameLoc: Loc;
  ref: LRef<LMap>;
  image: Located<string> | null;
  user: Located<string> | null;
  deploy: LRef | null;
  mode: Located<string> | null;
  replicas: Located<number> | null;
  limits: Resources;
  reservations: Resources;
  healthcheck: Healthcheck | null;
  capAdd: Located<string>[];
  /** null when the service has no `cap_drop` key */
  capDrop: { ref: LRef; items: Located<string>[] } | null;
  readOnly: Located<boolean> | null;
  /** `tmpfs:` entries and `volumes:` mounts of every type */
  tmpfs: Mount[];
  volumes: Mount[];
  ports: Port[];
  /**
   * The networks the service attaches to, from either form of `networks:` (a list of names, or a
   * mapping by name); `ref` is the list item, or the mapping value with its entry (the name's key).
   */
  networks: Array<{ name: string; ref: LRef }>;
  labels: Map<string, Located<string>>;
  environment: Map<string, Located<string | number | boolean | null>>;
  sleepPolicy: SleepPolicy | null;
  /** the service's `x-stackopt` extension block */
  xStackopt: LRef | null;
}

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
  /** the swarm's own settings (`docker info`: `Swarm.Cluster`); null in a snapshot that lacks them */
  swarm?: LiveSwarm | null;
  /** the networks the audited services attach to, as the engine resolves their ids (absent in older snapshots) */
  networks?: LiveNetwork[];
}

/** The swarm's own settings, as a manager's `docker info` shows them. */
export interface LiveSwarm {
  /** `Spec.EncryptionConfig.AutoLockManagers` (null: not shown) */
  autoLockManagers: boolean | null;
  /** `Spec.CAConfig.NodeCertExpiry` in ms (null: not shown) */
  nodeCertExpiryMs: number | null;
  /** the root CA certificate's validity (`TLSInfo.TrustRoot`), ms since the epoch; null when not shown */
  rootCa: { notBefore: number; notAfter: number } | null;
  /** a root CA rotation is under way (`RootRotationInProgress`) */
  rootRotationInProgress: boolean;
  /** `swarm` with the docker path of a field of `docker info` */
  loc(path: string): LiveLoc;
}

/** A network a service attaches to, resolved by its swarm id (`docker network inspect`). */
export interface LiveNetwork {
  id: string;
  name: string;
  /** `overlay`, `host`, ... ('' when not recorded) */
  driver: string;
  scope: string;
  /** an overlay network created with `--opt encrypted` */
  encrypted: boolean;
  ingress: boolean;
  /** the audited services attached to it (names) */
  services: string[];
  loc(path: string): LiveLoc;
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
  /** the image the service runs (`ContainerSpec.Image`, its pinned digest left out) */
  image: string;
  /** the image the stack file named when it was deployed (`com.docker.stack.image`), else null */
  stackImage: string | null;
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
