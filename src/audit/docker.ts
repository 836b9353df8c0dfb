import { request } from 'node:http';
import { execa } from 'execa';
import type { DockerContainer, DockerContainerStats, DockerEvent, DockerInfo, DockerNetwork, DockerNode, DockerService, DockerTask } from './docker-types.js';
import { pushAll } from '../parse/collect.js';
import { jsonErrorOffset } from '../parse/json-position.js';

/**
 * The one door to docker: every call of the docker CLI in stackopt goes through `DockerClient`.
 * Argument arrays (never a shell string), a timeout on every call, `--format '{{json .}}'` where the
 * command has it, many ids per call, and the user's `DOCKER_HOST` or `--context` honoured.
 * Failures become a `DockerError` whose message is one line saying what to do.
 */

export type DockerErrorKind =
  | 'not-installed'
  | 'unreachable'
  | 'not-manager'
  | 'permission'
  | 'timeout'
  | 'context'
  | 'failed'
  /** objects named in a call that no longer exist (handled inside the client: never reaches a user) */
  | 'vanished';

export class DockerError extends Error {
  constructor(
    readonly kind: DockerErrorKind,
    message: string,
    /** for `vanished`: the ids docker said do not exist, and what it printed for the others */
    readonly vanished?: { ids: string[]; stdout: string },
  ) {
    super(message);
    this.name = 'DockerError';
  }
}

/** The kinds of objects read by id (swarm objects for the audit, containers for usage); one that disappears between two calls is gone, not a failure. */
export type SwarmObjectKind = 'node' | 'service' | 'task' | 'network' | 'container';

export interface DockerOptions {
  /** a docker context name (`docker --context NAME`); otherwise DOCKER_HOST or the CLI's current context */
  context?: string;
  /** the longest one docker call may take, in milliseconds (default 30 s) */
  timeoutMs?: number;
  /** the environment of the docker CLI (default: this process's); DOCKER_HOST, DOCKER_CONFIG and PATH are read from it */
  env?: NodeJS.ProcessEnv;
  /** the docker executable, looked up on PATH (default `docker`) */
  command?: string;
  /** what the command needs at the other end, named in the "cannot reach" advice (default a swarm manager) */
  needs?: 'swarm-manager' | 'engine';
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** the longest --timeout: a day (a timer holds at most 2^31-1 ms, about 24.8 days) */
export const MAX_TIMEOUT_MS = 86_400_000;
/** after SIGTERM on a timeout, the docker process group gets this long before SIGKILL */
const KILL_GRACE_MS = 2000;
/** ids per `inspect` call: far below any ARG_MAX, and enough that a call covers a whole cluster */
export const IDS_PER_CALL = 2000;
/** what is kept of docker's standard error: its messages are a few lines; more is noise (or hostile) */
export const MAX_STDERR_BYTES = 64 * 1024;
/** what is kept of its standard output: inspect output of a large swarm is legitimately big */
export const MAX_STDOUT_BYTES = 512 * 1024 * 1024;
const JSON_FORMAT = '{{json .}}';
/** the label `docker stack deploy` gives every service of a stack */
const STACK_NAMESPACE_FILTER = 'label=com.docker.stack.namespace=';

export class DockerClient {
  /** the docker calls made so far (argument arrays), for progress and tests */
  readonly calls: string[][] = [];
  /** objects named in one call and gone by the next (a task reaped, a service removed): left out of the snapshot */
  readonly vanished: Record<SwarmObjectKind, Set<string>> = { node: new Set(), service: new Set(), task: new Set(), network: new Set(), container: new Set() };
  private readonly timeoutMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly command: string;

  constructor(private readonly opts: DockerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.env = opts.env ?? process.env;
    this.command = opts.command ?? 'docker';
  }

  /** What the user would recognise as "the engine": the context, DOCKER_HOST, or the default socket. */
  describeEngine(address?: string): string {
    if (this.opts.context) return `docker context "${this.opts.context}"`;
    const host = this.env.DOCKER_HOST;
    if (host) return `DOCKER_HOST=${host}`;
    if (this.env.DOCKER_CONTEXT) return `docker context "${this.env.DOCKER_CONTEXT}" (DOCKER_CONTEXT)`;
    return address ? `${address} (DOCKER_HOST is not set)` : 'the default engine (DOCKER_HOST is not set)';
  }

  /** Run `docker ARGS...` and return its standard output. */
  async run(args: string[]): Promise<string> {
    const full = this.opts.context ? ['--context', this.opts.context, ...args] : args;
    this.calls.push(full);
    // the listeners are in place before docker starts: a signal that came between its start and them
    // would end stackopt at once (the default action) and leave docker's group running
    holdInterrupts();
    let subprocess;
    try {
      subprocess = execa(this.command, full, {
        env: this.env,
        extendEnv: false,
        // its own process group, so that a timeout ends docker and anything it started (a credential
        // helper, a plugin, a hostile wrapper's child holding stdout open), not docker alone
        detached: true,
        cleanup: true,
        stdin: 'ignore',
        maxBuffer: { stdout: MAX_STDOUT_BYTES, stderr: MAX_STDERR_BYTES },
        reject: false,
        stripFinalNewline: true,
      });
    } catch (e) {
      releaseInterrupts();
      throw this.classify(args, { failed: true, stderr: String((e as Error).message), code: (e as { code?: string }).code });
    }
    const pid = subprocess.pid;
    if (pid) runningGroups.add(pid);
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(subprocess.pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        signalGroup(subprocess.pid, 'SIGKILL');
        // a process that left the group may still hold the pipes: stop waiting for them
        subprocess.stdout?.destroy();
        subprocess.stderr?.destroy();
      }, KILL_GRACE_MS);
    }, this.timeoutMs);
    let result;
    try {
      result = await subprocess;
    } finally {
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (pid) runningGroups.delete(pid);
      releaseInterrupts();
    }
    if (timedOut) throw this.classify(args, { failed: true, timedOut: true });
    // execa reports failures in the result (and a failure to start at all with a code such as ENOENT)
    if (result.failed) {
      const stdout = typeof result.stdout === 'string' ? result.stdout : '';
      if (result.isMaxBuffer && stdout.length >= MAX_STDOUT_BYTES) {
        throw new DockerError('failed', `${describeCall(args)} printed more than ${MAX_STDOUT_BYTES / 1024 / 1024} MiB: audit a part of the swarm with --stack or --service`);
      }
      throw this.classify(args, { ...result, code: (result as { code?: string }).code }, stdout);
    }
    return result.stdout;
  }

  /** Run a command printing one JSON document per line (`--format '{{json .}}'`). */
  async runJsonLines<T>(args: string[]): Promise<T[]> {
    const out = await this.run(args);
    const docs: T[] = [];
    for (const line of out.split('\n')) {
      const t = line.trim();
      if (t === '') continue;
      docs.push(this.parseJsonLine<T>(args, t));
    }
    return docs;
  }

  private parseJsonLine<T>(args: string[], line: string): T {
    try {
      return JSON.parse(line) as T;
    } catch {
      // where, not what: a line of docker's JSON holds the services' environment values
      const at = jsonErrorOffset(line);
      throw new DockerError('failed', `${describeCall(args)} printed output that is not JSON (a line of ${line.length} characters, ${at >= line.length ? 'cut short' : `not JSON from column ${at + 1}`})`);
    }
  }

  /** Run an id-listing command (`-q`): one id per line. */
  async runIds(args: string[]): Promise<string[]> {
    const out = await this.run(args);
    return [...new Set(out.split('\n').map((l) => l.trim()).filter(Boolean))];
  }

  /** `docker info`: the engine, and whether it is a swarm manager. */
  async info(): Promise<DockerInfo> {
    const [info] = await this.runJsonLines<DockerInfo & { ServerErrors?: string[] }>(['info', '--format', JSON_FORMAT]);
    // a newer CLI prints client-side info with ServerErrors (and exit 0 or 1) when the engine is away
    if (info?.ServerErrors && info.ServerErrors.length > 0) {
      throw this.classify(['info'], { failed: true, stderr: info.ServerErrors.join('\n') });
    }
    if (!info) throw new DockerError('failed', 'docker info printed nothing');
    return info;
  }

  /** Fail with a clear message unless the engine is a swarm manager. */
  requireManager(info: DockerInfo): void {
    const swarm = info.Swarm;
    const where = this.describeEngine();
    const state = swarm?.LocalNodeState ?? 'inactive';
    if (state === 'locked') {
      throw new DockerError('not-manager', `the swarm manager at ${where} is locked: unlock it with \`docker swarm unlock\`, then run the audit again`);
    }
    if (state !== 'active') {
      throw new DockerError(
        'not-manager',
        `the Docker engine at ${where} is not part of a swarm (state "${state}"): point DOCKER_HOST or --context at a swarm manager, or create a swarm with \`docker swarm init\``,
      );
    }
    if (!swarm?.ControlAvailable) {
      throw new DockerError(
        'not-manager',
        `the Docker engine at ${where} is a swarm worker, not a manager: point DOCKER_HOST or --context at a manager node (\`docker node ls\` works there)`,
      );
    }
  }

  async nodeIds(): Promise<string[]> {
    return this.runIds(['node', 'ls', '--quiet']);
  }

  async inspectNodes(ids: string[]): Promise<DockerNode[]> {
    return this.inspectMany<DockerNode>('node', ['node', 'inspect', '--format', JSON_FORMAT], ids);
  }

  /** Service ids: every service, or those of one stack (`--filter label=com.docker.stack.namespace=NAME`). */
  async serviceIds(stack?: string | null): Promise<string[]> {
    return this.runIds(['service', 'ls', '--quiet', ...(stack ? ['--filter', `${STACK_NAMESPACE_FILTER}${stack}`] : [])]);
  }

  /** Id and name of every service (of one stack): to resolve the names a user gives without inspecting them all. */
  async serviceNames(stack?: string | null): Promise<Array<{ id: string; name: string }>> {
    const out = await this.run(['service', 'ls', '--format', '{{.ID}} {{.Name}}', ...(stack ? ['--filter', `${STACK_NAMESPACE_FILTER}${stack}`] : [])]);
    return out
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((w) => w.length === 2)
      .map(([id, name]) => ({ id: id!, name: name! }));
  }

  /** The names of the stacks deployed on the swarm (for a --stack that names none of them). */
  async stackNames(): Promise<string[]> {
    return (await this.runIds(['stack', 'ls', '--format', '{{.Name}}'])).sort();
  }

  async inspectServices(ids: string[]): Promise<DockerService[]> {
    return this.inspectMany<DockerService>('service', ['service', 'inspect', '--format', JSON_FORMAT], ids);
  }

  /** Every task of these services, current and past (the engine keeps a few per slot); a service removed meanwhile is left out. */
  async taskIds(serviceIds: string[]): Promise<string[]> {
    const out = await this.forEachBatch('service', ['service', 'ps', '--quiet', '--no-trunc'], serviceIds, (stdout) => stdout.split('\n').map((l) => l.trim()).filter(Boolean));
    return [...new Set(out)];
  }

  /**
   * The networks service specs attach to, by the ids the specs name: a spec names the host network
   * by its swarm-scope id, which `docker network ls` does not list (it shows the local one).
   */
  async inspectNetworks(ids: string[]): Promise<DockerNetwork[]> {
    return this.inspectMany<DockerNetwork>('network', ['network', 'inspect', '--format', JSON_FORMAT], ids);
  }

  async inspectTasks(ids: string[]): Promise<DockerTask[]> {
    return this.inspectMany<DockerTask>('task', ['inspect', '--type', 'task', '--format', JSON_FORMAT], ids);
  }

  /**
   * Ids of the containers, running or not, that carry a label (`KEY` or `KEY=VALUE`): the containers
   * of swarm tasks and compose services on this engine (containers are local to each engine).
   */
  async containerIds(label: string): Promise<string[]> {
    return this.runIds(['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${label}`]);
  }

  async inspectContainers(ids: string[]): Promise<DockerContainer[]> {
    return this.inspectMany<DockerContainer>('container', ['inspect', '--type', 'container', '--format', JSON_FORMAT], ids);
  }

  /**
   * One reading of each container's usage (`docker stats --no-stream`): CPU as a percentage of one
   * core, the memory working set (usage less inactive file pages) and PIDs, as the CLI prints them.
   * A container gone meanwhile is left out (docker then prints nothing for the others: they are
   * asked again without it).
   */
  async containerStats(ids: string[]): Promise<DockerContainerStats[]> {
    return this.forEachBatch('container', ['stats', '--no-stream', '--no-trunc', '--format', JSON_FORMAT], ids, (stdout, args) =>
      stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => this.parseJsonLine<DockerContainerStats>(args, l)),
    );
  }

  /**
   * The containers' `oom` events (a process killed by the kernel's OOM killer) between two engine
   * times, in seconds since the epoch (`docker events --since --until`: returns at once, since
   * `until` is not in the engine's future). Events are local to each engine.
   */
  async oomEvents(since: number, until: number): Promise<DockerEvent[]> {
    return this.runJsonLines<DockerEvent>([
      'events', '--since', since.toFixed(3), '--until', until.toFixed(3),
      '--filter', 'type=container', '--filter', 'event=oom', '--format', JSON_FORMAT,
    ]);
  }

  /**
   * CFS throttling counters of running containers (`cpu_stats.throttling_data`: periods with a CPU
   * quota, and those in which the quota ran out), which `docker stats` does not print. They are read
   * from the engine's own stats endpoint (`/containers/ID/stats?stream=false&one-shot=true`) when
   * the engine is reached through a local socket (`unix://`, as the docker context or DOCKER_HOST
   * names it); otherwise, or when a reading fails, a container has no entry. Cumulative counts.
   */
  async throttlingCounters(ids: string[]): Promise<Map<string, { periods: number; throttledPeriods: number }>> {
    const out = new Map<string, { periods: number; throttledPeriods: number }>();
    if (ids.length === 0) return out;
    this.socketPath ??= this.findLocalSocket();
    const socket = await this.socketPath;
    if (!socket) return out;
    await Promise.all(
      ids.map(async (id) => {
        const doc = await getJson(socket, `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`, this.timeoutMs);
        const t = (doc as { cpu_stats?: { throttling_data?: { periods?: unknown; throttled_periods?: unknown } } } | null)?.cpu_stats?.throttling_data;
        if (t && Number.isSafeInteger(t.periods) && Number.isSafeInteger(t.throttled_periods)) {
          out.set(id, { periods: t.periods as number, throttledPeriods: t.throttled_periods as number });
        }
      }),
    );
    return out;
  }

  private socketPath?: Promise<string | null>;

  /** The engine's socket when it is a local one: the docker endpoint of the context in use (DOCKER_HOST included). */
  private async findLocalSocket(): Promise<string | null> {
    let host: string;
    try {
      const [endpoint] = await this.runJsonLines<{ Host?: string }>(['context', 'inspect', ...(this.opts.context ? [this.opts.context] : []), '--format', '{{json .Endpoints.docker}}']);
      host = endpoint?.Host ?? '';
    } catch {
      return null;
    }
    return host.startsWith('unix://') ? host.slice('unix://'.length) : null;
  }

  /** `docker … inspect --format '{{json .}}' ID...`, many ids a call; objects gone meanwhile are left out. */
  async inspectMany<T>(kind: SwarmObjectKind, base: string[], ids: string[]): Promise<T[]> {
    return this.forEachBatch(kind, base, ids, (stdout, args) =>
      stdout
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => this.parseJsonLine<T>(args, l)),
    );
  }

  /**
   * The one place where calls name objects by id: `base ID...` in batches of IDS_PER_CALL. Docker
   * answers for the objects that exist and fails naming those that do not; an object that vanished
   * between two calls (a task reaped, a service removed) is gone, not a failure: it is recorded in
   * `vanished` and the batch is asked again without it, once. Should more vanish during that second
   * call, the objects docker printed are kept (it prints every one it found before failing).
   */
  async forEachBatch<T>(kind: SwarmObjectKind, base: string[], ids: string[], read: (stdout: string, args: string[]) => T[]): Promise<T[]> {
    const out: T[] = [];
    for (const chunk of chunks(ids)) {
      let args = [...base, ...chunk];
      let stdout: string;
      try {
        stdout = await this.run(args);
      } catch (e) {
        const gone = this.vanishedIn(e, kind, chunk);
        const rest = chunk.filter((id) => !gone.has(id));
        if (rest.length === 0) continue;
        args = [...base, ...rest];
        try {
          stdout = await this.run(args);
        } catch (again) {
          this.vanishedIn(again, kind, rest);
          stdout = (again as DockerError).vanished!.stdout;
        }
      }
      pushAll(out, read(stdout, args));
    }
    return out;
  }

  /** The ids a failed call says are gone (recorded in `vanished`); any other failure is thrown as it is. */
  private vanishedIn(e: unknown, kind: SwarmObjectKind, asked: string[]): Set<string> {
    if (!(e instanceof DockerError) || e.kind !== 'vanished' || !e.vanished) throw e;
    const askedSet = new Set(asked);
    const gone = new Set(e.vanished.ids);
    // a failure naming something this call did not ask for is not about a vanished object
    for (const id of gone) if (!askedSet.has(id)) throw new DockerError('failed', `${e.message}`);
    for (const id of gone) this.vanished[kind].add(id);
    return gone;
  }

  /** Turn a failed call into the error the user can act on. */
  private classify(
    args: string[],
    r: { failed: boolean; stderr?: unknown; code?: string; timedOut?: boolean; exitCode?: number; signal?: string },
    stdout = '',
  ): DockerError {
    const what = describeCall(args);
    if (r.code === 'ENOENT') {
      return new DockerError(
        'not-installed',
        `the docker CLI was not found on PATH ("${this.command}"): install Docker (https://docs.docker.com/engine/install/) or add the directory holding \`docker\` to PATH`,
      );
    }
    if (r.code === 'EACCES') {
      return new DockerError('not-installed', `the docker CLI ("${this.command}") cannot be executed (permission denied): check its file permissions`);
    }
    if (r.timedOut) {
      return new DockerError(
        'timeout',
        `${what} did not answer within ${formatSeconds(this.timeoutMs)} (engine at ${this.describeEngine()}): check that the engine is responsive, or allow more time with --timeout SECONDS`,
      );
    }
    const lines = stderrLines(typeof r.stderr === 'string' ? r.stderr : '');
    const gone = vanishedIds(lines);
    if (gone) return new DockerError('vanished', `${what} failed: ${lines[0]}`, { ids: gone, stdout });
    const any = (test: (line: string) => boolean) => lines.some(test);
    const find = (re: RegExp) => {
      for (const l of lines) {
        const m = re.exec(l);
        if (m) return m;
      }
      return null;
    };
    // every pattern below runs on one line of bounded length, and none repeats a quantifier over what another consumes
    let m = find(/permission denied while trying to connect to the Docker daemon socket at (\S{1,512}?):?(?:\s|$)/i);
    if (m || any((l) => /connect: permission denied/i.test(l))) {
      const sock = m?.[1] ?? this.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
      return new DockerError(
        'permission',
        `permission denied on the Docker socket ${sock}: run stackopt as a user in the socket's group (usually \`docker\`) or as root, or point DOCKER_HOST at a socket you may use`,
      );
    }
    m = find(/context "?([^"\s]{1,256})"?[^\n]{0,512}?(?:not found|does not exist)/i);
    if (m) {
      return new DockerError('context', `docker context "${m[1]}" does not exist: list the contexts with \`docker context ls\`, or drop --context to use DOCKER_HOST`);
    }
    m = find(/Cannot connect to the Docker daemon at (\S{1,512}?)\.? Is the docker daemon running/i);
    if (m || any((l) => /error during connect|connection refused|dial (?:unix|tcp)/i.test(l) || (/no such file or directory/i.test(l) && l.includes('.sock')))) {
      const address = m?.[1];
      return new DockerError(
        'unreachable',
        `cannot reach the Docker engine at ${this.describeEngine(address)}: start the engine, or set DOCKER_HOST or --context to a running ${this.opts.needs === 'engine' ? 'Docker engine' : 'swarm manager'}`,
      );
    }
    if (any((l) => /not a swarm manager/i.test(l))) {
      const worker = any((l) => /worker nodes/i.test(l));
      return new DockerError(
        'not-manager',
        worker
          ? `the Docker engine at ${this.describeEngine()} is a swarm worker, not a manager: point DOCKER_HOST or --context at a manager node`
          : `the Docker engine at ${this.describeEngine()} is not a swarm manager: point DOCKER_HOST or --context at a swarm manager, or create a swarm with \`docker swarm init\``,
      );
    }
    if (any((l) => /swarm does not have a leader|rpc error: code = (?:Unavailable|DeadlineExceeded)/i.test(l))) {
      return new DockerError(
        'not-manager',
        `the swarm has no leader (${shorten(lines[0]!)}): a majority of managers is unreachable; restore them or recover with \`docker swarm init --force-new-cluster\` on a manager`,
      );
    }
    const detail = lines[0] ?? (r.exitCode !== undefined ? `exit code ${r.exitCode}` : r.signal ? `killed by ${r.signal}` : 'no message');
    return new DockerError('failed', `${what} failed: ${shorten(detail)}`);
  }
}

/** `docker service inspect`: the command words of a call, without its options and ids. */
function describeCall(args: string[]): string {
  const words: string[] = [];
  for (const a of args) {
    if (a.startsWith('-') || words.length === 2) break;
    words.push(a);
  }
  return `docker ${words.join(' ')}`;
}

/** lines of docker's standard error the classifier reads, each at most this long */
const MAX_LINE = 4096;
const MAX_LINES = 200;

/** The first non-empty lines of docker's standard error, trimmed, without `Error response from daemon:`. */
function stderrLines(stderr: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= stderr.length && out.length < MAX_LINES) {
    let end = stderr.indexOf('\n', start);
    if (end < 0) end = stderr.length;
    const line = stderr.slice(start, Math.min(end, start + MAX_LINE)).trim();
    if (line !== '') out.push(line.replace(/^Error response from daemon:\s{0,8}/i, ''));
    start = end + 1;
  }
  return out;
}

/**
 * What docker says of an object that does not exist (any more), in the wordings of the CLIs from
 * 20.10 to 28: `task ID not found`, `no such service: ID`, `Error: No such node: ID`, `No such container: ID`,
 * `Status: Error: no such service: ID, Code: 1`. Anchored, one id per line.
 */
const VANISHED_LINE = /^(?:Status: )?(?:Error: )?(?:(?:task|service|node|network) ([A-Za-z0-9_.-]{1,128}) not found|no such (?:task|service|node|network|container|object): ([A-Za-z0-9_.-]{1,128}))(?:, Code: \d{1,5})?$/i;

/** The ids named when every line of the error says an object does not exist; null for any other failure. */
function vanishedIds(lines: string[]): string[] | null {
  if (lines.length === 0) return null;
  const ids: string[] = [];
  for (const l of lines) {
    const m = VANISHED_LINE.exec(l);
    if (!m) return null;
    ids.push((m[1] ?? m[2])!);
  }
  return ids;
}

function shorten(s: string, max = 300): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/**
 * The process groups of the docker calls running. Each call runs in a group of its own (so that a
 * timeout ends what it started too), which also takes it out of the terminal's: Ctrl-C or a SIGTERM
 * to stackopt would leave it running (against an engine that never answers, for good). While calls
 * run, such a signal ends their groups first, then stackopt as the signal would have ended it;
 * unless a command handles the signal itself (`usage record` stops and writes what it has).
 */
const runningGroups = new Set<number>();
const INTERRUPTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function endGroups(): void {
  for (const pid of runningGroups) signalGroup(pid, 'SIGTERM');
}

function onInterrupt(signal: NodeJS.Signals): void {
  // a command that handles the signal itself ends its calls its own way (`usage record` lets the
  // sample being read finish, keeps what it has and writes it)
  if (process.listenerCount(signal) > 1) return;
  endGroups();
  for (const s of INTERRUPTS) process.removeListener(s, onInterrupt);
  process.removeListener('exit', endGroups);
  callsHeld = 0;
  process.kill(process.pid, signal);
}

/** docker calls started and not yet ended: the signal listeners are in place while there are any */
let callsHeld = 0;

function holdInterrupts(): void {
  if (callsHeld++ > 0) return;
  for (const s of INTERRUPTS) process.on(s, onInterrupt);
  process.on('exit', endGroups);
}

function releaseInterrupts(): void {
  if (callsHeld === 0 || --callsHeld > 0) return;
  for (const s of INTERRUPTS) process.removeListener(s, onInterrupt);
  process.removeListener('exit', endGroups);
}

/** Signal a whole process group (the docker call and what it started); it may be gone already. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

/** the most of one stats document read from the engine's socket */
const MAX_ENGINE_JSON_BYTES = 1024 * 1024;

/** GET a JSON document from the engine's socket; null on any failure (the caller goes without it). */
function getJson(socketPath: string, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', headers: { Host: 'docker' }, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        resolve(null);
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_ENGINE_JSON_BYTES) {
          req.destroy();
          resolve(null);
        } else parts.push(d);
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

function* chunks(ids: string[], size = IDS_PER_CALL): Generator<string[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
}

function formatSeconds(ms: number): string {
  return `${+(ms / 1000).toFixed(3)} s`;
}
