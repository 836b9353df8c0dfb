/**
 * stackopt's programmatic API (docs/api.md): lint or fix the text of a compose file as if it were at
 * a path (an editor's buffer, a generated file), and read a rule's documentation. The package's
 * `exports` point here (built to dist/api/); the language server (src/lsp/) uses it too.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clearConfigCache, configFor, InvalidConfigError, readConfigFile } from '../config/find-config.js';
import type { ResolvedConfig } from '../config/load-config.js';
import { lintProject } from '../engine/lint.js';
import { packageRoot } from '../engine/package-info.js';
import { findRule } from '../engine/registry.js';
import type { Finding as EngineFinding } from '../engine/types.js';
import { blockedText, fixProject } from '../fix/fix-project.js';
import { ruleDocsUrl } from '../format/rule-docs.js';
import { displayPath, textAt } from '../parse/load-project.js';
import { InputError } from '../parse/read-document.js';
import type { Finding, FixOptions, FixReport, LintOptions, LintReport, RuleDocs } from './types.js';

export type { Finding, FindingFix, FixOptions, FixReport, LintOptions, LintReport, RuleDocs, Severity, Target, TextEdit } from './types.js';

/**
 * The text could not be linted: the configuration is invalid, or a file it needs (an env file)
 * cannot be read. `problems` holds one line each, with file:line:col where there is one.
 */
export class StackoptInputError extends Error {
  /** the file at fault, as shown */
  readonly file: string;
  readonly problems: string[];

  constructor(message: string, file: string, problems: string[] = [message]) {
    super(message);
    this.name = 'StackoptInputError';
    this.file = file;
    this.problems = problems;
  }
}

/**
 * Lint `text` as the compose file at `options.filePath`. Never reads that file; reads its
 * configuration, `.env` and the files it points at. Throws StackoptInputError when the
 * configuration is invalid or an env file cannot be read; a text that does not parse is not an
 * error (its findings say why).
 */
export function lint(text: string, options: LintOptions = {}): LintReport {
  const ctx = prepare(text, options);
  const result = guarded(() => lintProject({ ...ctx.load, withFixes: options.fixes ?? true }));
  return {
    file: displayPath(ctx.path),
    findings: result.findings.map((f) => publicFinding(f, ctx.path, ctx.bom)),
    target: result.target,
    configFile: ctx.config ? ctx.config.shownPath : null,
    parsed: result.stack !== null,
  };
}

/**
 * Fix `text` as `stackopt fix` fixes the file at `options.filePath` (passes, each checked to parse
 * and to add no error), and return the fixed text. Throws as lint does.
 */
export function fix(text: string, options: FixOptions = {}): FixReport {
  const ctx = prepare(text, options);
  const r = guarded(() => fixProject({ ...ctx.load, unsafe: options.unsafe ?? false, only: options.rules }));
  const own = r.files.find((f) => f.source.path === ctx.path);
  const output = own ? own.output : text;
  return {
    output,
    changed: output !== text,
    applied: r.applied.map((a) => ({ ruleId: a.ruleId, service: a.service, description: a.description, unsafe: a.unsafe })),
    remaining: r.left.map((l) => publicFinding(l.finding, ctx.path, ctx.bom)),
    blocked: r.blocked && blockedText(r.blocked),
  };
}

/** A rule's documentation: its README as shipped in the package, or null for an unknown id. */
export function ruleDocs(id: string): RuleDocs | null {
  const rule = findRule(id);
  if (!rule) return null;
  const m = rule.meta;
  const readme = join(packageRoot(), 'rules', m.id, 'README.md'); // the registered id, never the text asked for
  const markdown = existsSync(readme)
    ? readFileSync(readme, 'utf8')
    : `# ${m.id}\n\n${m.description}\n\nDefault severity: ${m.severity}. ${m.fixable ? `Fixable (${m.fixable}).` : 'Not fixable.'}\n`;
  return { id: m.id, description: m.description, severity: m.severity, fixable: m.fixable ?? null, docsUrl: ruleDocsUrl(m.id), markdown };
}

interface Prepared {
  path: string;
  bom: boolean;
  config: ResolvedConfig | null;
  load: Parameters<typeof lintProject>[0];
}

function prepare(text: string, options: LintOptions): Prepared {
  const path = resolve(options.filePath ?? 'compose.yaml');
  // each call sees the configuration on disk now (an editor creates and changes it between calls)
  clearConfigCache();
  const config = guarded(() => configOf(path, options.config));
  return {
    path,
    bom: text.startsWith('\uFEFF'),
    config,
    load: {
      files: [path],
      envFiles: options.envFiles,
      environment: options.environment,
      settings: config?.settings,
      allowPaths: config?.allowPaths,
      target: options.target ?? config?.target,
      readText: textAt(path, text),
    },
  };
}

/**
 * The configuration of the file at `path`, looked up as the CLI looks it up: a path given is read as
 * `--config` reads it; else the nearest one, refused as the CLI refuses it (a link out of its
 * repository, another user's file in a folder anyone writes to, allowPaths outside its repository).
 */
function configOf(path: string, given: string | false | undefined): ResolvedConfig | null {
  if (given === undefined) return configFor(path);
  return given ? readConfigFile(given) : null;
}

/** Run `f`, turning the reader's and the configuration's errors into StackoptInputError. */
function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InvalidConfigError) throw new StackoptInputError(`invalid configuration: ${e.problems.join('; ')}`, e.file, e.problems);
    if (e instanceof InputError) throw new StackoptInputError(e.message, e.file);
    throw e;
  }
}

function publicFinding(f: EngineFinding, path: string, bom: boolean): Finding {
  const shift = bom ? 1 : 0;
  const inText = f.loc?.kind === 'file' && f.loc.source.path === path;
  const own = f.fix && f.fix.file === path && f.fix.edits.length > 0 ? f.fix : null;
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    file: f.file,
    inText,
    service: f.service,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    start: inText && f.loc?.kind === 'file' ? f.loc.start + shift : -1,
    end: inText && f.loc?.kind === 'file' ? f.loc.end + shift : -1,
    fixable: f.fixable,
    fix: own ? { description: own.description, unsafe: Boolean(own.unsafe), edits: own.edits.map((e) => ({ start: e.start + shift, end: e.end + shift, text: e.text })) } : null,
    docsUrl: ruleDocsUrl(f.ruleId),
  };
}
