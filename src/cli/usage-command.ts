import { accessSync, constants } from 'node:fs';
import { showControls } from '../model/describe.js';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { quantile, type ServiceUsage, type UsageProfile } from '../model/usage-profile.js';
import { formatDuration, parseDuration } from '../model/units.js';
import { describeFsError } from '../parse/read-text.js';
import { parseTimeout, progressReporter } from './audit-command.js';
import { CliError, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { collect, type GlobalContext } from './shared.js';

export interface UsageRecordOptions {
  stack?: string;
  service?: string[];
  context?: string[];
  duration?: number;
  interval: number;
  output: string;
  timeout: number;
}

/** the shortest --interval, seconds */
export const MIN_INTERVAL_S = 1;
/** the longest --interval and --duration: 31 days */
const MAX_SPAN_S = 31 * 86_400;

/** `--duration` / `--interval`: `30s`, `5m`, `2h`, `1h30m`, or a number of seconds. */
export function parseSpan(option: string, min: number): (v: string) => number {
  return (v) => {
    const s = parseDuration(v.trim());
    if (s === null || !(s >= min) || s > MAX_SPAN_S) {
      throw new CliError(`${option} takes a duration such as 30s, 5m or 2h (at least ${formatDuration(min)}, at most 31 days), not ${JSON.stringify(v.slice(0, 40))}`);
    }
    return s;
  };
}

export function registerUsage(program: Command, g: GlobalContext): void {
  const usage = program
    .command('usage')
    .summary('record what the services of a running stack use (CPU, memory, PIDs, OOM kills) into a usage profile')
    .description('Usage profiles: what the containers of a swarm stack or compose project used while they ran (docs/usage.md).');
  usage
    .command('record')
    .summary('sample the running containers of a stack into a usage profile (appended to when it exists)')
    .description(
      'Sample the running containers of a swarm stack or compose project through the docker CLI, every --interval, ' +
        'and add what they used, per service, to a usage profile (created, or appended to when it exists).',
    )
    .option('--stack <name>', 'only the containers of this swarm stack or compose project (default: every stack and project)')
    .option('--service <name...>', 'only these services (names within the stack, or full names such as shop_web); repeatable')
    .option('--context <name>', 'a docker context to sample, one per node: container stats are local to each engine (repeatable; default: DOCKER_HOST or the current context)', collect)
    .option('--duration <span>', 'how long to record: 30s, 5m, 2h, 1h30m (default: until Ctrl-C or SIGTERM)', parseSpan('--duration', 1))
    .option('--interval <span>', `the time between two samples (at least ${MIN_INTERVAL_S}s)`, parseSpan('--interval', MIN_INTERVAL_S), 10)
    .requiredOption('-o, --output <file>', 'the usage profile to write (appended to when it exists)')
    .option('--timeout <seconds>', 'the longest any one docker call may take (above 0, at most 86400)', parseTimeout, 30)
    .addHelpText(
      'after',
      '\nEach sample reads, on every engine: the containers of the stack (`docker ps`), their state\n' +
        '(`docker inspect`: limits, restarts, OOMKilled), their usage (`docker stats --no-stream`: CPU in\n' +
        'cores, memory working set, PIDs) and the `oom` events since the last sample. Containers that\n' +
        'start or stop during the recording are followed; one that vanishes between two calls is left out.\n' +
        'The profile keeps per-service histograms and daily peaks, never the samples: its size does not\n' +
        'grow with the length of the recording (docs/usage.md).\n\n' +
        'Ctrl-C (or SIGTERM) ends the recording and keeps what was sampled; a second Ctrl-C quits at once\n' +
        'without writing. Progress goes to standard error, only on a terminal; the summary to standard output.\n\n' +
        'Exit status: 0 recorded, 2 usage error (options, a file that is not a usage profile, no container\n' +
        'of the stack), 3 docker failure (not installed, engine not reachable, a call that timed out); a\n' +
        'failure after the first sample still writes what was sampled.\n\n' +
        'Examples:\n' +
        '  stackopt usage record --stack shop --duration 10m -o usage.json\n' +
        '  stackopt usage record --stack shop --context node1 --context node2 --duration 23h -o usage.json\n' +
        '  stackopt usage record --stack shop --service api --interval 2s -o api-usage.json',
    )
    .action(async (opts: UsageRecordOptions) => {
      g.exitCode = await runUsageRecord(opts, g);
    });
}

/** `stackopt usage record`; returns the exit code (a usage error throws CliError). */
export async function runUsageRecord(opts: UsageRecordOptions, g: GlobalContext): Promise<number> {
  const { readProfileToExtend, writeUsageProfile, mergeProfiles, UsageProfileError } = await import('../usage/profile-file.js');
  const { recordUsage, RecordScopeError } = await import('../usage/record.js');
  const { DockerClient, DockerError } = await import('../audit/docker.js');
  const output = opts.output;
  // a file that is not a profile, or a folder we cannot write, fails now, not after hours of recording
  try {
    readProfileToExtend(output);
  } catch (e) {
    if (e instanceof UsageProfileError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  }
  try {
    accessSync(dirname(resolve(output)), constants.W_OK);
  } catch (e) {
    throw new CliError(`cannot write ${output}: ${describeFsError(e, true)}`, EXIT_USAGE);
  }
  const timeoutMs = Math.ceil(opts.timeout * 1000);
  const contexts = [...new Set(opts.context ?? [])];
  const engines = contexts.length
    ? contexts.map((name) => ({ name, client: new DockerClient({ context: name, timeoutMs, needs: 'engine' }) }))
    : [{ name: 'default', client: new DockerClient({ timeoutMs, needs: 'engine' }) }];

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      progress.done();
      g.stderr(`stackopt: ${signal} again: stopped without writing ${output}`);
      process.exit(130);
    }
    controller.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const progress = progressReporter();
  let result;
  try {
    result = await recordUsage({
      engines,
      stack: opts.stack ?? null,
      services: opts.service ?? [],
      intervalMs: Math.round(opts.interval * 1000),
      durationMs: opts.duration === undefined ? null : Math.round(opts.duration * 1000),
      signal: controller.signal,
      generator: `stackopt ${g.version}`,
      progress: (p) =>
        progress.update(
          `recording ${formatDuration(Math.round(p.elapsedMs / 1000))}${p.durationMs !== null ? ` of ${formatDuration(p.durationMs / 1000)}` : ' (Ctrl-C ends)'}: ` +
            `${p.ticks} sample${p.ticks === 1 ? '' : 's'}, ${p.services} service${p.services === 1 ? '' : 's'}, ${p.tasks} running container${p.tasks === 1 ? '' : 's'}`,
        ),
    });
  } catch (e) {
    if (e instanceof DockerError) throw new CliError(e.message, EXIT_INTERNAL);
    if (e instanceof RecordScopeError) throw new CliError(e.message, EXIT_USAGE);
    throw e;
  } finally {
    progress.done();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }

  let written: UsageProfile;
  try {
    const base = readProfileToExtend(output);
    written = base ? mergeProfiles(base, result.profile) : result.profile;
    writeUsageProfile(output, written);
  } catch (e) {
    if (e instanceof UsageProfileError) throw new CliError(e.message, EXIT_USAGE);
    throw new CliError(`cannot write ${output}: ${describeFsError(e, true)}`, EXIT_USAGE);
  }
  const rec = result.profile.recordings[0]!;
  const span = formatDuration(Math.round((Date.parse(rec.end) - Date.parse(rec.start)) / 1000));
  const how = result.ended === 'interrupted' ? ' (interrupted: what was sampled is kept)' : result.ended === 'error' ? ' (ended by a docker failure)' : '';
  g.stdout(
    `recorded ${rec.ticks} sample${rec.ticks === 1 ? '' : 's'} every ${formatDuration(rec.intervalSeconds)} over ${span}${how} into ${output}` +
      ` (${written.recordings.length} recording${written.recordings.length === 1 ? '' : 's'} in the file)\n`,
  );
  const rows = Object.entries(result.profile.services).map(([key, u]) => [key, ...describeService(u)]);
  g.stdout(formatRows(rows));
  if (result.error) {
    g.stderr(`stackopt: ${showControls(result.error.message)}`);
    return EXIT_INTERNAL;
  }
  return EXIT_OK;
}

/** One summary row: tasks, CPU, memory, limits, events. */
function describeService(u: ServiceUsage): string[] {
  const cpuP95 = quantile(u.cpu, 0.95);
  const memP95 = quantile(u.memory, 0.95);
  const events = [u.oomKills ? `${u.oomKills} OOM kill${u.oomKills === 1 ? '' : 's'}` : '', u.restarts ? `${u.restarts} restart${u.restarts === 1 ? '' : 's'}` : ''].filter(Boolean);
  return [
    `${u.tasksMax} task${u.tasksMax === 1 ? '' : 's'}`,
    // a quantile is its bucket's upper bound: never shown above the largest sample
    u.samples ? `CPU p95 ${Math.min(cpuP95!, u.cpu.max).toFixed(3)} max ${u.cpu.max.toFixed(3)} cores` : 'no sample',
    u.samples ? `memory p95 ${mib(Math.min(memP95!, u.memory.max))} max ${mib(u.memory.max)}` : '',
    `limits ${u.limits.cpus ?? '-'} CPUs, ${u.limits.memory ? mib(u.limits.memory) : '-'}`,
    events.join(', '),
  ];
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function formatRows(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`).join('');
}
