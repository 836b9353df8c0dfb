import type { LiveFacts } from '../audit/live-facts.js';
import type { DotenvUse, LMap } from '../parse/located.js';
import type { SourceFile } from '../parse/source-file.js';
import type { LRef, Located } from './access.js';
import type { Loc } from './location.js';

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

export interface Port {
  ref: LRef;
  syntax: 'short' | 'long';
  target: string;
  published: string | null;
  hostIp: string | null;
  protocol: string;
  mode: string | null;
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
