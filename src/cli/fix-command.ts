import { dirname, resolve } from 'node:path';
import { showControls } from '../model/describe.js';
import { displayPath } from '../parse/load-project.js';
import { Chalk } from 'chalk';
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/load-config.js';
import type { RuleSettings } from '../engine/run-rules.js';
import type { TargetSetting } from '../engine/target.js';
import { fixProject, MAX_PASSES, type FixResult } from '../fix/fix-project.js';
import { describeSizing, isPresetName, PRESET_NAMES, resolveSizing } from '../model/sizing.js';
import { isSameFile, optimizedPath, writeFileAtomic, WriteRefusedError, writeOutputFile } from '../fix/write-output.js';
import { describeTotals } from '../model/resource-totals.js';
import { InputError } from '../parse/read-document.js';
import { MASK, maskText, sensitiveLines, type LineMasks } from '../format/mask.js';
import { describeFsError } from '../parse/read-text.js';
import { baselineNamedAt, discoveryReport, readStdinInput, selectProjects, type StdinText } from './lint-command.js';
import { textAt } from '../parse/load-project.js';
import { parseRuleSeverity, requireRule, withSeverities } from './rules-command.js';
import { CommandConfigs } from './command-configs.js';
import { unifiedDiff } from './unified-diff.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, quoteValue } from './exit-codes.js';
import { collect, parseTarget, useColor, type GlobalContext } from './shared.js';
import { addUsageOptions, loadUsageInput, type UsageOptions } from './usage-options.js';
import { describeUsageCoverage, usageCoverage } from '../usage/coverage.js';
import { maxOf } from '../parse/collect.js';

export interface FixCommandOptions extends UsageOptions {
  file?: string[];
  envFile?: string[];
  output?: string;
  stdout?: boolean;
  inPlace?: boolean;
  diff?: boolean;
  check?: boolean;
  unsafe?: boolean;
  rule?: string[];
  preset?: string;
  config?: string;
  target?: TargetSetting;
  color?: boolean;
  stdin?: boolean;
  stdinFilename?: string;
}

const HELP_AFTER = `
What it does:
  Each fix is a text edit on the file as written: only the bytes a fix needs change. Comments,
  blank lines, key order, quoting, flow or block style, anchors and aliases, CRLF line ends and a
  BOM are kept. Fixes run in passes (at most ${MAX_PASSES}): the edits of one problem apply together or not
  at all, a fix whose edits touch another's waits for the next pass, and after every pass the file
  must still parse and validate and have no error finding it did not have before (counted per
  rule and service); a fix that breaks that is rejected and reported, and the rest of its pass
  is applied. The result is linted again
  and what is left is listed with the reason.

  Safe fixes run by default. Unsafe ones change how a service behaves (a new user, fewer
  capabilities, a renamed key, a policy that stops sleeping, a guessed size) and run only with
  --unsafe. \`stackopt rules <id>\` says what each rule's fix does.

  --rule ID applies only that rule's fixes (every finding is still listed as left); --rule
  ID:SEVERITY sets the rule's severity as \`stackopt lint --rule\` does, so --rule ID:off leaves the
  rule out altogether (nothing fixed, nothing listed). Both forms combine.

Where it writes (one of):
  (default)       <file>.optimized beside each input, always (an identical copy when nothing needed
                  fixing), so a pipeline can rely on it; the input is never touched
  -o FILE         that file instead (one input file; never the input itself: use --in-place)
  --stdout        standard output (one input file); the summary goes to standard error
  --in-place      over the input files (only those that change); a symbolic link is written
                  through to its file, which keeps its owner and mode
  --diff          nothing: print a unified diff (summary on standard error)
  --check         nothing: exit 1 when a fix would change something (for CI)

Sizing (resource-limits): services without limits get limits by class, detected from the image and
the name, and reservations at a fifth of the CPU limit and half of the memory limit
(sizing.reservationRatio changes that); the summary gives what the stack reserves and is limited
to in all, before and after. --preset picks the table (default: "default", or
sizing.preset in .stackopt.yaml, where sizing.classes overrides single classes):
${PRESET_NAMES.map((p) => `  ${p}\n${describeSizing(resolveSizing(p)).map((l) => `    ${l}`).join('\n')}`).join('\n')}

Sizing from usage (--usage usage.json, a profile of \`stackopt usage record\`): a service with enough
history in the profile (3 hours and 100 samples; --min-history lowers it) gets its missing limits and
reservations from what it used, each value with its evidence as a trailing comment
(memory: 512M # peak 412Mi over 7d (40,320 samples), +21%); a limit below what it used, or one that
let the kernel kill it, is raised; one far above (--unsafe) is lowered. Other services are sized by
the preset, and the summary says which and why. The formula: docs/usage-sizing.md.

Exit status: 0 done (also when findings without a fix are left), 1 --check found something to fix,
2 usage error, bad configuration, or an input that cannot be read or parsed (the others are still
fixed), 3 internal error.

Examples:
  stackopt fix stack.yml                      writes stack.yml.optimized
  stackopt fix stack.yml --diff               shows what would change
  stackopt fix --check deploy/                in CI: fails when a fix is pending
  stackopt fix stack.yml --unsafe --rule cap-drop-all --rule non-root-user -o hardened.yml
  stackopt fix stack.yml --unsafe --rule non-root-user:off   every fix but non-root-user's
  stackopt fix -f compose.yaml -f compose.prod.yaml --preset small
  stackopt fix stack.yml --usage usage.json   limits from what the services used
  stackopt fix stack.yml --stdout | docker stack deploy -c - mystack
  stackopt fix --stdin --stdin-filename svc/compose.yaml < buffer.yaml > fixed.yaml

Standard input (--stdin, or the path -) is fixed as the file --stdin-filename names (its
configuration, .env and target), and the fixed text goes to standard output unless -o, --diff or
--check says otherwise; the summary goes to standard error.`;

export function registerFix(program: Command, g: GlobalContext): void {
  const fix = program
    .command('fix')
    .summary('write a fixed copy (<file>.optimized): limits, replicas, healthchecks, hardening')
    .description(
      'Fix what the rules found, as text edits that keep every other byte of the file, and write the ' +
        'result to <file>.optimized beside each input. Paths, -f and --env-file work as in `stackopt lint`.',
    )
    .argument('[paths...]', 'compose files or directories (default: the current directory; - for standard input)')
    .option('-f, --file <file>', 'a compose file of one merged project (repeatable, in order)', collect)
    .option('--env-file <file>', 'read variables from this file instead of .env (repeatable, later wins)', collect)
    .option('--stdin', 'fix the text of standard input and print the result (as --stdin-filename, else <stdin>)')
    .option('--stdin-filename <path>', 'the file standard input is fixed as (configuration, .env and target come from there)')
    .option('-o, --output <file>', 'write the fixed file here instead of <file>.optimized (one input file)')
    .option('--stdout', 'print the fixed file to standard output (one input file)')
    .option('--in-place', 'overwrite the input files (explicit opt-in)')
    .option('--diff', 'print a unified diff of what would change; write nothing')
    .option('--check', 'write nothing; exit 1 when a fix would change something')
    .option('--unsafe', 'also apply fixes that change behaviour (see `stackopt rules <id>`)')
    .option('--rule <id>', 'apply only this rule\'s fixes (repeatable); --rule ID:SEVERITY sets a severity as for lint (ID:off: neither fixed nor listed)', collect)
    .option('--preset <name>', `sizing preset for resource limits: ${PRESET_NAMES.join(', ')}`)
    .option('-c, --config <file>', 'read this configuration for every file instead of each file\'s nearest .stackopt.yaml')
    .option('--target <target>', 'compose, swarm or auto, as for lint', parseTarget)
    .option('--color', 'colours even when output is not a terminal (wins over NO_COLOR)')
    .option('--no-color', 'no colours (also off with NO_COLOR or when output is not a terminal)')
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], opts: FixCommandOptions) => {
      g.exitCode = await runFix(paths, opts, g);
    });
  addUsageOptions(fix);
}

/** `--preset`: one of the sizing presets (a usage error otherwise). */
export function checkPreset(preset: string | undefined): void {
  if (preset !== undefined && !isPresetName(preset)) throw new CliError(`unknown preset ${quoteValue(preset)}; choose one of ${PRESET_NAMES.join(', ')}`);
}

/**
 * The rule settings of a command that sizes (fix, resources) for the files one configuration
 * covers: the configuration's, with `--rule ID:SEVERITY` and `--preset` (put into resource-limits'
 * options) over them.
 */
export function sizingSettings(config: ResolvedConfig | null, preset: string | undefined, severities: Parameters<typeof withSeverities>[1] = []): Record<string, RuleSettings> {
  const settings = withSeverities(config?.settings, severities);
  if (preset !== undefined) {
    const rl = settings['resource-limits'];
    settings['resource-limits'] = { ...rl, options: { ...rl?.options, preset } };
  }
  return settings;
}

type Mode = 'optimized' | 'output' | 'stdout' | 'in-place' | 'diff' | 'check';

function modeOf(opts: FixCommandOptions, stdin: StdinText | null): Mode {
  const chosen: Array<[Mode, string]> = [];
  if (opts.output !== undefined) chosen.push(['output', '-o']);
  if (opts.stdout) chosen.push(['stdout', '--stdout']);
  if (opts.inPlace) chosen.push(['in-place', '--in-place']);
  if (opts.diff) chosen.push(['diff', '--diff']);
  if (opts.check) chosen.push(['check', '--check']);
  if (chosen.length > 1) throw new CliError(`${chosen.map((c) => c[1]).join(' and ')} cannot be combined: choose where the result goes`);
  if (stdin && opts.inPlace) throw new CliError('--in-place writes the input files, and standard input is none: the fixed text goes to standard output (or -o FILE)');
  // standard input has no file beside which <file>.optimized could go
  return chosen[0]?.[0] ?? (stdin ? 'stdout' : 'optimized');
}

/** The fix command; returns its exit code (a usage error throws CliError). */
export async function runFix(paths: string[], opts: FixCommandOptions, g: GlobalContext): Promise<number> {
  const stdin = readStdinInput(paths, opts);
  const mode = modeOf(opts, stdin);
  // --rule ID: only this rule's fixes; --rule ID:SEVERITY: the rule's severity, as for lint
  const only: string[] = [];
  const severities: Array<ReturnType<typeof parseRuleSeverity>> = [];
  for (const spec of opts.rule ?? []) {
    if (spec.includes(':')) severities.push(parseRuleSeverity(spec));
    else only.push(requireRule(spec).meta.id);
  }
  checkPreset(opts.preset);
  const configs = new CommandConfigs(opts.config);
  const settingsOf = (config: ResolvedConfig | null) => sizingSettings(config, opts.preset, severities);
  const usage = loadUsageInput(opts);
  /** a file found in a folder searched was not read (a link out of it): exit 2 */
  let refused = false;
  const sel = selectProjects(paths, opts, discoveryReport(configs, g, 'fixed', () => (refused = true), opts.target), stdin);
  const fileCount = sel.projects.reduce((n, p) => n + p.length, 0);
  if (stdin && mode === 'stdout' && fileCount === 0) {
    // ignored by the configuration: the text goes through unchanged (a pipe must not lose it)
    g.stdout(stdin.text);
    return refused ? EXIT_USAGE : EXIT_OK;
  }
  if ((mode === 'output' || mode === 'stdout') && fileCount !== 1) {
    // `-` among several paths: standard input is fixed to standard output, which takes one input alone
    if (stdin && !opts.stdout && opts.output === undefined) throw new CliError(`- fixes standard input and prints it to standard output, so it takes no other file (${fileCount} given): fix the files on their own`);
    // compose reads a NAME.override.yml only when told (-f NAME.yml -f NAME.override.yml): say the command
    const pair = sel.projects.length === 1 && paths.length > 0 ? ` (${sel.projects[0]!.join(' merged with ')}, as \`docker compose ${sel.projects[0]!.map((f) => `-f ${f}`).join(' ')}\` reads them; -f ${sel.projects[0]![0]} takes that file alone)` : '';
    throw new CliError(`${mode === 'output' ? '-o' : '--stdout'} takes exactly one input file, not ${fileCount}${pair}; without it each file gets <file>.optimized`);
  }

  // the summary goes where the fixed text or the diff does not
  const say = mode === 'stdout' || mode === 'diff' ? (line: string) => g.stderr(line) : (line: string) => g.stdout(`${line}\n`);
  // basic colours only: every level from 1 up writes the same codes (lint's stylish format does the same)
  const color = new Chalk({ level: useColor(opts.color, g) ? 1 : 0 });
  let inputFailed = refused;
  let writeFailed = false;
  let wouldChange = false;
  let totalFixed = 0;
  let totalLeft = 0;
  let written = 0;
  let masked = false;

  for (const files of sel.projects) {
    const config = configs.forProject(files[0]!, (e) => g.stderr(`stackopt: ${showControls(e.message)}`));
    if (config === undefined) {
      inputFailed = true;
      continue;
    }
    let result: FixResult;
    try {
      result = fixProject({ files, envFiles: sel.envFiles, settings: settingsOf(config), allowPaths: config?.allowPaths, target: opts.target ?? config?.target, unsafe: Boolean(opts.unsafe), only, usage, readText: stdin ? textAt(stdin.path, stdin.text) : undefined });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      g.stderr(`stackopt: ${showControls(e.message)}`);
      inputFailed = true;
      continue;
    }
    if (result.blocked) inputFailed = true;
    const changed = result.files.some((f) => f.changed);
    if (changed) wouldChange = true;
    totalFixed += result.applied.length;
    totalLeft += result.left.length;

    // write (or show) the result
    const destinations: string[] = [];
    const beforeMasks = mode === 'diff' ? sensitiveLines(result.before) : new Map<string, LineMasks>();
    const afterMasks = mode === 'diff' ? sensitiveLines(result.after) : new Map<string, LineMasks>();
    for (const f of result.files) {
      if (mode === 'optimized') {
        if (writeResult(optimizedPath(f.source.path), f.output, f.source.path, g)) {
          destinations.push(optimizedPath(f.source.displayPath));
          written++;
        } else writeFailed = true;
      } else if (mode === 'output') {
        // -o onto an input (by any path to it) would overwrite it: that is what --in-place is for
        const input = result.files.find((x) => isSameFile(resolve(opts.output!), x.source.path));
        if (input) throw new CliError(`-o ${opts.output} is the input file ${input.source.displayPath}; nothing was written (to overwrite the input, use --in-place)`);
        // nor any file the project read, its configuration included
        const read = [...result.read, ...(config ? [config.path] : [])].find((p) => isSameFile(resolve(opts.output!), p));
        if (read) throw new CliError(`-o ${opts.output} is ${displayPath(read)}, a file the project reads; nothing was written`);
        const baseline = baselineNamedAt([config], opts.output!);
        if (baseline) throw new CliError(`-o ${opts.output} is ${baseline}; nothing was written`);
        if (writeResult(resolve(opts.output!), f.output, f.source.path, g, false, true)) {
          destinations.push(opts.output!);
          written++;
        } else writeFailed = true;
      } else if (mode === 'in-place') {
        if (f.changed) {
          if (writeResult(f.source.path, f.output, f.source.path, g, true)) {
            destinations.push(f.source.displayPath);
            written++;
          } else writeFailed = true;
        }
      } else if (mode === 'stdout') {
        g.stdout(f.output);
        destinations.push('standard output');
      } else if (mode === 'diff') {
        if (f.changed) {
          const name = f.source.displayPath.replace(/\\/g, '/');
          // values that look like secrets are masked in the lines shown, context lines included
          const before = maskRaw(f.original, beforeMasks.get(f.source.displayPath));
          const after = maskRaw(f.output, afterMasks.get(f.source.displayPath));
          const patch = (a: string, b: string) => unifiedDiff(name, a, b);
          const shown = patch(before, after);
          // whether a line holding a secret is in the diff at all (masking changed what is printed)
          if ((before !== f.original || after !== f.output) && shown !== patch(f.original, f.output)) masked = true;
          g.stdout(shown);
        }
      }
    }
    printSummary(result, mode, destinations, say, color);
    if (usage && result.stacks.after) say(`  ${color.cyan("usage")}  ${describeUsageCoverage(usage, usageCoverage(usage, result.stacks.after))}`);
  }

  const files = sel.projects.length;
  const verb = mode === 'check' || mode === 'diff' ? 'would fix' : 'fixed';
  say(
    color.bold(
      `${verb} ${totalFixed} ${totalFixed === 1 ? 'problem' : 'problems'}, left ${totalLeft} in ${files} ${files === 1 ? 'project' : 'projects'}` +
        (mode === 'optimized' || mode === 'output' || mode === 'in-place' ? `; wrote ${written} ${written === 1 ? 'file' : 'files'}` : ''),
    ),
  );
  if (masked) {
    say(
      `stackopt: values that look like secrets are shown as ${MASK} in the diff; a hunk holding one does not apply with \`git apply\` or \`patch\` (write the fixed file with \`stackopt fix\`, -o or --in-place instead)`,
    );
  }
  if (inputFailed || writeFailed) return EXIT_USAGE;
  if (mode === 'check' && wouldChange) {
    say('stackopt: fixes are pending; run `stackopt fix` (or --diff to see them)');
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

/** A file's bytes with its secret values masked (offsets are in the text after a BOM). */
function maskRaw(raw: string, masks: LineMasks | undefined): string {
  if (!masks) return raw;
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  return bom + maskText(raw.slice(bom.length), masks);
}

/**
 * Write one result; a failure is reported and counted, and the other files are still written.
 * `named`: the user named the place (`-o`): a device or a pipe there (`/dev/null`, a FIFO) is
 * written to, as `lint -o` writes to it; elsewhere (`.optimized`, `--in-place`) it is refused.
 */
function writeResult(dest: string, text: string, modeOf: string, g: GlobalContext, inPlace = false, named = false): boolean {
  try {
    if (named) writeOutputFile(dest, text, { modeOf, inPlace });
    else writeFileAtomic(dest, text, { modeOf, inPlace });
    return true;
  } catch (e) {
    g.stderr(`stackopt: cannot write ${dest}: ${e instanceof WriteRefusedError ? e.message : describeFsError(e, true)}`);
    return false;
  }
}

/**
 * The summary of one project, said in one piece: a large fix lists tens of thousands of lines, and
 * a write of each on its own cost the 2,000-service file 70 ms (standard error is written
 * synchronously).
 */
function printSummary(r: FixResult, mode: Mode, destinations: string[], sayAll: (l: string) => void, c: InstanceType<typeof Chalk>): void {
  const lines: string[] = [];
  const say = (line: string) => lines.push(line);
  const changed = r.files.filter((f) => f.changed).length;
  const perRule = new Map<string, number>();
  for (const a of r.applied) perRule.set(a.ruleId, (perRule.get(a.ruleId) ?? 0) + 1);
  const rules = perRule.size ? ` (${[...perRule].map(([id, n]) => `${id} ${n}`).join(', ')})` : '';
  // names and texts of the file (its name, service names, values in fix descriptions) are shown with
  // their control characters written out: only the summary's own colours reach the terminal
  const s = showControls;
  let head = `${c.underline(s(r.file, true))}`;
  if (r.blocked?.kind === 'line-ends') head += `: not fixed, ${s(r.blocked.message)}`;
  else if (r.blocked) head += `: not fixed, the file does not parse (${s(r.blocked.message)})`;
  else if (mode === 'check' || mode === 'diff') head += changed ? `: ${r.applied.length} to fix${rules}` : ': nothing to fix';
  else head += r.applied.length ? `: ${r.applied.length} fixed in ${r.passes} ${r.passes === 1 ? 'pass' : 'passes'}${rules}` : ': nothing to fix';
  if (destinations.length) head += ` → ${s(destinations.join(', '), true)}${r.applied.length === 0 && mode === 'optimized' ? ' (an identical copy)' : ''}`;
  say(head);
  const width = Math.max(maxOf(r.applied, (a) => a.ruleId.length, 0), maxOf(r.left, (l) => l.finding.ruleId.length, 0));
  for (const a of r.applied) {
    say(`  ${c.green('fixed')}  ${a.ruleId.padEnd(width)}  ${a.service ? `${s(a.service)}: ` : ''}${s(a.description)}${a.unsafe ? c.yellow(' [unsafe]') : ''}`);
  }
  for (const l of r.left) {
    const f = l.finding;
    // where the user can find it: in the input when it was there before, else in the fixed text
    const at = l.original ? `${l.original.line}:${l.original.column}` : `${f.line}:${f.column} (fixed text)`;
    say(`  ${c.yellow('left ')}  ${f.ruleId.padEnd(width)}  ${c.dim(at)}  ${f.service ? `${s(f.service)}: ` : ''}${s(l.why)}`);
  }
  const totals = describeTotals(r.resources.before, r.resources.after);
  if (totals) say(`  ${c.cyan('resources')}  ${totals}`);
  for (const d of r.dropped) {
    say(`  ${c.red('rejected')} in pass ${d.pass}: ${d.fixes.map((x) => `${x.ruleId}${x.service ? ` (${s(x.service)})` : ''}`).join(', ')} would make the file worse (the rest of the pass was applied): ${s(d.problems.join('; '))}`);
  }
  // each line ends in a line break wherever the summary goes: the lines joined by one are the same bytes
  sayAll(lines.join('\n'));
}
