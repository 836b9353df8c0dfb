import { execa } from 'execa';
import type { DockerInfo, DockerNetwork, DockerNode, DockerService, DockerTask } from './docker-types.js';

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
  | 'failed';

export class DockerError extends Error {
  constructor(
    readonly kind: DockerErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DockerError';
  }
}

export interface DockerOptions {
  /** a docker context name (`docker --context NAME`); otherwise DOCKER_HOST or the CLI's current context */
  context?: string;
  /** the longest one docker call may take, in milliseconds (default 30 s) */
  timeoutMs?: number;
  /** the environment of the docker CLI (default: this process's); DOCKER_HOST, DOCKER_CONFIG and PATH are read from it */
  env?: NodeJS.ProcessEnv;
  /** the docker executable, looked up on PATH (default `docker`) */
  command?: string;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** ids per `inspect` call: far below any ARG_MAX, and enough that a call covers a whole cluster */
export const IDS_PER_CALL = 2000;
const JSON_FORMAT = '{{json .}}';

export class DockerClient {
  /** the docker calls made so far (argument arrays), for progress and tests */
  readonly calls: string[][] = [];
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
    let result;
    try {
      result = await execa(this.command, full, {
        env: this.env,
        extendEnv: false,
        timeout: this.timeoutMs,
        forceKillAfterDelay: 2000,
        stdin: 'ignore',
        maxBuffer: 512 * 1024 * 1024,
        reject: false,
        stripFinalNewline: true,
      });
    } catch (e) {
      // execa reports failures in the result; anything thrown here is a failure to start at all
      throw this.classify(args, { failed: true, stderr: String((e as Error).message), code: (e as { code?: string }).code });
    }
    if (result.failed) throw this.classify(args, result);
    return result.stdout;
  }

  /** Run a command printing one JSON document per line (`--format '{{json .}}'`). */
  async runJsonLines<T>(args: string[]): Promise<T[]> {
    const out = await this.run(args);
    const docs: T[] = [];
    for (const line of out.split('\n')) {
      const t = line.trim();
      if (t === '') continue;
      try {
        docs.push(JSON.parse(t) as T);
      } catch {
        throw new DockerError('failed', `docker ${args.slice(0, 2).join(' ')} printed output that is not JSON: ${t.slice(0, 120)}`);
      }
    }
    return docs;
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
    return this.inspectMany<DockerNode>(['node', 'inspect', '--format', JSON_FORMAT], ids);
  }

  async serviceIds(): Promise<string[]> {
    return this.runIds(['service', 'ls', '--quiet']);
  }

  async inspectServices(ids: string[]): Promise<DockerService[]> {
    return this.inspectMany<DockerService>(['service', 'inspect', '--format', JSON_FORMAT], ids);
  }

  /** Every task of these services, current and past (the engine keeps a few per slot). */
  async taskIds(serviceIds: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const chunk of chunks(serviceIds)) out.push(...(await this.runIds(['service', 'ps', '--quiet', '--no-trunc', ...chunk])));
    return [...new Set(out)];
  }

  /**
   * The networks service specs attach to, by the ids the specs name: a spec names the host network
   * by its swarm-scope id, which `docker network ls` does not list (it shows the local one).
   */
  async inspectNetworks(ids: string[]): Promise<DockerNetwork[]> {
    return this.inspectMany<DockerNetwork>(['network', 'inspect', '--format', JSON_FORMAT], ids);
  }

  async inspectTasks(ids: string[]): Promise<DockerTask[]> {
    return this.inspectMany<DockerTask>(['inspect', '--type', 'task', '--format', JSON_FORMAT], ids);
  }

  private async inspectMany<T>(base: string[], ids: string[]): Promise<T[]> {
    const out: T[] = [];
    for (const chunk of chunks(ids)) out.push(...(await this.runJsonLines<T>([...base, ...chunk])));
    return out;
  }

  /** Turn a failed call into the error the user can act on. */
  private classify(
    args: string[],
    r: { failed: boolean; stderr?: unknown; code?: string; timedOut?: boolean; exitCode?: number; signal?: string },
  ): DockerError {
    const words: string[] = [];
    for (const a of args) {
      if (a.startsWith('-') || words.length === 2) break;
      words.push(a);
    }
    const what = `docker ${words.join(' ')}`;
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
    const stderr = typeof r.stderr === 'string' ? r.stderr : '';
    const text = stderr.replace(/\s+/g, ' ').trim();
    let m = /permission denied while trying to connect to the Docker daemon socket at (\S+?):?\s/i.exec(stderr);
    if (m || /connect: permission denied/i.test(stderr)) {
      const sock = m?.[1] ?? this.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
      return new DockerError(
        'permission',
        `permission denied on the Docker socket ${sock}: run stackopt as a user in the socket's group (usually \`docker\`) or as root, or point DOCKER_HOST at a socket you may use`,
      );
    }
    m = /context "?([^"\s]+)"?[^\n]*(?:not found|does not exist)/i.exec(stderr);
    if (m) {
      return new DockerError('context', `docker context "${m[1]}" does not exist: list the contexts with \`docker context ls\`, or drop --context to use DOCKER_HOST`);
    }
    m = /Cannot connect to the Docker daemon at (\S+?)\.? Is the docker daemon running/i.exec(stderr);
    if (m || /error during connect|connection refused|no such file or directory.*\.sock|dial (unix|tcp)/i.test(stderr)) {
      const address = m?.[1];
      return new DockerError(
        'unreachable',
        `cannot reach the Docker engine at ${this.describeEngine(address)}: start the engine, or set DOCKER_HOST or --context to a running swarm manager`,
      );
    }
    if (/not a swarm manager/i.test(stderr)) {
      const worker = /worker nodes/i.test(stderr);
      return new DockerError(
        'not-manager',
        worker
          ? `the Docker engine at ${this.describeEngine()} is a swarm worker, not a manager: point DOCKER_HOST or --context at a manager node`
          : `the Docker engine at ${this.describeEngine()} is not a swarm manager: point DOCKER_HOST or --context at a swarm manager, or create a swarm with \`docker swarm init\``,
      );
    }
    if (/swarm does not have a leader|rpc error: code = (Unavailable|DeadlineExceeded)/i.test(stderr)) {
      return new DockerError(
        'not-manager',
        `the swarm has no leader (${firstLine(stderr)}): a majority of managers is unreachable; restore them or recover with \`docker swarm init --force-new-cluster\` on a manager`,
      );
    }
    const detail = firstLine(stderr) || (r.exitCode !== undefined ? `exit code ${r.exitCode}` : r.signal ? `killed by ${r.signal}` : 'no message');
    return new DockerError('failed', `${what} failed: ${detail.slice(0, 300)}${text.length > 300 ? '…' : ''}`);
  }
}

function* chunks(ids: string[], size = IDS_PER_CALL): Generator<string[]> {
  for (let i = 0; i < ids.length; i += size) yield ids.slice(i, i + size);
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  ).replace(/^Error response from daemon:\s*/i, '');
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
