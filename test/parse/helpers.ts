import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { lintProject, type LintResult } from '../../src/engine/lint.js';
import type { Finding, Rule } from '../../src/engine/types.js';
import type { TargetSetting } from '../../src/engine/target.js';
import { positionOf, type Loc } from '../../src/parse/location.js';
import { loadProject, type LoadOptions, type Project } from '../../src/parse/load-project.js';
import { parseSource, type ReadDocument } from '../../src/parse/read-document.js';
import { SourceFile } from '../../src/parse/source-file.js';

/**
 * Write files into a fresh temporary folder, run `fn` with that folder as the current directory
 * (so that displayed paths are the plain file names) and remove the folder afterwards.
 */
export function inTempDir<T>(files: Record<string, string | Buffer>, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-parse-'));
  const cwd = process.cwd();
  try {
    for (const [name, text] of Object.entries(files)) {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    process.chdir(dir);
    return fn(dir);
  } finally {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LintFilesOptions extends Partial<Omit<LoadOptions, 'files'>> {
  /** the files to lint as one project (default: the first file written) */
  lint?: string[];
  rules?: readonly Rule[];
  /** the target (default auto: by the files' names and contents) */
  target?: TargetSetting;
}

/** Lint real files in a temporary folder; only the parser's own checks run unless `rules` is given. */
export function lintFiles(files: Record<string, string | Buffer>, opts: LintFilesOptions = {}): LintResult {
  return inTempDir(files, () =>
    lintProject({
      files: opts.lint ?? [Object.keys(files)[0]!],
      envFiles: opts.envFiles,
      environment: opts.environment ?? {},
      interpolate: opts.interpolate,
      rules: opts.rules ?? [],
      target: opts.target,
    }),
  );
}

/** Load (read, interpolate, extends, merge) real files in a temporary folder. */
export function loadFiles(files: Record<string, string | Buffer>, opts: LintFilesOptions = {}): Project {
  return inTempDir(files, () =>
    loadProject({
      files: opts.lint ?? [Object.keys(files)[0]!],
      envFiles: opts.envFiles,
      environment: opts.environment ?? {},
      interpolate: opts.interpolate,
    }),
  );
}

/** A finding reduced to what a test compares. */
export interface Brief {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
}

export function brief(f: Finding): Brief {
  return { ruleId: f.ruleId, severity: f.severity, file: f.file, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, message: f.message };
}

/** Parse one in-memory text as a compose file would be read (no disk). */
export function parseText(text: string, env: Record<string, string> = {}, name = 'compose.yaml'): ReadDocument {
  return parseSource(new SourceFile(`/virtual/${name}`, name, text), new Map(Object.entries(env)));
}

/** `{line, column, endLine, endColumn}` of a location (file locations only). */
export function pos(loc: Loc): { line: number; column: number; endLine: number; endColumn: number } {
  const p = positionOf(loc);
  if (!p) throw new Error('not a file location');
  return p;
}

/** The source text a file location covers. */
export function textAt(loc: Loc): string {
  if (loc.kind !== 'file') throw new Error('not a file location');
  return loc.source.text.slice(loc.start, loc.end);
}
