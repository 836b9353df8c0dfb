/**
 * The types of stackopt's programmatic API (docs/api.md). They import nothing, so the declaration
 * file shipped for the API entry stands on its own.
 */

export type Severity = 'error' | 'warning' | 'info';
export type Target = 'compose' | 'swarm';

export interface LintOptions {
  /**
   * The file the text is linted as (absolute, or relative to the working directory): its folder's
   * nearest `.stackopt.yaml`, the `.env` beside it, its name (the target: a name with the word
   * `stack` is a swarm stack file) and the files it points at (`extends.file`) are resolved from it;
   * the file itself is not read. Default: `compose.yaml` in the working directory.
   */
  filePath?: string;
  /**
   * The configuration: a path to a `.stackopt.yaml`, `false` for none (the defaults), or undefined for
   * the nearest one from `filePath`'s folder upward.
   */
  config?: string | false;
  /** `compose`, `swarm` or `auto` (default: the configuration's, else `auto`) */
  target?: Target | 'auto';
  /** env files read instead of the `.env` beside `filePath` (later ones win) */
  envFiles?: string[];
  /** the variables for `${VAR}` interpolation; they win over env files (default: `process.env`) */
  environment?: Record<string, string | undefined>;
  /** compute each finding's fix (default true) */
  fixes?: boolean;
}

/** One replacement of `text.slice(start, end)` by `text`, offsets into the text that was linted. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A rule's fix for one finding: every edit applies together, or none. */
export interface FindingFix {
  /** what the fix does (`added deploy.resources.limits`) */
  description: string;
  /** the fix changes how the service behaves (`stackopt fix` runs it only with --unsafe) */
  unsafe: boolean;
  edits: TextEdit[];
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** one line; quotes the value found and says what is expected */
  message: string;
  /** the file, as shown (relative to the working directory when inside it) */
  file: string;
  /** the finding is in the linted text (false: in a file it points at, e.g. `extends.file`) */
  inText: boolean;
  service: string | null;
  /** the YAML path (`services.web.ports[0]`), '' when there is none */
  path: string;
  /** 1-based; columns count UTF-16 code units, as editors and the Language Server Protocol do */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** offsets of the same range into the linted text (when `inText`), else -1 */
  start: number;
  end: number;
  /** whether the rule has a fix for it; `fix` holds it when it edits only the linted text */
  fixable: boolean;
  fix: FindingFix | null;
  /** the rule's documentation page */
  docsUrl: string;
}

export interface LintReport {
  /** `filePath` as shown */
  file: string;
  /** sorted by line, column, severity */
  findings: Finding[];
  /** the target the rules ran for, and why (`the file name "app-stack.yml" says stack`) */
  target: { target: Target; reason: string };
  /** the configuration used, or null */
  configFile: string | null;
  /** the text parsed into a compose mapping (false: only syntax findings could be made) */
  parsed: boolean;
}

export interface FixOptions extends LintOptions {
  /** also apply fixes that change behaviour */
  unsafe?: boolean;
  /** only apply the fixes of these rules */
  rules?: string[];
}

export interface FixReport {
  /** the fixed text (the input when nothing could be fixed) */
  output: string;
  changed: boolean;
  applied: Array<{ ruleId: string; service: string | null; description: string; unsafe: boolean }>;
  /** what is left, as linting `output` reports it */
  remaining: Finding[];
  /** why nothing was fixed (the text does not parse), or null */
  blocked: string | null;
}

export interface RuleDocs {
  id: string;
  description: string;
  severity: Severity;
  fixable: 'safe' | 'unsafe' | null;
  docsUrl: string;
  /** the rule's README (Markdown) as shipped in the package, or a short text for the reader's own checks */
  markdown: string;
}
