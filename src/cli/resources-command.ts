import type { Command } from 'commander';
import { showControls } from '../model/describe.js';
import { buildLiveStack } from '../audit/live-model.js';
import { loadSnapshot, SnapshotError } from '../audit/snapshot.js';
import { ScopeError } from '../audit/scope.js';
import type { TargetSetting } from '../engine/target.js';
import { buildLedger, clusterFromSnapshot, fitLedger, HOURS_PER_MONTH, LedgerInputError, type Cluster, type Prices, type StackLedger } from '../fix/resource-ledger.js';
import { describeFit, formatLedger, LEDGER_FORMATS, type LedgerFormat, type LedgerReport } from '../format/resource-ledger.js';
import { isNodeUsable, type LiveFacts } from '../model/live-facts.js';
import { PRESET_NAMES } from '../model/sizing.js';
import { parseBytes } from '../model/units.js';
import type { UsageInput } from '../model/usage-recommend.js';
import { InputError } from '../parse/read-document.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { checkPreset, sizingSettings } from './fix-command.js';
import { CommandConfigs } from './command-configs.js';
import { discoveryReport, selectProjects } from './lint-command.js';
import { loadUsageInput, parseStackName } from './usage-options.js';
import { collect, parseTarget, useColor, type GlobalContext } from './shared.js';

export interface ResourcesCommandOptions {
  file?: string[];
  envFile?: string[];
  usage?: string;
  preset?: string;
  format: string;
  nodes?: number;
  nodeCpus?: number;
  nodeMemory?: number;
  snapshot?: string;
  stack?: string;
  priceCpuHour?: number;
  priceGibHour?: number;
  config?: string;
  target?: TargetSetting;
  color?: boolean;
  checkFit?: boolean;
}

/** The most nodes --nodes takes: far beyond any swarm, small enough to count. */
const MAX_NODES = 100_000;

/** Shown in a message: the value as given, quoted, at most 40 characters. */
const quoted = (v: string) => JSON.stringify(v.slice(0, 40));

export function parseNodes(v: string): number {
  const t = v.trim();
  if (!/^\d{1,6}$/.test(t) || Number(t) < 1 || Number(t) > MAX_NODES) throw new CliError(`--nodes takes a whole number of nodes from 1 to ${MAX_NODES}, not ${quoted(v)}`);
  return Number(t);
}

export function parseNodeCpus(v: string): number {
  const t = v.trim();
  const n = Number(t);
  if (!/^(?:\d{1,6}(?:\.\d{1,3})?|\.\d{1,3})$/.test(t) || !(n > 0)) throw new CliError(`--node-cpus takes the CPUs of one node, a number above 0 such as 4 or 0.5, not ${quoted(v)}`);
  return n;
}

export function parseNodeMemory(v: string): number {
  const n = v.trim().length <= 20 ? parseBytes(v) : null;
  if (n === null || n <= 0) throw new CliError(`--node-memory takes the memory of one node, a size such as 16G or 512M, not ${quoted(v)}`);
  return n;
}

function parsePrice(flag: string) {
  return (v: string): number => {
    const t = v.trim();
    if (!/^(?:\d{1,9}(?:\.\d{1,9})?|\.\d{1,9})$/.test(t)) throw new CliError(`${flag} takes a price per hour, a number 0 or more such as 0.035, not ${quoted(v)}`);
    return Number(t);
  };
}

function parseFormat(v: string): LedgerFormat {
  if (!(LEDGER_FORMATS as readonly string[]).includes(v)) throw new CliError(`unknown format ${quoted(v)}; choose one of ${LEDGER_FORMATS.join(', ')}`);
  return v as LedgerFormat;
}

const HELP_AFTER = `
What it shows: per service and per stack, the replicas (tasks), CPU and memory reservations and
limits as the files have them and as \`stackopt fix\` makes them (fix runs in memory, with the same
preset and configuration; nothing is written), and the totals with the change. A figure is a
service's total over its tasks (per task × replicas). With --usage, what the profile observed per
task (95th percentile and peak), and fix sizes from the profile where it has a service's history.

Global services run one task on each node: without a node count they are counted once (1/node);
with --nodes (or --snapshot: its usable nodes) they are counted on every node.

Nodes: with --node-cpus and --node-memory (and --nodes for a fixed cluster), or a snapshot saved by
\`stackopt audit --save-snapshot\`, it says whether the tasks fit by their reservations, before and
after fixing, and how many nodes of that size the stack needs on its own. Tasks are packed first
fit decreasing (largest share of a node first, each on the first node with room); global services
take their reservation on every node first. Placement constraints are not modelled. On a snapshot,
the usable nodes (active and ready) count, less what other services' running tasks reserve there;
the tasks of <stack>_<service> for a service of the file are this stack's own (--stack names the
stack; default: the snapshot's --stack scope).

Cost: --price-cpu-hour and --price-gib-hour (either; the other counts as 0) add a monthly cost of
the reservations: (CPUs × CPU price + GiB × GiB price) × ${HOURS_PER_MONTH} hours (365 × 24 / 12).

Formats: table (default; colours only on a terminal), json (schemas/resources.schema.json), markdown
(a pull-request comment: totals first, each stack's services in a collapsible block), csv (RFC 4180;
CPUs as decimals, memory in bytes).

Gate: with --check-fit, a stack that as written does not fit on the nodes (its reservations, task
by task, first-fit on the nodes given) is named on stderr and the exit status is 1. To gate what fix
makes, run resources on the .optimized file.

Exit status: 0 printed (and, with --check-fit, every stack fits), 1 a stack does not fit
(--check-fit), 2 usage error or an input that cannot be read (the others are still shown), 3
internal error.

Examples:
  stackopt resources stack.yml
  stackopt resources stack.yml --usage usage.json --format markdown > comment.md
  stackopt resources -f compose.yaml -f compose.prod.yaml --preset small --nodes 3 --node-cpus 4 --node-memory 16G
  stackopt resources stack.yml --snapshot swarm.json --stack shop --price-cpu-hour 0.02 --price-gib-hour 0.003`;

export function registerResources(program: Command, g: GlobalContext): void {
  program
    .command('resources')
    .summary('the resource ledger: reservations and limits before and after fix, fit on nodes, cost')
    .description(
      'Print, per service and per stack, the replicas and the CPU and memory reservations and limits as they are and as ' +
        '`stackopt fix` would make them, with totals and the change. Paths, -f and --env-file work as in `stackopt lint`.',
    )
    .argument('[paths...]', 'compose files or directories (default: the current directory)')
    .option('-f, --file <file>', 'a compose file of one merged project (repeatable, in order)', collect)
    .option('--env-file <file>', 'read variables from this file instead of .env (repeatable, later wins)', collect)
    .option('--usage <file>', 'a usage profile (`stackopt usage record`): observed columns, and sizing from it')
    .option('--preset <name>', `sizing preset for resource limits: ${PRESET_NAMES.join(', ')}`)
    .option('--format <name>', `output format: ${LEDGER_FORMATS.join(', ')}`, 'table')
    .option('--nodes <n>', 'the number of nodes (global services run on each; with the sizes, whether it fits)', parseNodes)
    .option('--node-cpus <cpus>', 'the CPUs of one node', parseNodeCpus)
    .option('--node-memory <size>', 'the memory of one node (16G, 512M)', parseNodeMemory)
    .option('--snapshot <file>', 'the nodes of a swarm snapshot (`stackopt audit --save-snapshot`) instead of --nodes and the sizes')
    .option('--stack <name>', 'the stack name the file is deployed as (its tasks in the snapshot, its services in the profile)', parseStackName)
    .option('--check-fit', 'exit 1 when a stack, as written, does not fit on the nodes (--nodes and sizes, or --snapshot)')
    .option('--price-cpu-hour <price>', 'price of one CPU reserved for an hour (adds a monthly cost)', parsePrice('--price-cpu-hour'))
    .option('--price-gib-hour <price>', 'price of one GiB of memory reserved for an hour', parsePrice('--price-gib-hour'))
    .option('-c, --config <file>', 'read this configuration instead of the nearest .stackopt.yaml')
    .option('--target <target>', 'compose, swarm or auto, as for lint', parseTarget)
    .option('--color', 'colours even when output is not a terminal (wins over NO_COLOR)')
    .option('--no-color', 'no colours (also off with NO_COLOR or when output is not a terminal)')
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], opts: ResourcesCommandOptions) => {
      g.exitCode = await runResources(paths, opts, g);
    });
}

/** The resources command; returns its exit code (a usage error throws CliError). */
export async function runResources(paths: string[], opts: ResourcesCommandOptions, g: GlobalContext): Promise<number> {
  const format = parseFormat(opts.format);
  const sized = opts.nodeCpus !== undefined || opts.nodeMemory !== undefined;
  if (sized && (opts.nodeCpus === undefined || opts.nodeMemory === undefined)) {
    throw new CliError(`${opts.nodeCpus === undefined ? '--node-memory' : '--node-cpus'} needs ${opts.nodeCpus === undefined ? '--node-cpus' : '--node-memory'} too: a node's size is its CPUs and its memory`);
  }
  if (opts.snapshot !== undefined && (sized || opts.nodes !== undefined)) {
    throw new CliError('--snapshot gives the nodes and their sizes; it cannot be combined with --nodes, --node-cpus or --node-memory');
  }
  if (opts.checkFit && opts.snapshot === undefined && (!sized || opts.nodes === undefined)) {
    throw new CliError('--check-fit needs the nodes to fit on: --nodes with --node-cpus and --node-memory, or --snapshot');
  }
  checkPreset(opts.preset);
  // each file's nearest .stackopt.yaml (or --config for all), as for lint and fix
  const configs = new CommandConfigs(opts.config);
  let preset: string | undefined;
  const snapshot = opts.snapshot === undefined ? null : readSnapshotFacts(opts.snapshot);
  const nodes = snapshot ? snapshot.facts.nodes.filter(isNodeUsable).length : opts.nodes;
  const stackName = opts.stack ?? snapshot?.stack ?? null;
  // --stack also names the stack in a snapshot: the profile is read with the stack, never refused for it
  const profile: UsageInput | null = opts.usage === undefined ? null : loadUsageInput({ usage: opts.usage, ...(stackName === null ? {} : { stack: stackName }) });

  let inputFailed = false;
  const sel = selectProjects(paths, opts, discoveryReport(configs, g, 'read', () => (inputFailed = true), opts.target));
  const stacks: LedgerReport['stacks'] = [];
  let cluster: LedgerReport['cluster'] = null;
  for (const files of sel.projects) {
    const config = configs.forProject(files[0]!, (e) => {
      g.stderr(`stackopt: ${showControls(e.message)}`);
      inputFailed = true;
    });
    if (config === undefined) continue;
    const settings = sizingSettings(config, opts.preset);
    const chosen = settings['resource-limits']?.options?.preset;
    preset ??= typeof chosen === 'string' ? chosen : 'default';
    let ledger: StackLedger;
    try {
      ledger = buildLedger({
        files,
        envFiles: sel.envFiles,
        settings,
        allowPaths: config?.allowPaths,
        target: opts.target ?? config?.target,
        usage: profile,
        ...(nodes === undefined ? {} : { nodes }),
      });
    } catch (e) {
      if (!(e instanceof InputError || e instanceof LedgerInputError)) throw e;
      g.stderr(`stackopt: ${showControls(e.message)}`);
      inputFailed = true;
      continue;
    }
    let c: Cluster | null = null;
    if (snapshot) {
      const own = new Set(stackName ? ledger.rows.map((r) => `${stackName}_${r.service}`) : []);
      c = clusterFromSnapshot(snapshot.facts, own);
      cluster = { source: `snapshot ${opts.snapshot}`, cluster: c };
    } else if (sized) {
      c = { kind: 'nodes', count: opts.nodes ?? null, size: { cpus: opts.nodeCpus!, memory: opts.nodeMemory! } };
      cluster = { source: 'given', cluster: c };
    }
    stacks.push({ ledger, fit: c ? fitLedger(ledger, c) : null });
  }
  const prices: Prices | null =
    opts.priceCpuHour === undefined && opts.priceGibHour === undefined ? null : { cpuHour: opts.priceCpuHour ?? 0, gibHour: opts.priceGibHour ?? 0 };
  if (stacks.length > 0 || format !== 'table') {
    const report: LedgerReport = { version: g.version, preset: preset ?? opts.preset ?? 'default', usageFile: opts.usage ?? null, prices, cluster, stacks };
    g.stdout(formatLedger(format, report, { color: useColor(opts.color, g) }));
  }
  if (inputFailed) return EXIT_USAGE;
  let unfit = false;
  for (const { ledger, fit } of opts.checkFit ? stacks : []) {
    if (fit?.before.fits !== false) continue;
    unfit = true;
    const after = fit.after.fits ? '; after `stackopt fix` it fits' : '';
    g.stderr(`stackopt: ${ledger.file} ${describeFit(fit.before, cluster!.cluster, null).split(';')[0]}${after}`);
  }
  return unfit ? EXIT_FINDINGS : EXIT_OK;
}

/** A snapshot's nodes and tasks (no docker needed), and the stack it was scoped to. */
function readSnapshotFacts(path: string): { facts: LiveFacts; stack: string | null } {
  try {
    const snap = loadSnapshot(path);
    const facts = buildLiveStack(snap).live!;
    return { facts, stack: snap.scope?.stack ?? null };
  } catch (e) {
    if (e instanceof SnapshotError || e instanceof ScopeError) throw new CliError(e.message);
    throw e;
  }
}
