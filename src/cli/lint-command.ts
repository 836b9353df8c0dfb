import { isSameFile, writeFileAtomic, writeOutputFile } from '../parse/write-file.js';
import { showControls } from '../model/describe.js';
import { dirname, resolve } from 'node:path';
import { isatty } from 'node:tty';
import type { Command } from 'commander';
import type { ResolvedConfig } from '../config/load-config.js';
import { failsAt, shownWhenQuiet, type FailOn } from '../engine/fail-on.js';
import { lintProject, type LintResult } from '../engine/lint.js';
import { targetBeforeReading, type TargetSetting } from '../engine/target.js';
import { allRules } from '../engine/registry.js';
import type { Finding } from '../engine/types.js';
import { FORMATS_WITH_FIXES, formatNames, loadFormatter } from '../format/index.js';
import { ReportRecords } from '../format/report-records.js';
import type { ReportResult } from '../format/types.js';
import { InputError } from '../parse/read-document.js';
import { describeFsError, readFailure, readStdin, readText, ReadTextError } from '../parse/read-text.js';
import { textAt } from '../parse/load-project.js';
import { isIgnored } from '../config/ignore-patterns.js';
import { baselineBoundary } from '../config/find-config.js';
import { ProjectBoundary } from '../parse/project-files.js';
import { expandProjects, type DiscoverOptions } from './discover.js';
import { displayPath } from '../parse/load-project.js';
import { pushAll } from '../parse/collect.js';
import { CommandConfigs } from './command-configs.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, quoteValue } from './exit-codes.js';
import { parseRuleSeverity, withSeverities } from './rules-command.js';
import { collect, parseFailOn, parseTarget, useColor, type GlobalContext } from './shared.js';
import { addUsageOptions, loadUsageInput, type UsageOptions } from './usage-options.js';

export interface ProjectSelection {
  /** each entry is one project: a single file, an override merged onto its base, or the -f files merged */
  projects: string[][];
  envFiles: string[];
}

/**
 * Turn `paths` and `-f` options into projects, as lint and fix both take them: the -f files are
 * one project, taken exactly as given; each path is a project of its own (an override file merged
 * onto its base: see expandProjects), except one that holds a file of the -f project. `discover.ignore`
 * (the config's ignore patterns) drops matching paths; -f files are always read. The path `-` (in
 * either) is standard input, linted as `stdin.path`.
 */
/**
 * What a command that reads files tells about discovery (lint, fix, resources): paths the
 * configurations' ignore patterns drop ("is not <verb>"), files refused (then `onRefused`, which
 * makes the run exit 2), and .gitignore lines that are no pattern.
 */
export function discoveryReport(configs: CommandConfigs, g: GlobalContext, verb: string, onRefused: () => void, target?: TargetSetting): DiscoverOptions {
  return {
    // the target before reading (--target, the configuration's, a stack's file name): a swarm base takes no override
    swarmBase: (abs) => targetBeforeReading(target ?? configs.targetOf(abs), [abs])?.target === 'swarm',
    ignore: configs.ignores,
    onIgnored: (p) => g.stderr(`stackopt: ${p} is not ${verb}: the ignore patterns of ${configs.ignoredBy(p)} match it`),
    onRefused: (p, why) => {
      g.stderr(`stackopt: ${p} is not read: ${why}`);
      onRefused();
    },
    onWarning: (m) => g.stderr(m),
  };
}

export function selectProjects(paths: string[], opts: { file?: string[]; envFile?: string[] }, discover: DiscoverOptions = {}, stdin: StdinText | null = null): ProjectSelection {
  const envFiles = opts.envFile ?? [];
  // --stdin: standard input alone
  if (stdin && !paths.includes('-') && !opts.file?.includes('-')) paths = ['-'];
  const named = (p: string) => (p === '-' && stdin ? stdin.path : p);
  if (opts.file && opts.file.length > 0) {
    if (stdin && paths.includes('-')) throw new CliError('with -f, standard input is one of the -f files (-f -), not a path');
    const files = opts.file.map(named);
    if (paths.length === 0) return { projects: [files], envFiles };
    const merged = new Set(files.map((f) => resolve(f)));
    const rest = expandProjects(paths, discover).filter((p) => !p.some((f) => merged.has(resolve(f))));
    return { projects: [files, ...rest], envFiles };
  }
  if (!stdin) return { projects: expandProjects(paths, discover), envFiles };
  // standard input is no file on disk: not searched, but the ignore patterns apply to its name
  const others = paths.filter((p) => p !== '-');
  const projects = others.length > 0 ? expandProjects(others, discover) : [];
  if (discover.ignore?.(stdin.path, false, true)) discover.onIgnored?.(stdin.shown);
  else projects.push([stdin.path]);
  return { projects, envFiles };
}

/** Text read from standard input and the path it is linted as (`--stdin`, or the path `-`). */
export interface StdinText {
  /** absolute: configuration, `.env`, the target and relative files are resolved from it */
  path: string;
  /** as the user gave it, for messages */
  shown: string;
  text: string;
}

/** What standard input is called when --stdin-filename does not name it. */
const STDIN_NAME = '<stdin>';

/**
 * Standard input, when the command reads it: `--stdin`, or `-` among the paths or -f files; linted as
 * `--stdin-filename PATH` (else as `<stdin>` in the working directory). Usage errors throw CliError.
 */
export function readStdinInput(paths: readonly string[], opts: { stdin?: boolean; stdinFilename?: string; file?: string[] }): StdinText | null {
  const dashes = [...paths, ...(opts.file ?? [])].filter((p) => p === '-').length;
  if (opts.stdin && (paths.length > 0 || (opts.file?.length ?? 0) > 0)) {
    throw new CliError('--stdin lints standard input alone; give no paths or -f files with it (or write `-` for standard input among them)');
  }
  if (dashes > 1) throw new CliError('`-` (standard input) can be given only once');
  if (!opts.stdin && dashes === 0) {
    if (opts.stdinFilename !== undefined) throw new CliError('--stdin-filename names the text read from standard input: add --stdin (or the path -)');
    return null;
  }
  if (opts.stdinFilename !== undefined && opts.stdinFilename.trim() === '') throw new CliError('--stdin-filename needs a path (the file the text is linted as)');
  if (isatty(0)) throw new CliError('standard input is a terminal: pipe the file in, e.g. stackopt lint --stdin --stdin-filename compose.yaml < compose.yaml');
  const shown = opts.stdinFilename ?? STDIN_NAME;
  let text: string;
  try {
    text = readStdin();
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    throw new CliError(readFailure(shown, e, 'cannot read standard input'));
  }
  return { path: resolve(shown), shown, text };
}

export interface LintCommandOptions extends UsageOptions {
  file?: string[];
  envFile?: string[];
  format: string;
  outputFile?: string;
  color?: boolean;
  config?: string;
  maxWarnings?: number;
  quiet?: boolean;
  baseline?: string;
  writeBaseline?: string;
  target?: TargetSetting;
  rule?: RuleSeverity[];
  failOn?: FailOn;
  stdin?: boolean;
  stdinFilename?: string;
}

type RuleSeverity = ReturnType<typeof parseRuleSeverity>;

/** `--max-warnings N`: a whole number, or -1 for no limit (as ESLint). */
function parseMaxWarnings(v: string): number {
  if (!/^(\d+|-1)$/.test(v.trim())) throw new CliError(`--max-warnings takes a whole number of warnings (0 or more, or -1 for no limit), not ${quoteValue(v)}`);
  return Number(v);
}

/** The options of `stackopt lint` when none is given (what commander hands the action then). */
export const LINT_DEFAULTS: Readonly<LintCommandOptions> = { format: 'stylish' };

/** `stackopt lint PATH...` without options (bin/stackopt.js's lint bundle runs it without commander). */
export const lintOperands = (paths: string[], g: GlobalContext): Promise<number> => runLint(paths, { ...LINT_DEFAULTS }, g);

export function registerLint(program: Command, g: GlobalContext): void {
  const lint = program
    .command('lint')
    .summary('report problems in compose and stack files')
    .description(
      'Lint compose and stack files. Each path is linted on its own; a directory is searched for ' +
        'compose.yaml, compose.*.yaml, *.compose.yaml, docker-compose*.yml and *stack*.yml. An override file ' +
        '(compose.override.yaml, docker-compose.override.yml, NAME.override.yml) is merged onto its base ' +
        'beside it, as docker compose reads a folder (and NAME.override.yml as `docker compose -f NAME.yml -f NAME.override.yml` does: ' +
        'alone, docker compose never reads it). With -f, the files are merged ' +
        'into one project as `docker compose -f A -f B` does (exactly those files), and each finding points into the file its ' +
        'value came from. ${VAR} references are interpolated from the environment and the .env file ' +
        'beside the first file (or the --env-file files instead). Each file uses the nearest ' +
        '.stackopt.yaml above it (up to its git repository\'s root), or the --config file. The path - is standard input.',
    )
    .argument('[paths...]', 'compose files or directories (default: the current directory; - for standard input)')
    .option('-f, --file <file>', 'a compose file of one merged project (repeatable, in order)', collect)
    .option('--env-file <file>', 'read variables from this file instead of .env (repeatable, later wins)', collect)
    .option('--stdin', 'lint the text of standard input (as --stdin-filename, else as <stdin> in the current directory)')
    .option(
      '--stdin-filename <path>',
      'the file standard input is linted as: the configuration, .env, target and relative files are\nresolved from it, and findings name it (the file itself is not read)',
    )
    .option('--format <name>', `output format: ${formatNames().join(', ')}`, LINT_DEFAULTS.format)
    .option('-o, --output-file <file>', 'write the report to a file instead of standard output')
    .option('--color', 'colours even when output is not a terminal (wins over NO_COLOR)')
    .option('--no-color', 'no colours (also off with NO_COLOR or when output is not a terminal)')
    .option('-c, --config <file>', 'read this configuration for every file instead of each file\'s nearest .stackopt.yaml')
    .option('--rule <id:severity>', 'set a rule\'s severity: off, info, warning or error (repeatable; wins over the configuration)', (v: string, prev: RuleSeverity[] = []) => [...prev, parseRuleSeverity(v)])
    .option('--fail-on <severity>', 'exit 1 when a finding has this severity or a higher one: error (default), warning, info, or none; default: the configuration\'s failOn, else error', parseFailOn)
    .option('--max-warnings <n>', 'also fail (exit 1) when there are more than n warnings (-1: no limit, the default)', parseMaxWarnings)
    .option('-q, --quiet', 'report only findings that can fail the run (at or above --fail-on: errors by default); say how many were hidden')
    .option('--baseline <file>', 'report only findings not recorded in this baseline file (default: the configuration\'s baseline)')
    .option('--write-baseline <file>', 'record the current findings in this baseline file (then report none of them)')
    .option(
      '--target <target>',
      'compose (docker compose), swarm (docker stack deploy) or auto: swarm when a file name says stack\n' +
        'or the file uses a swarm-only key (deploy.placement, update_config, ...); default: the config, else auto',
      parseTarget,
    )
    .addHelpText(
      'after',
      '\nExit status: 0 nothing at or above --fail-on (errors by default), 1 findings at or above it (or more\n' +
        'warnings than --max-warnings), 2 usage error, bad configuration or unreadable input, 3 internal error.\n' +
        '-q hides what cannot fail the run: hidden findings count for nothing, --max-warnings included.\n\n' +
        'Examples:\n  stackopt lint compose.yaml\n  stackopt lint -f compose.yaml -f compose.prod.yaml --env-file prod.env\n  stackopt lint deploy/ --format json > report.json\n' +
        '  stackopt lint --rule healthcheck-required:off --rule image-tag-pinned:error\n  stackopt lint --fail-on warning -q\n' +
        '  stackopt lint --stdin --stdin-filename svc/compose.yaml < buffer.yaml   # an editor\'s unsaved text\n' +
        '  stackopt lint --format sarif -o stackopt.sarif\n  stackopt lint --write-baseline .stackopt-baseline.json   # once, then in CI:\n  stackopt lint --baseline .stackopt-baseline.json\n' +
        '  stackopt lint stack.yml --usage usage.json   # limits against what the services used; idle services\n' +
        '\nTo fix what lint finds, run `stackopt fix` (it writes <file>.optimized; --in-place, --diff, --check).',
    )
    .action(async (paths: string[], opts: LintCommandOptions) => {
      g.exitCode = await runLint(paths, opts, g);
    });
  addUsageOptions(lint);
}

/** One linted project, with the configuration it was linted under. */
/**
 * What is kept of a linted project: its findings, sources and target, not its trees and model, so
 * that memory stays flat over many files.
 */
export type LintedResult = Pick<LintResult, 'file' | 'findings' | 'sources' | 'suppressed' | 'target'> & {
  /** the paths of the files it includes (`include:`) */
  included: string[];
  /** every file the project read (an output must not be one of them) */
  read: string[];
};

export interface Linted {
  result: LintedResult;
  config: ResolvedConfig | null;
  /** what is reported of it (after baselines and -q) */
  report: ReportResult;
}

/** The lint command; returns its exit code (a usage error throws CliError). */
export async function runLint(paths: string[], opts: LintCommandOptions, g: GlobalContext): Promise<number> {
  const formatter = await loadFormatter(opts.format);
  if (!formatter) throw new CliError(`unknown format ${quoteValue(opts.format)}; choose one of ${formatNames().join(', ')}`);
  const stdin = readStdinInput(paths, opts);
  const usage = loadUsageInput(opts);
  const run = lintPaths(paths, opts, g, new CommandConfigs(opts.config), usage, stdin);
  const { linted, inputFailed } = run;
  if (opts.writeBaseline !== undefined) await writeBaseline(run, opts.writeBaseline, g);
  else await applyBaselines(linted, opts, g);
  const failOnOf = (l: Linted): FailOn => opts.failOn ?? l.config?.failOn ?? 'error';
  if (opts.quiet) hideBelowThreshold(linted, failOnOf, g);
  const report = linted.map((l) => l.report);
  // Nothing could be read: "no problems in 0 files" would only mislead; the errors are on stderr.
  if (inputFailed && linted.length === 0 && opts.format === 'stylish') return EXIT_USAGE;
  const toFile = opts.outputFile !== undefined;
  // --color asks for colour in a file too; otherwise a file gets none
  const color = toFile ? opts.color === true : useColor(opts.color, g);
  const ctx = { color, version: g.version, cwd: process.cwd(), rules: allRules };
  if (!toFile && formatter.chunks) {
    // The status is known before the report is written (its lines on stderr still come after
    // it): a reader that stops early ends the process while it waits for the pipe.
    const after: string[] = [];
    const status = inputFailed ? EXIT_USAGE : exitStatus(linted, failOnOf, opts, { ...g, stderr: (line) => after.push(line) });
    g.presetExitCode?.(status);
    // written piece by piece: a report of many files is not held whole (nor its bytes, which a
    // pipe holds until its reader takes them)
    for (const chunk of formatter.chunks(report, ctx)) {
      g.stdout(chunk);
      await g.stdoutDrained?.();
    }
    for (const line of after) g.stderr(line);
    return status;
  }
  writeReport(formatter(report, ctx), run, opts, g);
  if (inputFailed) return EXIT_USAGE;
  return exitStatus(linted, failOnOf, opts, g);
}

/** The report as one text, to -o's file or standard output. */
function writeReport(text: string, run: LintRun, opts: LintCommandOptions, g: GlobalContext): void {
  if (opts.outputFile === undefined) {
    g.stdout(text);
    return;
  }
  const { linted } = run;
  const input = linted.flatMap((l) => l.result.sources).find((s) => isSameFile(opts.outputFile!, s.path));
  if (input) throw new CliError(`-o ${opts.outputFile} is the input file ${input.displayPath}; the report was not written`);
  const read = projectRead(run, opts.outputFile);
  if (read) throw new CliError(`-o ${opts.outputFile} is ${read}, a file the project reads; the report was not written`);
  const named: Array<[string | undefined, string]> = [
    [opts.baseline, 'the --baseline file'],
    [opts.writeBaseline, 'the --write-baseline file'],
  ];
  const baseline = named.find(([file]) => file !== undefined && isSameFile(resolve(opts.outputFile!), resolve(file)))?.[1] ?? baselineNamedAt(linted.map((l) => l.config), opts.outputFile);
  if (baseline) throw new CliError(`-o ${opts.outputFile} is ${baseline}; the report was not written`);
  try {
    writeOutputFile(opts.outputFile, text);
  } catch (e) {
    throw new CliError(`cannot write ${opts.outputFile}: ${describeFsError(e, true)}`);
  }
}

/** What lintPaths linted, and the inputs it could not read. */
export interface LintRun {
  linted: Linted[];
  /** a file or configuration could not be used (its error was told): exit 2 */
  inputFailed: boolean;
  /**
   * The files of the projects that could not be linted (a file that is not UTF-8, a configuration
   * that cannot be used) and the --env-file files: inputs all the same, which no output replaces.
   */
  unread: string[];
}

/**
 * Select the projects of `paths` (or -f) and lint each under its configuration; problems with
 * inputs and configurations are told on stderr (`inputFailed`: exit 2).
 */
export function lintPaths(
  paths: string[],
  opts: Pick<LintCommandOptions, 'file' | 'envFile' | 'format' | 'rule' | 'target'>,
  g: GlobalContext,
  configs: CommandConfigs,
  usage?: ReturnType<typeof loadUsageInput>,
  stdin?: StdinText | null,
): LintRun {
  /** a file found in a folder searched was not read (a link out of it): exit 2 */
  let refused = false;
  const sel = selectProjects(paths, opts, discoveryReport(configs, g, 'linted', () => (refused = true), opts.target), stdin ?? null);
  const linted: Linted[] = [];
  const unread = [...sel.envFiles];
  let inputFailed = refused;
  // one copy of the environment for every project (reading process.env key by key is slow; on
  // Windows its names are case-insensitive, so it is read as it is); frozen, its variables are
  // made once for the run (loadProject)
  const environment = process.platform === 'win32' ? undefined : Object.freeze({ ...process.env });
  // a report without fixes keeps records of what it shows, not each project's files and fixes;
  // one project keeps its findings as they are (without fixes they hold its files, not its tree
  // and model: copying them while the tree is still in memory only raised the peak)
  const withFixes = FORMATS_WITH_FIXES.has(opts.format);
  // records are made once the run has linted RECORDS_AFTER projects or holds RECORDS_AFTER_FINDINGS
  // findings, of those too (in the same order, so they are the same records): below that, keeping
  // each project's findings as they are costs less CPU than recording them and little memory
  const recording = !withFixes && sel.projects.length > 1;
  let records: ReportRecords | null = null;
  /** findings held as they are (before records are made) */
  let held = 0;
  const reportError = (e: InputError) => {
    g.stderr(`stackopt: ${showControls(e.message)}`);
    inputFailed = true;
  };
  for (const files of sel.projects) {
    const config = configs.forProject(files[0]!, reportError);
    if (config === undefined) {
      pushAll(unread, files);
      continue;
    }
    try {
      const full = lintProject({
        files,
        envFiles: sel.envFiles,
        settings: withSeverities(config?.settings, opts.rule ?? []),
        allowPaths: config?.allowPaths,
        target: opts.target ?? config?.target,
        withFixes,
        usage,
        readText: stdin ? textAt(stdin.path, stdin.text) : undefined,
        environment,
      });
      if (recording && records === null && (linted.length >= RECORDS_AFTER || held >= RECORDS_AFTER_FINDINGS)) records = recordAll(linted);
      else if (records === null) held += full.findings.length;
      // only SARIF (a format with fixes) reports the suppressed findings
      const kept = records ? records.keep(full.findings, full.sources) : full;
      const result: LintedResult = {
        file: full.file,
        findings: kept.findings,
        sources: kept.sources,
        suppressed: withFixes ? full.suppressed : [],
        target: full.target,
        included: full.project.included.map((f) => f.path),
        read: full.project.read,
      };
      linted.push({ result, config, report: { file: result.file, findings: result.findings, sources: result.sources, suppressed: result.suppressed } });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      reportError(e);
      pushAll(unread, files);
    }
  }
  const reported = new Set(withoutIncludedProjects(linted.map((l) => l.result)));
  return { linted: linted.filter((l) => reported.has(l.result)), inputFailed, unread };
}

/**
 * How many projects a run lints before it keeps records of them (`ReportRecords`) rather than
 * their findings as they are. Recording costs each project about a tenth of its CPU (copying the
 * findings, keeping each string once) and pays back memory only over many projects: on 100 corpus
 * files the peak was the same without records, on 1,000 it was 135 MiB against 115 with them.
 */
const RECORDS_AFTER = 200;
/**
 * The findings held as they are after which records are made whatever the number of projects: a
 * large file has thousands (the 2,000-service files of bench/ 4,000 and 17,000): 60 copies of one
 * peaked at 777 MiB held as they are, 415 MiB with records. 200 corpus files hold about 11,000.
 */
const RECORDS_AFTER_FINDINGS = 20_000;

/** Records of the projects linted so far, made in the order they were linted; their results now hold the records. */
function recordAll(linted: Linted[]): ReportRecords {
  const records = new ReportRecords();
  for (const l of linted) {
    const kept = records.keep(l.result.findings, l.result.sources);
    l.result.findings = l.report.findings = kept.findings;
    l.result.sources = l.report.sources = kept.sources;
  }
  return records;
}

/** 1 when a finding is at or above its project's threshold, or warnings exceed --max-warnings; else 0. */
function exitStatus(linted: Linted[], failOnOf: (l: Linted) => FailOn, opts: LintCommandOptions, g: GlobalContext): number {
  const failing: Finding[] = [];
  let because = '';
  for (const l of linted) {
    const failOn = failOnOf(l);
    const here = l.report.findings.filter((f) => failsAt(f.severity, failOn));
    if (here.length && !because) because = opts.failOn !== undefined || !l.config ? `--fail-on ${failOn}` : `failOn: ${failOn} in ${l.config.shownPath}`;
    pushAll(failing, here);
  }
  if (failing.length > 0) {
    // errors fail a run by default; say why when only lesser findings fail it
    if (!failing.some((f) => f.severity === 'error')) g.stderr(`stackopt: ${countBySeverity(failing)} ${failing.length === 1 ? 'fails' : 'fail'} the run (${because})`);
    return EXIT_FINDINGS;
  }
  const warnings = linted.reduce((n, l) => n + l.report.findings.filter((f) => f.severity === 'warning').length, 0);
  if (opts.maxWarnings !== undefined && opts.maxWarnings >= 0 && warnings > opts.maxWarnings) {
    g.stderr(`stackopt: ${warnings} warnings, more than --max-warnings ${opts.maxWarnings} allows`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

/** `-q`: keep only the findings that can fail the run, and say on stderr how many were hidden. */
function hideBelowThreshold(linted: Linted[], failOnOf: (l: Linted) => FailOn, g: GlobalContext): void {
  const hidden: Finding[] = [];
  for (const l of linted) {
    const failOn = failOnOf(l);
    const keep: Finding[] = [];
    for (const f of l.report.findings) (shownWhenQuiet(f.severity, failOn) ? keep : hidden).push(f);
    l.report = { ...l.report, findings: keep, suppressed: l.report.suppressed?.filter((f) => shownWhenQuiet(f.severity, failOn)) };
  }
  if (hidden.length > 0) g.stderr(`stackopt: -q hid ${countBySeverity(hidden)} (below the failure threshold; run without -q to see them)`);
}

/** "3 warnings and 1 info" */
function countBySeverity(findings: readonly Finding[]): string {
  const parts: string[] = [];
  for (const [sev, one, many] of [['error', 'error', 'errors'], ['warning', 'warning', 'warnings'], ['info', 'info', 'infos']] as const) {
    const n = findings.filter((f) => f.severity === sev).length;
    if (n) parts.push(`${n} ${n === 1 ? one : many}`);
  }
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '0 findings');
}

/**
 * The file a lint read (a compose file, one `extends` or `include` named, an env file), or an
 * input it could not read, that `path` is, shown; else null.
 */
function projectRead(run: Pick<LintRun, 'linted' | 'unread'>, path: string): string | null {
  for (const l of run.linted) {
    // the configuration is a file the run read too (its baseline is what --write-baseline rewrites)
    const read = l.config ? [...l.result.read, l.config.path] : l.result.read;
    for (const p of read) if (isSameFile(resolve(path), p)) return displayPath(p);
  }
  const unread = run.unread.find((p) => isSameFile(resolve(path), p));
  return unread === undefined ? null : displayPath(resolve(unread));
}

/**
 * Which configuration's baseline `path` is (`b.json, the baseline .stackopt.yaml names`), or null:
 * an output (`lint -o`, `fix -o`) never replaces it.
 */
export function baselineNamedAt(configs: ReadonlyArray<ResolvedConfig | null>, path: string): string | null {
  const named = configs.find((c) => c?.baseline !== undefined && isSameFile(resolve(path), c.baseline));
  return named ? `${displayPath(named.baseline!)}, the baseline ${named.shownPath} names` : null;
}

/**
 * Why a baseline of these projects may not be written at `name` (after `is`), or null: a file the
 * projects read (an input, a configuration) is never replaced by one (`--write-baseline`, `init --baseline`).
 */
export function baselineTargetRefusal(run: Pick<LintRun, 'linted' | 'unread'>, name: string): string | null {
  const read = projectRead(run, name);
  return read && `is ${read}, a file the project reads`;
}

/** `--write-baseline F`: record every finding in F, then report none of them. */
async function writeBaseline(run: LintRun, name: string, g: GlobalContext): Promise<void> {
  const { linted } = run;
  const refused = baselineTargetRefusal(run, name);
  if (refused) throw new CliError(`--write-baseline ${name} ${refused}; nothing was written`);
  const all = linted.flatMap((l) => l.report.findings);
  const n = await writeBaselineFile(all, name);
  g.stderr(`stackopt: recorded ${n} ${n === 1 ? 'finding' : 'findings'} in ${name}; lint with --baseline ${name} to report only new ones`);
  for (const l of linted) l.report = { ...l.report, findings: [] };
}

/**
 * Write a baseline of these findings to a file (a CliError when it cannot be written); returns how
 * many. `regularOnly`: a device or a pipe at the name is refused, not written to as `-o` writes to it.
 */
export async function writeBaselineFile(findings: readonly Finding[], name: string, regularOnly = false): Promise<number> {
  const { createBaseline } = await import('../engine/baseline.js');
  const file = resolve(name);
  const baseline = createBaseline(findings, dirname(file));
  try {
    (regularOnly ? writeFileAtomic : writeOutputFile)(file, `${JSON.stringify(baseline, null, 2)}\n`);
  } catch (e) {
    throw new CliError(`cannot write baseline ${name}: ${describeFsError(e, true)}`);
  }
  return findings.length;
}

/**
 * Keep only findings a baseline does not record: `--baseline F` for every project, else each
 * project's configuration's `baseline` (projects without one keep all their findings).
 */
async function applyBaselines(linted: Linted[], opts: LintCommandOptions, g: GlobalContext): Promise<void> {
  const groups = new Map<string, { shown: string; from: string | null; boundary: ProjectBoundary | null; members: Linted[] }>();
  for (const l of linted) {
    const file = opts.baseline !== undefined ? resolve(opts.baseline) : l.config?.baseline;
    if (file === undefined) continue;
    let group = groups.get(file);
    if (!group) {
      const from = opts.baseline !== undefined ? null : l.config!.shownPath;
      // a baseline the configuration names is a file of the repository that holds it (the
      // configuration is content of the repository, as a compose file is): not /etc/shadow, not
      // /dev/stdin; one named on the command line is read as given
      const boundary = from === null ? null : baselineBoundary(l.config!.path, from);
      group = { shown: opts.baseline ?? displayPath(file), from, boundary, members: [] };
      groups.set(file, group);
    }
    group.members.push(l);
  }
  if (groups.size === 0) return;
  const { matchBaseline, parseBaseline } = await import('../engine/baseline.js');
  for (const [file, { shown, from, boundary, members }] of groups) {
    const named = from ? ` (the baseline of ${from})` : '';
    let text: string;
    try {
      text = boundary === null ? readText(file) : boundary.readText(file);
    } catch (e) {
      if (!(e instanceof ReadTextError)) throw e;
      throw new CliError(`cannot read baseline ${shown}${named}: ${e.message}${e.message === 'no such file' ? ` (create it with --write-baseline ${shown})` : ''}`);
    }
    let baseline;
    try {
      baseline = parseBaseline(text);
    } catch (e) {
      throw new CliError(`baseline ${shown}${named}: ${(e as Error).message}`);
    }
    const { fresh, stale } = matchBaseline(members.flatMap((l) => l.report.findings), baseline, dirname(file));
    if (stale > 0) g.stderr(`stackopt: ${stale} ${stale === 1 ? 'finding' : 'findings'} of ${shown} no longer occur; rewrite it with --write-baseline ${shown} to drop them`);
    const keep = new Set<Finding>(fresh);
    // the findings the baseline accepts stay in the report as suppressed ones (SARIF shows them so)
    const suppression = { kind: 'external' as const, directive: `baseline ${shown}`, justification: `recorded in the baseline ${shown}` };
    for (const l of members) {
      l.report = {
        ...l.report,
        findings: l.report.findings.filter((f) => keep.has(f)),
        suppressed: [...(l.report.suppressed ?? []), ...l.report.findings.filter((f) => !keep.has(f)).map((f) => ({ ...f, suppression }))],
      };
    }
  }
}

/**
 * The results without the projects another one of the run includes (`include:`): their findings
 * are reported once, through the project that includes them (where the services they depend on
 * are defined).
 */
function withoutIncludedProjects(results: LintedResult[]): LintedResult[] {
  const included = new Set(results.flatMap((r) => r.included));
  if (included.size === 0) return results;
  return results.filter((r) => !(r.sources.length > 0 && r.sources.every((s) => included.has(s.path))));
}
