import { writeOutputFile } from '../parse/write-file.js';
import type { Command } from 'commander';
import { loadCommandConfig } from '../config/find-config.js';
import { allRules } from '../engine/registry.js';
import type { Finding } from '../engine/types.js';
import type { AuditOptions, LiveAudit } from '../audit/audit.js';
import { formatNames, loadFormatter } from '../format/index.js';
import type { ReportResult } from '../format/types.js';
import { describeFsError } from '../parse/read-text.js';
import { CliError, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, quoteValue } from './exit-codes.js';
import { failsAt, type FailOn } from '../engine/fail-on.js';
import { parseRuleSeverity, withSeverities } from './rules-command.js';
import { collect, parseFailOn, useColor, type GlobalContext } from './shared.js';

export interface AuditCommandOptions {
  stack?: string;
  service?: string[];
  context?: string;
  file?: string[];
  envFile?: string[];
  format: string;
  outputFile?: string;
  saveSnapshot?: string;
  snapshot?: string;
  timeout: number;
  color?: boolean;
  config?: string;
  rule?: Array<ReturnType<typeof parseRuleSeverity>>;
  failOn?: FailOn;
}

/** the longest --timeout, in seconds: a day */
const MAX_TIMEOUT_S = 86_400;

/**
 * `--timeout SECONDS`: a decimal number above 0 and up to a day. Milliseconds are rounded up, so
 * that a tiny value still limits the call (0 would mean no limit at all).
 */
export function parseTimeout(v: string): number {
  const t = v.trim();
  const n = Number(t);
  if (!/^(?:\d{1,9}(?:\.\d{0,9})?|\.\d{1,9})$/.test(t) || !(n > 0) || n > MAX_TIMEOUT_S) {
    throw new CliError(`--timeout takes a number of seconds above 0 and at most ${MAX_TIMEOUT_S} (a day), not ${JSON.stringify(v.slice(0, 40))}`);
  }
  return n;
}

export function registerAudit(program: Command, g: GlobalContext): void {
  program
    .command('audit')
    .summary('audit a live swarm: the lint rules on every deployed service, plus cluster checks')
    .description(
      'Inspect a running Docker Swarm through the docker CLI and report what `stackopt lint` would say of each ' +
        'deployed service (its spec converted back into the compose model), plus what only a live cluster can tell.',
    )
    .option('--stack <name>', 'audit only the services of this stack (as deployed by `docker stack deploy ... NAME`)')
    .option('--service <name...>', 'audit only these services (full names, or names within --stack); repeatable')
    .option('--context <name>', 'the docker context to use (as `docker --context NAME`); default: DOCKER_HOST or the current context')
    .option('-f, --file <file>', 'the stack file the swarm was deployed from, for stack-drift (repeatable, merged in order)', collect)
    .option('--env-file <file>', 'variables for ${VAR} in the -f files, instead of the .env beside the first (repeatable)', collect)
    .option('--format <name>', `stylish (the human report) or a machine format: ${formatNames().filter((n) => n !== 'stylish').join(', ')}`, 'stylish')
    .option('-o, --output-file <file>', 'write the report to a file instead of standard output')
    .option('--save-snapshot <file>', 'also save what was read from the swarm to this JSON file, environment values redacted, mode 0600 (replay it with --snapshot)')
    .option('--snapshot <file>', 'audit a snapshot saved with --save-snapshot instead of a live swarm (no docker needed)')
    .option('--timeout <seconds>', 'the longest any one docker call may take (above 0, at most 86400)', parseTimeout, 30)
    .option('--color', 'colours even when output is not a terminal (wins over NO_COLOR)')
    .option('--no-color', 'no colours (also off with NO_COLOR or when output is not a terminal)')
    .option('-c, --config <file>', 'read this configuration instead of the nearest .stackopt.yaml (rule severities and options)')
    .option('--rule <id:severity>', 'set a rule\'s severity: off, info, warning or error (repeatable; wins over the configuration)', (v: string, prev: AuditCommandOptions['rule'] = []) => [...prev, parseRuleSeverity(v)])
    .option('--fail-on <severity>', 'exit 1 when a finding has this severity or a higher one: error (default), warning, info, or none; default: the configuration\'s failOn', parseFailOn)
    .addHelpText(
      'after',
      '\nChecks: every lint rule on each service (limits, healthcheck, user, capabilities, tmpfs,\n' +
        'placement, update and restart policies, labels), and the live rules:\n' +
        '  node-availability        nodes down, unknown or disconnected (error), drained or paused (warning)\n' +
        '  manager-quorum           one manager, an even number of managers, unreachable managers\n' +
        '  service-convergence      fewer tasks running than desired; tasks failing or rejected repeatedly\n' +
        "  capacity-overcommit      reservations above a node's CPUs or memory; reservations no node holds\n" +
        '  placement-unsatisfiable  placement constraints that no active node satisfies\n' +
        '  stack-drift              (with -f) declared vs running replicas, image, limits, healthcheck, user\n\n' +
        'Docker: the docker CLI on PATH must reach a swarm manager; DOCKER_HOST, DOCKER_CONTEXT and\n' +
        '--context are honoured. A fixed handful of batched calls is made (info, node/service/task\n' +
        'inspect, network ls) whatever the number of services, each limited by --timeout; --stack and\n' +
        '--service narrow them with docker filters. Objects removed while the swarm is read (a task\n' +
        'reaped, a service removed) are left out and counted in the report.\n\n' +
        'Sleep policy: a deployed service keeps no x- keys, so its policy is read from the labels\n' +
        'stackopt.sleep-policy.<key> under deploy.labels (enabled, priority, idle_timeout,\n' +
        'min_sleep_time, memory_reservation, warm_cache_enabled).\n' +
        '\nExit status: 0 nothing at or above --fail-on (errors by default), 1 findings at or above it,\n2 usage error or unreadable file, ' +
        '3 docker failure (not installed, engine not reachable, not a swarm manager, permission denied,\n' +
        'a call that timed out) or internal error. Docker failures are one line saying what to do.\n\n' +
        'Examples:\n' +
        '  stackopt audit                                   every service of the swarm DOCKER_HOST points at\n' +
        '  stackopt audit --stack shop -f shop-stack.yml    one stack, and its drift from the file\n' +
        '  stackopt audit --context prod --service shop_api --format json\n' +
        '  stackopt audit --save-snapshot swarm.json        keep what the swarm said ...\n' +
        '  stackopt audit --snapshot swarm.json --stack shop  ... and audit it again offline\n\n' +
        'Progress goes to standard error, and only on a terminal; standard output carries the report only.',
    )
    .action(async (opts: AuditCommandOptions) => {
      g.exitCode = await runAudit(opts, g);
    });
}

/** The audit command; returns its exit code (a usage error throws CliError). */
export async function runAudit(opts: AuditCommandOptions, g: GlobalContext): Promise<number> {
  const human = opts.format === 'stylish';
  const formatter = human ? undefined : await loadFormatter(opts.format);
  if (!human && !formatter) throw new CliError(`unknown format ${quoteValue(opts.format)}; choose one of ${formatNames().join(', ')}`, EXIT_USAGE);
  if (opts.snapshot && opts.context) throw new CliError('--snapshot audits a saved snapshot; --context (which engine to ask) does not apply to it', EXIT_USAGE);
  const config = loadCommandConfig(opts.config);

  const { auditLive, describeVanished, DeclaredStackError, ScopeError } = await import('../audit/audit.js');
  const auditOptions: AuditOptions = {
    stack: opts.stack ?? null,
    services: opts.service ?? [],
    declaredFiles: opts.file ?? [],
    envFiles: opts.envFile && opts.envFile.length ? opts.envFile : undefined,
    settings: withSeverities(config?.settings, opts.rule ?? []),
  };
  let result;
  try {
    // the snapshot lives only in readSwarm's frame: the rules run without it
    result = auditLive(await readSwarm(opts, auditOptions), auditOptions);
  } catch (e) {
    if (e instanceof ScopeError || e instanceof DeclaredStackError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }

  const toFile = opts.outputFile !== undefined;
  const color = toFile ? opts.color === true : useColor(opts.color, g);
  let text: string;
  if (human) {
    const { formatAuditHuman } = await import('../format/audit-human.js');
    text = formatAuditHuman(result, { color });
  } else {
    const audit = { changedObjects: describeVanished(result.vanished)?.count ?? 0, vanished: result.vanished, partial: result.partial };
    text = formatter!(groupByObject(result.findings), { color, version: g.version, cwd: process.cwd(), rules: allRules, audit });
  }
  if (toFile) {
    try {
      writeOutputFile(opts.outputFile!, text);
    } catch (e) {
      throw new CliError(`cannot write ${opts.outputFile}: ${describeFsError(e, true)}`, EXIT_USAGE);
    }
  } else g.stdout(text);
  const failOn = opts.failOn ?? config?.failOn ?? 'error';
  return result.findings.some((f) => failsAt(f.severity, failOn)) ? EXIT_FINDINGS : EXIT_OK;
}

/**
 * The swarm to audit, converted into the model: a saved snapshot or one taken through docker (saved
 * with --save-snapshot). The snapshot itself is let go when this returns.
 */
async function readSwarm(opts: AuditCommandOptions, auditOptions: AuditOptions): Promise<LiveAudit> {
  const { loadSnapshot, collectSnapshot, saveSnapshot, SnapshotError } = await import('../audit/snapshot.js');
  let snapshot;
  if (opts.snapshot) {
    try {
      snapshot = loadSnapshot(opts.snapshot);
    } catch (e) {
      if (e instanceof SnapshotError) throw new CliError(e.message, EXIT_USAGE);
      throw e;
    }
  } else {
    const { DockerClient, DockerError } = await import('../audit/docker.js');
    const { ScopeError } = await import('../audit/scope.js');
    const client = new DockerClient({ context: opts.context, timeoutMs: Math.ceil(opts.timeout * 1000) });
    const progress = progressReporter();
    try {
      // --stack and --service narrow the docker calls themselves
      snapshot = await collectSnapshot(client, { progress: progress.update, scope: { stack: opts.stack ?? null, services: opts.service ?? [] } });
    } catch (e) {
      if (e instanceof DockerError) throw new CliError(e.message, EXIT_INTERNAL);
      if (e instanceof ScopeError) throw new CliError(e.message, EXIT_USAGE);
      throw e;
    } finally {
      progress.done();
    }
  }
  if (opts.saveSnapshot) {
    try {
      saveSnapshot(opts.saveSnapshot, snapshot);
    } catch (e) {
      throw new CliError(`cannot write the snapshot ${opts.saveSnapshot}: ${describeFsError(e, true)}`, EXIT_USAGE);
    }
  }
  const { prepareAudit } = await import('../audit/audit.js');
  // the snapshot is this function's own: handed over, its parsed tasks go early
  return prepareAudit(snapshot, auditOptions, true);
}

/**
 * Machine formats take results per file: for an audit, one per live object (`swarm`, `node NAME`,
 * `service NAME`) and per stack file (drift findings point into it).
 */
function groupByObject(findings: Finding[]): ReportResult[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.file);
    if (list) list.push(f);
    else groups.set(f.file, [f]);
  }
  return [...groups].map(([file, list]) => ({
    file,
    findings: list,
    sources: list.flatMap((f) => (f.loc?.kind === 'file' ? [f.loc.source] : [])).filter((s, i, a) => a.indexOf(s) === i),
  }));
}

/** Progress on standard error, only when it is a terminal: one line, rewritten in place. */
export function progressReporter(): { update: (message: string) => void; done: () => void } {
  const tty = Boolean(process.stderr.isTTY);
  let shown = false;
  return {
    update: (message) => {
      if (!tty) return;
      process.stderr.write(`\r\x1b[2Kstackopt: ${message}…`);
      shown = true;
    },
    done: () => {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}
