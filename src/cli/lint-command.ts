import { isSameFile, writeOutputFile } from '../parse/write-file.js';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadCommandConfig } from '../config/find-config.js';
import { lintProject } from '../engine/lint.js';
import type { TargetSetting } from '../engine/target.js';
import { allRules } from '../engine/registry.js';
import type { Finding } from '../engine/types.js';
import { FORMATS_WITH_FIXES, formatNames, loadFormatter } from '../format/index.js';
import type { ReportResult } from '../format/types.js';
import { InputError } from '../parse/read-document.js';
import { describeFsError, readText, ReadTextError } from '../parse/read-text.js';
import { expandPaths, type DiscoverOptions } from './discover.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { collect, parseTarget, useColor, type GlobalContext } from './shared.js';

export interface ProjectSelection {
  /** each entry is one project: a single file, or the -f files merged */
  projects: string[][];
  envFiles: string[];
}

/**
 * Turn `paths` and `-f` options into projects, as lint and fix both take them. `discover.ignore`
 * (the config's ignore patterns) drops matching paths; -f files are always read.
 */
export function selectProjects(paths: string[], opts: { file?: string[]; envFile?: string[] }, discover: DiscoverOptions = {}): ProjectSelection {
  const envFiles = opts.envFile ?? [];
  if (opts.file && opts.file.length > 0) {
    if (paths.length > 0) throw new CliError('give either paths (each linted on its own) or -f files (merged into one project), not both');
    return { projects: [opts.file], envFiles };
  }
  return { projects: expandPaths(paths, discover).map((p) => [p]), envFiles };
}

export interface LintCommandOptions {
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
}

function parseMaxWarnings(v: string): number {
  if (!/^\d+$/.test(v.trim())) throw new CliError(`--max-warnings takes a whole number of warnings (0 or more), not "${v}"`);
  return Number(v);
}

export function registerLint(program: Command, g: GlobalContext): void {
  program
    .command('lint')
    .summary('report problems in compose and stack files')
    .description(
      'Lint compose and stack files. Each path is linted on its own; a directory is searched for ' +
        'compose.yaml, compose.yml, docker-compose*.yml and *stack*.yml. With -f, the files are merged ' +
        'into one project as `docker compose -f A -f B` does, and each finding points into the file its ' +
        'value came from. ${VAR} references are interpolated from the environment and the .env file ' +
        'beside the first file (or the --env-file files instead).',
    )
    .argument('[paths...]', 'compose files or directories (default: the current directory)')
    .option('-f, --file <file>', 'a compose file of one merged project (repeatable, in order)', collect)
    .option('--env-file <file>', 'read variables from this file instead of .env (repeatable, later wins)', collect)
    .option('--format <name>', `output format: ${formatNames().join(', ')}`, 'stylish')
    .option('-o, --output-file <file>', 'write the report to a file instead of standard output')
    .option('--no-color', 'no colours (also off with NO_COLOR or when output is not a terminal)')
    .option('-c, --config <file>', 'read this configuration instead of the nearest .stackopt.yaml')
    .option('--max-warnings <n>', 'also fail (exit 1) when there are more than n warnings', parseMaxWarnings)
    .option('-q, --quiet', 'report errors only (warnings and infos are neither shown nor counted)')
    .option('--baseline <file>', 'report only findings not recorded in this baseline file')
    .option('--write-baseline <file>', 'record the current findings in this baseline file (then report none of them)')
    .option(
      '--target <target>',
      'compose (docker compose), swarm (docker stack deploy) or auto: swarm when a file name says stack\n' +
        'or the file uses a swarm-only key (deploy.placement, update_config, ...); default: the config, else auto',
      parseTarget,
    )
    .addHelpText(
      'after',
      '\nExit status: 0 no errors, 1 error findings (or more warnings than --max-warnings), 2 usage error,\n' +
        'bad configuration or unreadable input, 3 internal error.\n\n' +
        'Examples:\n  stackopt lint compose.yaml\n  stackopt lint -f compose.yaml -f compose.prod.yaml --env-file prod.env\n  stackopt lint deploy/ --format json > report.json\n' +
        '  stackopt lint --format sarif -o stackopt.sarif\n  stackopt lint --write-baseline .stackopt-baseline.json   # once, then in CI:\n  stackopt lint --baseline .stackopt-baseline.json',
    )
    .action(async (paths: string[], opts: LintCommandOptions) => {
      g.exitCode = await runLint(paths, opts, g);
    });
}

/** The lint command; returns its exit code (a usage error throws CliError). */
export async function runLint(paths: string[], opts: LintCommandOptions, g: GlobalContext): Promise<number> {
  const formatter = await loadFormatter(opts.format);
  if (!formatter) throw new CliError(`unknown format "${opts.format}"; choose one of ${formatNames().join(', ')}`);
  const config = await loadCommandConfig(opts.config);
  /** a file found in a folder searched was not read (a link out of it): exit 2 */
  let refused = false;
  const sel = selectProjects(paths, opts, {
    ignore: config?.ignore,
    onIgnored: (p) => g.stderr(`stackopt: ${p} is not linted: the ignore patterns of ${config!.shownPath} match it`),
    onRefused: (p, why) => {
      g.stderr(`stackopt: ${p} is not read: ${why}`);
      refused = true;
    },
    onWarning: (m) => g.stderr(m),
  });
  // Only what the report needs is kept of each project once it is linted (its findings and source
  // texts, not its trees and model): memory stays flat over many files.
  const results: ReportResult[] = [];
  let inputFailed = refused;
  // one copy of the environment for every project (reading process.env key by key is slow; on
  // Windows its names are case-insensitive, so it is read as it is)
  const environment = process.platform === 'win32' ? undefined : { ...process.env };
  for (const files of sel.projects) {
    try {
      const r = lintProject({
        files,
        envFiles: sel.envFiles,
        environment,
        settings: config?.settings,
        allowPaths: config?.allowPaths,
        target: opts.target ?? config?.target,
        withFixes: FORMATS_WITH_FIXES.has(opts.format),
      });
      results.push({ file: r.file, findings: r.findings, sources: r.sources });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      g.stderr(`stackopt: ${e.message}`);
      inputFailed = true;
    }
  }
  let report: ReportResult[] = results;
  if (opts.writeBaseline !== undefined || opts.baseline !== undefined) report = await applyBaseline(report, opts, g);
  if (opts.quiet) report = report.map((r) => ({ ...r, findings: r.findings.filter((f) => f.severity === 'error') }));
  // Nothing could be read: "no problems in 0 files" would only mislead; the errors are on stderr.
  if (inputFailed && results.length === 0 && opts.format === 'stylish') return EXIT_USAGE;
  const toFile = opts.outputFile !== undefined;
  const text = formatter(report, { color: !toFile && useColor(opts.color, g), version: g.version, cwd: process.cwd(), rules: allRules });
  if (toFile) {
    const input = results.flatMap((r) => r.sources ?? []).find((s) => isSameFile(opts.outputFile!, s.path));
    if (input) throw new CliError(`-o ${opts.outputFile} is the input file ${input.displayPath}; the report was not written`);
    try {
      writeOutputFile(opts.outputFile!, text);
    } catch (e) {
      throw new CliError(`cannot write ${opts.outputFile}: ${describeFsError(e, true)}`);
    }
  } else g.stdout(text);
  if (inputFailed) return EXIT_USAGE;
  const findings = report.flatMap((r) => r.findings);
  if (findings.some((f) => f.severity === 'error')) return EXIT_FINDINGS;
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  if (opts.maxWarnings !== undefined && warnings > opts.maxWarnings) {
    g.stderr(`stackopt: ${warnings} warnings, more than --max-warnings ${opts.maxWarnings} allows`);
    return EXIT_FINDINGS;
  }
  return EXIT_OK;
}

/** `--write-baseline F` records the findings; `--baseline F` keeps only those it does not record. */
async function applyBaseline(report: ReportResult[], opts: LintCommandOptions, g: GlobalContext): Promise<ReportResult[]> {
  const { createBaseline, matchBaseline, parseBaseline } = await import('../engine/baseline.js');
  const all = report.flatMap((r) => r.findings);
  if (opts.writeBaseline !== undefined) {
    const file = resolve(opts.writeBaseline);
    const baseline = createBaseline(all, dirname(file));
    try {
      writeOutputFile(file, `${JSON.stringify(baseline, null, 2)}\n`);
    } catch (e) {
      throw new CliError(`cannot write baseline ${opts.writeBaseline}: ${describeFsError(e, true)}`);
    }
    g.stderr(`stackopt: recorded ${all.length} ${all.length === 1 ? 'finding' : 'findings'} in ${opts.writeBaseline}; lint with --baseline ${opts.writeBaseline} to report only new ones`);
    return report.map((r) => ({ ...r, findings: [] }));
  }
  const file = resolve(opts.baseline!);
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    throw new CliError(`cannot read baseline ${opts.baseline}: ${e.message}${e.message === 'no such file' ? ' (create it with --write-baseline)' : ''}`);
  }
  let baseline;
  try {
    baseline = parseBaseline(text);
  } catch (e) {
    throw new CliError(`baseline ${opts.baseline}: ${(e as Error).message}`);
  }
  const { fresh, stale } = matchBaseline(all, baseline, dirname(file));
  if (stale > 0) g.stderr(`stackopt: ${stale} ${stale === 1 ? 'finding' : 'findings'} of ${opts.baseline} no longer occur; rewrite it with --write-baseline to drop them`);
  const keep = new Set<Finding>(fresh);
  return report.map((r) => ({ ...r, findings: r.findings.filter((f) => keep.has(f)) }));
}
