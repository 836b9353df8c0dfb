import { existsSync, lstatSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { baselineBoundary, clearConfigCache, CONFIG_NAMES, findConfigFile } from '../config/find-config.js';
import { renderInitConfig, initTarget, type InitFacts } from '../config/init-config.js';
import { findRule } from '../engine/registry.js';
import type { Finding, Severity } from '../engine/types.js';
import { findGitRoot } from '../parse/git-root.js';
import { InputError } from '../parse/read-document.js';
import { describeFsError } from '../parse/read-text.js';
import { fileKind } from '../parse/project-files.js';
import { isSameFile, writeFileAtomic } from '../parse/write-file.js';
import { CommandConfigs } from './command-configs.js';
import { CliError, EXIT_OK } from './exit-codes.js';
import { baselineTargetRefusal, lintPaths, writeBaselineFile, type LintRun } from './lint-command.js';
import type { GlobalContext } from './shared.js';

export interface InitCommandOptions {
  /** true: the default name */
  baseline?: string | boolean;
  force?: boolean;
}

export const DEFAULT_BASELINE = '.stackopt-baseline.json';

export function registerInit(program: Command, g: GlobalContext): void {
  program
    .command('init')
    .summary('write a commented .stackopt.yaml for this repository (and a baseline of today\'s findings)')
    .description(
      'Write a commented .stackopt.yaml in the current directory: the target detected from the compose ' +
        'files found (as `stackopt lint` finds them), the files and why each has its target, the rules ' +
        'with findings today, and commented examples of every setting. With --baseline, also record ' +
        'today\'s findings in a baseline that the configuration names, so that `stackopt lint` passes ' +
        'now and fails on new findings only. An existing configuration is never replaced without --force.',
    )
    .option('--baseline [file]', `also record today's findings in a baseline file (default ${DEFAULT_BASELINE}) named by the configuration`)
    .option('--force', 'replace an existing .stackopt.yaml (and baseline file)')
    .addHelpText(
      'after',
      '\nExit status: 0 written, 2 a configuration (or the baseline) already exists without --force, a name\n' +
        'init may not write (a file the project reads, a baseline outside the repository, a FIFO or a device:\n' +
        'refused before anything is written, with --force too), or a file cannot be written, 3 internal error.\n\n' +
        'Examples:\n  stackopt init                 a commented .stackopt.yaml to start from\n' +
        '  stackopt init --baseline      the same, and a baseline: lint passes today, new findings fail it',
    )
    .action(async (opts: InitCommandOptions) => {
      g.exitCode = await runInit(opts, g);
    });
}

/** The init command; returns its exit code (a refusal throws CliError). */
export async function runInit(opts: InitCommandOptions, g: GlobalContext): Promise<number> {
  const dir = process.cwd();
  // a link to a missing file is there too (lint stops at it): replaced only with --force
  const existing = CONFIG_NAMES.map((n) => join(dir, n)).find((p) => lstatSync(p, { throwIfNoEntry: false }) !== undefined);
  const configPath = existing ?? join(dir, CONFIG_NAMES[0]);
  const configName = basename(configPath);
  // every refusal comes before anything is written: a configuration without its baseline would
  // make lint fail where init said it passes
  const kind = existing && notRegular(existing);
  if (kind) throw new CliError(`${configName} is ${kind}, not a regular file: init replaces only a file; nothing was written`);
  if (existing && !opts.force) throw new CliError(`${configName} already exists; \`stackopt init --force\` replaces it (and nothing was written)`);
  const baselineName = opts.baseline === true ? DEFAULT_BASELINE : opts.baseline || undefined;
  if (baselineName !== undefined) {
    // where lint will read the baseline the configuration names, and nowhere else: not outside the
    // repository, not a FIFO or a device
    const refused = baselineBoundary(configPath, configName).writeRefusal(baselineName);
    if (refused) throw new CliError(`--baseline ${baselineName}: ${refused}; nothing was written`);
    if (resolve(baselineName) === configPath || isSameFile(baselineName, configPath)) {
      throw new CliError(`--baseline ${baselineName} is ${configName}, the configuration init writes; nothing was written`);
    }
    if (existsSync(resolve(baselineName)) && !opts.force) {
      throw new CliError(`${baselineName} already exists; \`stackopt init --baseline --force\` replaces it (and nothing was written)`);
    }
  }
  const replaced = findConfigFile(dir);

  // What is there today: every file as lint finds it, under the configurations that will still apply
  // (those in folders below this one); the others are what the new file replaces.
  const today = lintHere(g, new CommandConfigs(undefined, dir));
  // --force replaces a baseline, never a file the project reads (a compose file, .env, a configuration)
  const input = baselineName === undefined ? null : baselineTargetRefusal(today, baselineName);
  if (input) throw new CliError(`--baseline ${baselineName} ${input}; nothing was written`);
  const ours = today.linted.filter((l) => l.config === null);
  const facts: InitFacts = {
    files: today.linted.map((l) => ({
      file: l.result.file,
      target: l.result.target.target,
      reason: l.result.target.reason,
      config: l.config ? l.config.shownPath : undefined,
    })),
    rules: ruleCounts(ours.flatMap((l) => l.result.findings)),
    baseline: baselineName,
  };
  const target = initTarget(facts.files);
  write(configPath, renderInitConfig(facts));
  g.stdout(`wrote ${configName}: target ${target}, ${describeCount(facts.files.length, 'compose file')} found\n`);

  let findings = today.linted.flatMap((l) => l.result.findings);
  if (baselineName !== undefined) {
    // record what lint will report under the new configuration, through lint's own path (its notes
    // about unreadable files were told by the first pass)
    clearConfigCache();
    const now = lintHere({ ...g, stderr: () => {} }, new CommandConfigs());
    findings = now.linted.flatMap((l) => l.result.findings);
    const n = await writeBaselineFile(findings, baselineName, true);
    g.stdout(`wrote ${baselineName}: ${describeCount(n, 'finding')} recorded, named by ${configName} as its baseline\n`);
    for (const l of now.linted) {
      if (l.config && resolve(l.config.path) !== resolve(configPath) && l.config.baseline === undefined && l.result.findings.length > 0) {
        const rel = relative(dirname(resolve(l.config.path)), resolve(baselineName)).split('\\').join('/');
        g.stderr(`stackopt: ${l.result.file} uses ${l.config.shownPath}, which names no baseline: add \`baseline: ${rel}\` to it, or its ${describeCount(l.result.findings.length, 'finding')} will be reported`);
      }
    }
  }
  if (replaced && dirname(replaced) !== dir) {
    g.stderr(`stackopt: ${relative(dir, replaced)} applied to the files here until now; ${configName} replaces it for them (the nearest configuration alone applies): copy what you need from it`);
  }
  const root = findGitRoot(dir);
  if (root && root !== dir) {
    g.stderr(`stackopt: the repository's root is ${relative(dir, root)}; files outside this folder do not use ${configName} (run \`stackopt init\` there to cover them all)`);
  }
  g.stdout(nextSteps(findings, baselineName, configName));
  return EXIT_OK;
}

/** Lint the current directory as `stackopt lint` does; no compose files is no files, not an error. */
function lintHere(g: GlobalContext, configs: CommandConfigs): Pick<LintRun, 'linted' | 'unread'> {
  try {
    return lintPaths([], { format: 'json' }, g, configs);
  } catch (e) {
    if (e instanceof InputError && /no compose files found/.test(e.message)) return { linted: [], unread: [] };
    throw e;
  }
}

/** What a path is when it is there but is not a regular file (after links): `a FIFO`, `a directory`; else null. */
function notRegular(path: string): string | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st && !st.isFile() ? fileKind(st) : null;
}

/** Write a file init makes: a regular file, never through to a device or a pipe at its name. */
function write(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    throw new CliError(`cannot write ${basename(path)}: ${describeFsError(e, true)}`);
  }
}

/** Findings per rule, most first (then by id), with the rule's default severity. */
function ruleCounts(findings: readonly Finding[]): InitFacts['rules'] {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  return [...counts]
    .map(([id, count]) => ({ id, count, severity: (findRule(id)?.meta.severity ?? 'error') as Severity }))
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function describeCount(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function nextSteps(findings: readonly Finding[], baseline: string | undefined, configName: string): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const steps: Array<[string, string]> = [];
  if (baseline !== undefined) {
    steps.push(['stackopt lint', 'passes now; a new finding fails it']);
    steps.push([`git add ${configName} ${baseline}`, 'commit both']);
  } else {
    steps.push(['stackopt lint', `today: ${describeCount(findings.length, 'finding')}${errors ? ` (exit 1: ${describeCount(errors, 'error')})` : ''}`]);
    if (findings.length > 0) steps.push(['stackopt init --baseline --force', 'record them, so that only new findings fail lint']);
    steps.push([`git add ${configName}`, 'commit it']);
  }
  steps.push(['stackopt fix --diff', 'what stackopt can fix (stackopt fix writes <file>.optimized)']);
  steps.push(['stackopt rules <id>', 'why a rule matters and how to satisfy it']);
  const width = Math.max(...steps.map(([cmd]) => cmd.length));
  return `\nNext steps:\n${steps.map(([cmd, why]) => `  ${cmd.padEnd(width)}   ${why}\n`).join('')}`;
}
