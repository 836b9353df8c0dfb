/**
 * `stackopt lsp`: a language server over standard input and output (docs/editors.md). It lints the
 * editor's buffer, not the file on disk, through the programmatic API (src/api/), as if the buffer
 * were at its path (configuration, `.env`, target). Diagnostics follow open and change (debounced);
 * code actions apply a finding's fix (unsafe ones say so), fix every safe problem, or disable a rule
 * on a line; hover shows the rule's documentation. The configuration is read again on every lint, so
 * a changed `.stackopt.yaml` (watched files, a save) only needs the open files linted again.
 *
 * Nothing the server is sent ends it or reaches the client as a stack trace: a handler's failure is
 * one line in the client's log (window/logMessage), a file that cannot be linted is a diagnostic.
 * Only a message whose length cannot be read (src/lsp/frames.ts) ends it, with a line on standard
 * error: the stream after it cannot be read.
 */
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type Range,
  type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fix, lint, ruleDocs, StackoptInputError, type Finding, type LintReport } from '../api/index.js';
import { clearConfigCache, CONFIG_NAMES, InvalidConfigError, readFoundConfig } from '../config/find-config.js';
import { InputError } from '../parse/read-document.js';
import { REASON } from '../engine/suppressions.js';
import { applyChanges } from './changes.js';
import { checkFrames } from './frames.js';
import { MAX_INPUT_BYTES } from '../parse/read-text.js';

export interface ServerOptions {
  version: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Default wait after the last change before a buffer is linted (initializationOptions.debounceMs). */
export const DEFAULT_DEBOUNCE_MS = 200;
const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.stackopt`;
/**
 * At most this many "Disable RULE on this line" actions are checked per code action request: each
 * one lints the edited text, so a range over a whole file of n lines cost n lints (640 one-line
 * services: no answer in 300 s). An editor asks for the lines at the cursor or a selection.
 */
const MAX_DISABLE_CHECKS = 32;
/** What a line directive cannot silence (src/engine/suppressions.ts). */
const NOT_DISABLED_BY_LINE = new Set(['unused-suppression']);

interface OpenDocument {
  doc: TextDocument;
  timer: NodeJS.Timeout | null;
  /** the findings of the last lint, in the buffer, and the version linted */
  linted: { version: number; findings: Finding[] } | null;
  /** the diagnostics of the last lint that parsed, moved along with later edits */
  lastGood: Diagnostic[];
  /** disable-line actions already checked for this version: key → edit, or null (would not work) */
  checked: Map<string, TextEdit | null>;
}

/** Start the server; the promise settles only if the connection cannot start (the library exits the process on `exit`). */
export function startServer(opts: ServerOptions): Promise<number> {
  const input = checkFrames(opts.input ?? process.stdin, (why) => {
    process.stderr.write(`stackopt: lsp: the client sent a message whose length cannot be read (${why}); the messages after it cannot be told apart, so the server stops\n`);
    process.exit(1);
  });
  const connection = createConnection(input, opts.output ?? process.stdout);
  // nothing but the protocol may reach standard output
  console.log = console.info = console.warn = console.error = (...args: unknown[]) => connection.console.log(args.map(String).join(' '));
  new Server(connection, opts.version).listen();
  return new Promise<number>(() => {});
}

class Server {
  private readonly docs = new Map<string, OpenDocument>();
  private debounceMs = DEFAULT_DEBOUNCE_MS;
  private root = process.cwd();
  private resolveEdits = false;
  private watchRegistration = false;

  constructor(
    private readonly connection: Connection,
    private readonly version: string,
  ) {}

  listen(): void {
    const c = this.connection;
    process.on('uncaughtException', (e) => this.log(`internal error: ${messageOf(e)}`));
    process.on('unhandledRejection', (e) => this.log(`internal error: ${messageOf(e)}`));
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() =>
      this.safe('initialized', () => {
        if (this.watchRegistration) {
          void c.client.register(DidChangeWatchedFilesNotification.type, {
            watchers: [{ globPattern: '**/.stackopt.{yaml,yml}' }, { globPattern: '**/.env' }],
          });
        }
      }),
    );
    c.onDidOpenTextDocument((p) =>
      this.safe('didOpen', () => {
        const d = p.textDocument;
        const entry: OpenDocument = { doc: TextDocument.create(d.uri, d.languageId, d.version, d.text), timer: null, linted: null, lastGood: [], checked: new Map() };
        this.docs.set(d.uri, entry);
        this.lintNow(entry);
      }),
    );
    c.onDidChangeTextDocument((p) =>
      this.safe('didChange', () => {
        const entry = this.docs.get(p.textDocument.uri);
        if (!entry) return;
        const changed = applyChanges(entry.doc, p.contentChanges, p.textDocument.version, entry.lastGood);
        entry.doc = changed.doc;
        entry.lastGood = changed.diagnostics;
        this.schedule(entry);
      }),
    );
    c.onDidCloseTextDocument((p) =>
      this.safe('didClose', () => {
        const entry = this.docs.get(p.textDocument.uri);
        if (entry?.timer) clearTimeout(entry.timer);
        this.docs.delete(p.textDocument.uri);
        void c.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
      }),
    );
    // a save re-reads the configuration: of every open file when the configuration (or .env) was saved
    c.onDidSaveTextDocument((p) =>
      this.safe('didSave', () => {
        const entry = this.docs.get(p.textDocument.uri);
        if (isProjectSetting(p.textDocument.uri)) this.lintAll();
        else if (entry) this.lintNow(entry);
      }),
    );
    c.onDidChangeWatchedFiles((p) =>
      this.safe('didChangeWatchedFiles', () => {
        if (p.changes.some((ch) => isProjectSetting(ch.uri))) this.lintAll();
      }),
    );
    c.onCodeAction((p) => this.safe('codeAction', () => this.codeActions(p)) ?? []);
    c.onCodeActionResolve((a) => this.safe('codeAction/resolve', () => this.resolveFixAll(a)) ?? a);
    c.onHover((p) => this.safe('hover', () => this.hover(p)) ?? null);
    c.listen();
  }

  private initialize(p: InitializeParams): InitializeResult {
    const init = (p.initializationOptions ?? {}) as { debounceMs?: unknown };
    if (typeof init.debounceMs === 'number' && Number.isFinite(init.debounceMs) && init.debounceMs >= 0) this.debounceMs = Math.min(init.debounceMs, 10_000);
    const folder = p.workspaceFolders?.[0]?.uri ?? p.rootUri;
    if (folder?.startsWith('file:')) this.root = safePath(folder) ?? this.root;
    this.watchRegistration = p.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    this.resolveEdits = p.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') === true;
    return {
      serverInfo: { name: 'stackopt', version: this.version },
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
        hoverProvider: true,
      },
    };
  }

  /** Run a handler; a failure is one line in the client's log, never a stack trace or an exit. */
  private safe<T>(what: string, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      this.log(`${what} failed: ${messageOf(e)}`);
      return undefined;
    }
  }

  private log(message: string): void {
    try {
      this.connection.console.error(`stackopt: ${message}`);
    } catch {
      /* the connection is gone */
    }
  }

  private schedule(entry: OpenDocument): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      this.safe('lint', () => this.lintNow(entry));
    }, this.debounceMs);
  }

  private lintAll(): void {
    for (const entry of this.docs.values()) this.safe('lint', () => this.lintNow(entry));
  }

  /** Lint the buffer now and publish its diagnostics. */
  private lintNow(entry: OpenDocument): void {
    if (entry.timer) {
      clearTimeout(entry.timer);
      entry.timer = null;
    }
    const { doc } = entry;
    entry.checked = new Map();
    const path = this.pathOf(doc.uri);
    const publish = (diagnostics: Diagnostic[]) => void this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    if (CONFIG_NAMES.some((n) => n === basename(path))) {
      entry.linted = { version: doc.version, findings: [] };
      publish(configDiagnostics(path));
      return;
    }
    const text = doc.getText();
    if (text.length > MAX_INPUT_BYTES) {
      entry.linted = { version: doc.version, findings: [] };
      publish([{ range: start(), severity: DiagnosticSeverity.Error, source: 'stackopt', message: `the file is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB; it is not linted` }]);
      return;
    }
    let report: LintReport;
    try {
      report = lint(text, { filePath: path });
    } catch (e) {
      if (!(e instanceof StackoptInputError)) throw e;
      // the configuration or an env file is broken: said on the file, where the user looks
      entry.linted = { version: doc.version, findings: [] };
      publish([{ range: start(), severity: DiagnosticSeverity.Error, source: 'stackopt', message: `not linted: ${e.message}` }]);
      return;
    }
    const findings = report.findings.filter((f) => f.inText);
    entry.linted = { version: doc.version, findings };
    const diagnostics = findings.map(toDiagnostic);
    if (report.parsed) {
      entry.lastGood = diagnostics.filter((d) => d.code !== 'yaml-syntax');
      publish(diagnostics);
    } else {
      // a text that does not parse keeps the findings of the last one that did, and adds why
      publish([...entry.lastGood, ...diagnostics]);
    }
  }

  /** The findings of the buffer as it is now (linted at once when a change is still waiting). */
  private current(uri: string): { entry: OpenDocument; findings: Finding[] } | null {
    const entry = this.docs.get(uri);
    if (!entry) return null;
    if (!entry.linted || entry.linted.version !== entry.doc.version) this.lintNow(entry);
    return { entry, findings: entry.linted?.findings ?? [] };
  }

  private codeActions(p: CodeActionParams): CodeAction[] {
    const cur = this.current(p.textDocument.uri);
    if (!cur) return [];
    const { entry, findings } = cur;
    const { doc } = entry;
    const only = p.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    const here = findings.filter((f) => overlaps(rangeOf(f), p.range));
    if (wants(CodeActionKind.QuickFix)) {
      for (const f of here) {
        const diagnostic = toDiagnostic(f);
        if (f.fix) {
          actions.push({
            title: `${f.fix.unsafe ? 'Unsafe fix (changes behaviour)' : 'Fix'}: ${f.fix.description} (${f.ruleId})`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: !f.fix.unsafe,
            edit: { changes: { [doc.uri]: f.fix.edits.map((e) => ({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.text })) } },
          });
        }
      }
      const seen = new Set<string>();
      let checks = 0;
      let unchecked = 0;
      for (const f of here) {
        const key = `${f.ruleId}\u0000${f.line}`;
        if (seen.has(key) || NOT_DISABLED_BY_LINE.has(f.ruleId)) continue;
        seen.add(key);
        if (!entry.checked.has(key) && checks++ >= MAX_DISABLE_CHECKS) {
          unchecked++;
          continue;
        }
        const edit = this.disableEdit(entry, f);
        if (edit) {
          actions.push({ title: `Disable ${f.ruleId} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [toDiagnostic(f)], edit: { changes: { [doc.uri]: [edit] } } });
        }
      }
      if (unchecked > 0) {
        this.log(`codeAction: "Disable ... on this line" is offered for the first ${MAX_DISABLE_CHECKS} rules and lines of the range, not for the ${unchecked} after them (each one is checked by linting the edited text); ask for fewer lines`);
      }
    }
    if (wants(FIX_ALL_KIND) && findings.some((f) => f.fix && !f.fix.unsafe)) {
      const action: CodeAction = { title: 'Fix all safe problems (stackopt fix)', kind: FIX_ALL_KIND, data: { uri: doc.uri, version: doc.version } };
      actions.push(this.resolveEdits ? action : this.resolveFixAll(action));
    }
    return actions;
  }

  /** The fix-all action's edit: `stackopt fix` on the buffer (passes, each checked), as one replacement. */
  private resolveFixAll(action: CodeAction): CodeAction {
    const data = action.data as { uri?: unknown; version?: unknown } | undefined;
    const entry = typeof data?.uri === 'string' ? this.docs.get(data.uri) : undefined;
    if (!entry || entry.doc.version !== data?.version) return action;
    const { doc } = entry;
    const text = doc.getText();
    const r = fix(text, { filePath: this.pathOf(doc.uri) });
    if (!r.changed) return action;
    return { ...action, edit: { changes: { [doc.uri]: [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: r.output }] } } };
  }

  /**
   * `# stackopt-disable-next-line RULE` above the finding's line (or RULE added to such a comment
   * already there), offered only when linting the text with it shows the finding gone and nothing
   * new broken: a line inside a block scalar, for one, cannot take a comment.
   */
  private disableEdit(entry: OpenDocument, f: Finding): TextEdit | null {
    const key = `${f.ruleId}\u0000${f.line}`;
    if (entry.checked.has(key)) return entry.checked.get(key)!;
    const { doc } = entry;
    const text = doc.getText();
    const line = f.line - 1;
    const lineText = lineOf(doc, line);
    const prev = line > 0 ? lineOf(doc, line - 1) : '';
    const listEnd = endOfDisabledRules(prev);
    let edit: TextEdit;
    if (listEnd !== null) {
      const at = { line: line - 1, character: listEnd };
      edit = { range: { start: at, end: at }, newText: `, ${f.ruleId}` };
    } else {
      const indent = /^[ \t]*/.exec(lineText)![0];
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const at = { line, character: 0 };
      edit = { range: { start: at, end: at }, newText: `${indent}# stackopt-disable-next-line ${f.ruleId}${eol}` };
    }
    const edited = TextDocument.applyEdits(doc, [edit]);
    let ok = false;
    try {
      const after = lint(edited, { filePath: this.pathOf(doc.uri), fixes: false });
      const errorsBefore = entry.linted?.findings.filter((x) => x.severity === 'error' && x.ruleId !== f.ruleId).length ?? 0;
      const errorsAfter = after.findings.filter((x) => x.inText && x.severity === 'error' && x.ruleId !== f.ruleId).length;
      ok = after.parsed && errorsAfter <= errorsBefore && !after.findings.some((x) => x.inText && x.ruleId === f.ruleId && x.message === f.message);
    } catch (e) {
      if (!(e instanceof StackoptInputError)) throw e;
    }
    entry.checked.set(key, ok ? edit : null);
    return ok ? edit : null;
  }

  private hover(p: HoverParams): Hover | null {
    const cur = this.current(p.textDocument.uri);
    if (!cur) return null;
    const at = cur.findings.filter((f) => contains(rangeOf(f), p.position));
    if (at.length === 0) return null;
    const parts: string[] = [];
    const shown = new Set<string>();
    for (const f of at) {
      parts.push(`**${f.severity}** \`${f.ruleId}\`: ${f.message}`);
      if (shown.has(f.ruleId)) continue;
      shown.add(f.ruleId);
      const docs = ruleDocs(f.ruleId);
      if (docs) parts.push(`${docs.markdown.trim()}\n\n[${f.ruleId} documentation](${docs.docsUrl})`);
    }
    return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, range: rangeOf(at[0]!) };
  }

  /** The path a buffer is linted as: its file, or for an unsaved buffer a name in the workspace. */
  private pathOf(uri: string): string {
    if (uri.startsWith('file:')) {
      const p = safePath(uri);
      if (p) return p;
    }
    const name = basename(decodeURIComponentSafe(withoutQuery(uri.replace(/^[a-z][a-z0-9+.-]*:/i, ''))));
    return join(this.root, /\.ya?ml$/i.test(name) ? name : 'compose.yaml');
  }
}

function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!;
}

function safePath(uri: string): string | null {
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A URI without its query and fragment (from the first `?` or `#`). */
function withoutQuery(uri: string): string {
  const at = uri.search(/[?#]/);
  return at < 0 ? uri : uri.slice(0, at);
}

/** A `.stackopt.yaml` or `.env`: what the lint of every open file reads. */
function isProjectSetting(uri: string): boolean {
  const name = basename(withoutQuery(uri));
  return name === '.env' || CONFIG_NAMES.some((n) => n === name);
}

function start(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

function rangeOf(f: Finding): Range {
  const s = { line: Math.max(0, f.line - 1), character: Math.max(0, f.column - 1) };
  const e = f.endLine > 0 ? { line: f.endLine - 1, character: Math.max(0, f.endColumn - 1) } : s;
  return { start: s, end: e.line < s.line || (e.line === s.line && e.character < s.character) ? s : e };
}

function toDiagnostic(f: Finding): Diagnostic {
  return { range: rangeOf(f), severity: SEVERITY[f.severity], code: f.ruleId, codeDescription: { href: f.docsUrl }, source: 'stackopt', message: f.message };
}

const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);

function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function contains(r: Range, p: { line: number; character: number }): boolean {
  return !before(p, r.start) && (!before(r.end, p) || (r.start.line === r.end.line && r.start.line === p.line && r.start.character === r.end.character));
}

function lineOf(doc: TextDocument, line: number): string {
  return doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '');
}

/**
 * Where the rules of a `# stackopt-disable-next-line RULES -- reason` comment end (before the white
 * space and `--` of a reason, as the engine reads the directive: REASON), or null when `line` is no
 * such comment: one pass over the line (a regular expression that tried each end of the rules and
 * then the white space after it took the square of a long run of spaces).
 */
function endOfDisabledRules(line: string): number | null {
  const head = /^\s*#\s*stackopt-disable-next-line(?=\s)/.exec(line);
  if (!head) return null;
  const rest = line.slice(head[0].length);
  const first = head[0].length + rest.length - rest.trimStart().length;
  if (first === line.length || line[first] === '-') return null;
  // the rule ids end where the engine's reading of the directive ends them (REASON), less white space
  const dashes = REASON.exec(rest);
  return head[0].length + (dashes ? rest.slice(0, dashes.index) : rest).trimEnd().length;
}

/**
 * A configuration file's problems, as diagnostics at their line:column (the file as saved on disk),
 * or why the CLI would not read it where it is (src/config/find-config.ts), at the top.
 */
function configDiagnostics(path: string): Diagnostic[] {
  clearConfigCache();
  try {
    readFoundConfig(path);
    return [];
  } catch (e) {
    if (e instanceof InvalidConfigError) {
      return e.problems.map((line) => {
        // `file:line:col: message`: the first `:line:col: ` of the problem's first line
        const m = /:(\d+):(\d+): /.exec(line);
        const found = m && !/[\n\r\u2028\u2029]/.test(line.slice(0, m.index)) ? m : null;
        const at = found ? { line: Number(found[1]) - 1, character: Number(found[2]) - 1 } : { line: 0, character: 0 };
        return { range: { start: at, end: at }, severity: DiagnosticSeverity.Error, source: 'stackopt', code: 'config', message: found ? line.slice(found.index + found[0].length) : line };
      });
    }
    if (e instanceof InputError) return [{ range: start(), severity: DiagnosticSeverity.Error, source: 'stackopt', message: e.message }];
    throw e;
  }
}
