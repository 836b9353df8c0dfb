import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { lintProject, type LintResult } from '../engine/lint.js';
import { formatters, formatNames } from '../format/index.js';
import type { ReportResult } from '../format/types.js';
import { InputError } from '../parse/read-document.js';
import { expandPaths } from './discover.js';
import { CliError, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import { collect, useColor, type GlobalContext } from './shared.js';

export interface ProjectSelection {
  /** each entry is one project: a single file, or the -f files merged */
  projects: string[][];
  envFiles: string[];
}

/** Turn `paths` and `-f` options into projects, as lint and fix both take them. */
export function selectProjects(paths: string[], opts: { file?: string[]; envFile?: string[] }): ProjectSelection {
  const envFiles = opts.envFile ?? [];
  if (opts.file && opts.file.length > 0) {
    if (paths.length > 0) throw new CliError('give either paths (each linted on its own) or -f files (merged into one project), not both');
    return { projects: [opts.file], envFiles };
  }
  return { projects: expandPaths(paths).map((p) => [p]), envFiles };
}

export interface LintCommandOptions {
  file?: string[];
  envFile?: string[];
  format: string;
  outputFile?: string;
  color?: boolean;
}

export function registerLint(program: Command, g: GlobalContext): void {
  program
    .command('lint')
    .summary('report problems in compose and stack files')
    .description(
      'Lint compose and stack files. Each path is linted on its own; a directory is searched for\n' +
        'compose.yaml, compose.yml, docker-compose*.yml and *stack*.yml. With -f, the files are merged\n' +
        'into one project as `docker compose -f A -f B` does, and each finding points into the file its\n' +
        'value came from. ${VAR} references are interpolated from the environment and the .env file\n' +
        'beside the first file (or the --env-file files instead).',
    )
    .argument('[paths...]', 'compose files or directories (default: the current directory)')
    .option('-f, --file <file>', 'a compose file of one merged project (repeatable, in order)', collect, [])
    .option('--env-file <file>', 'read variables from this file instead of .env (repeatable, later wins)', collect, [])
    .option('--format <name>', `output format: ${formatNames().join(', ')}`, 'stylish')
    .option('-o, --output-file <file>', 'write the report to a file instead of standard output')
    .option('--no-color', 'no colours (also off with NO_COLOR or when output is not a terminal)')
    .addHelpText(
      'after',
      '\nExit status: 0 no errors, 1 error findings, 2 usage error or unreadable input, 3 internal error.\n\n' +
        'Examples:\n  stackopt lint compose.yaml\n  stackopt lint -f compose.yaml -f compose.prod.yaml --env-file prod.env\n  stackopt lint deploy/ --format json > report.json',
    )
    .action((paths: string[], opts: LintCommandOptions) => {
      g.exitCode = runLint(paths, opts, g);
    });
}

export function runLint(paths: string[], opts: LintCommandOptions, g: GlobalContext): number {
  const formatter = formatters[opts.format];
  if (!formatter) throw new CliError(`unknown format "${opts.format}"; choose one of ${formatNames().join(', ')}`);
  const sel = selectProjects(paths, opts);
  const results: LintResult[] = [];
  let inputFailed = false;
  for (const files of sel.projects) {
    try {
      results.push(lintProject({ files, envFiles: sel.envFiles }));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      g.stderr(`stackopt: ${e.message}`);
      inputFailed = true;
    }
  }
  const report: ReportResult[] = results.map((r) => ({ file: r.file, findings: r.findings, sources: r.sources }));
  const toFile = opts.outputFile !== undefined;
  const text = formatter(report, { color: !toFile && useColor(opts.color, g), version: g.version, cwd: process.cwd() });
  if (toFile) writeFileSync(opts.outputFile!, text);
  else g.stdout(text);
  if (inputFailed) return EXIT_USAGE;
  return results.some((r) => r.findings.some((f) => f.severity === 'error')) ? EXIT_FINDINGS : EXIT_OK;
}
