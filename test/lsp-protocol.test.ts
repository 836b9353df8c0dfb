/**
 * `stackopt lsp` at the protocol level: the built CLI as a child process, spoken to with the JSON-RPC
 * client of the server's own library over the child's standard input and output. The finer points an
 * editor test cannot pin down: debouncing, a text that does not parse, the configuration read again,
 * the fix-all action resolved on demand, hostile requests.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Diagnostic,
  type MessageConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver/node';
import { assertBuilt, repoRoot, tempProject } from './helpers/cli.js';

/** Generous: the machine is shared. Only a hang reaches it. */
const WAIT_MS = 120_000;

interface Session {
  conn: MessageConnection;
  child: ChildProcessWithoutNullStreams;
  published: PublishDiagnosticsParams[];
  logs: string[];
  stderr: () => string;
  /** the next diagnostics published for `uri` that `accept` takes (default: any) */
  next(uri: string, accept?: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams>;
}

async function startSession(cwd: string, initializationOptions: object, capabilities: object = {}): Promise<Session> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'lsp', '--stdio'], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published: PublishDiagnosticsParams[] = [];
  const logs: string[] = [];
  const waiters: Array<{ uri: string; accept: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }> = [];
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push(p);
    const i = waiters.findIndex((w) => w.uri === p.uri && w.accept(p));
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(p);
  });
  conn.onNotification('window/logMessage', (p: { message: string }) => void logs.push(p.message));
  conn.onRequest('client/registerCapability', () => null);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(cwd).href, capabilities, initializationOptions });
  await conn.sendNotification('initialized', {});
  return {
    conn,
    child,
    published,
    logs,
    stderr: () => err,
    next: (uri, accept = () => true) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} within ${WAIT_MS} ms`)), WAIT_MS);
        waiters.push({ uri, accept, resolve: (p) => (clearTimeout(timer), resolve(p)) });
      }),
  };
}

async function stop(s: Session): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => s.child.on('exit', (code) => resolve(code)));
  await s.conn.sendRequest('shutdown');
  await s.conn.sendNotification('exit');
  const code = await exited;
  s.conn.dispose();
  return code;
}

/** A clean shutdown, and nothing but the protocol on standard output (else the reader would have failed). */
async function stopClean(s: Session): Promise<void> {
  const code = await stop(s);
  expect(code).toBe(0);
  expect(s.stderr()).toBe('');
}

/** Open `text` as the file at `path`; resolves once its diagnostics are published. */
async function openFile(s: Session, path: string, text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
  const uri = pathToFileURL(path).href;
  const d = s.next(uri);
  await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  return { uri, diagnostics: (await d).diagnostics };
}

const start0 = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);
const TEXT = 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n';

describe('stackopt lsp over JSON-RPC', () => {
  const p = tempProject({ 'compose.yaml': 'services: {}\n' });
  const uri = pathToFileURL(join(p.dir, 'compose.yaml')).href;
  let s: Session;

  beforeAll(async () => {
    assertBuilt();
    s = await startSession(p.dir, { debounceMs: 1000 }, { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { codeAction: { resolveSupport: { properties: ['edit'] } } } });
  }, WAIT_MS);
  afterAll(async () => {
    const code = await stop(s);
    p.cleanup();
    // a clean shutdown, and nothing but the protocol on standard output (else the reader would have failed)
    expect(code).toBe(0);
    expect(s.stderr()).toBe('');
  }, WAIT_MS);

  it('lints the buffer on open, not the file on disk', async () => {
    const first = s.next(uri);
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: TEXT } });
    const d = await first;
    expect(d.version).toBe(1);
    const priv = d.diagnostics.find((x) => x.code === 'no-privileged')!;
    expect(priv).toMatchObject({ range: { start: { line: 3, character: 16 }, end: { line: 3, character: 20 } }, severity: 1, source: 'stackopt' });
    expect(priv.codeDescription?.href).toMatch(/rules\/no-privileged\/README\.md$/);
  });

  it('debounces changes: a burst is linted once, at its last version', async () => {
    const before = s.published.length;
    const last = s.next(uri, (x) => x.version === 6);
    // type "x" at the end of the image tag, one character at a time (written at once: a busy machine
    // could otherwise pause longer than the debounce between two of them)
    const burst = [2, 3, 4, 5, 6].map((v) =>
      s.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: v },
        contentChanges: [{ range: { start: { line: 2, character: 21 + v - 2 }, end: { line: 2, character: 21 + v - 2 } }, text: 'x' }],
      }),
    );
    await Promise.all(burst);
    const d = await last;
    expect(s.published.slice(before).map((x) => x.version)).toEqual([6]);
    // the text linted is the edited one: the tag is now 1.27xxxxx
    expect(d.diagnostics.some((x) => x.code === 'image-tag-pinned')).toBe(false);
    expect(d.diagnostics.find((x) => x.code === 'no-privileged')!.range.start).toEqual({ line: 3, character: 16 });
  });

  it('a text that does not parse keeps the last good diagnostics, moved with the edit, plus the syntax error', async () => {
    const good = s.published.at(-1)!.diagnostics;
    const broken = s.next(uri, (x) => x.version === 7);
    // a line inserted above the service, with an unclosed flow sequence
    await s.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 7 },
      contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '  bad: [\n' }],
    });
    const d = await broken;
    const syntax = d.diagnostics.filter((x) => x.code === 'yaml-syntax');
    expect(syntax.length).toBeGreaterThan(0);
    expect(d.diagnostics.filter((x) => x.code !== 'yaml-syntax')).toHaveLength(good.length);
    // no-privileged was on line 3; one line was inserted above it
    expect(d.diagnostics.find((x) => x.code === 'no-privileged')!.range).toEqual({ start: { line: 4, character: 16 }, end: { line: 4, character: 20 } });
    // fixed again: fresh diagnostics, no syntax error
    const repaired = s.next(uri, (x) => x.version === 8);
    await s.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 8 },
      contentChanges: [{ range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' }],
    });
    const r = await repaired;
    expect(codes(r.diagnostics)).not.toContain('yaml-syntax');
    expect(r.diagnostics.find((x) => x.code === 'no-privileged')!.range.start).toEqual({ line: 3, character: 16 });
  });

  it('reads the configuration again when .stackopt.yaml changes (watched files) and when it is saved', async () => {
    expect(codes(s.published.at(-1)!.diagnostics)).toContain('resource-limits');
    writeFileSync(join(p.dir, '.stackopt.yaml'), 'rules:\n  resource-limits: off\n');
    const off = s.next(uri);
    await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(p.dir, '.stackopt.yaml')).href, type: 1 }] });
    expect(codes((await off).diagnostics)).not.toContain('resource-limits');
    writeFileSync(join(p.dir, '.stackopt.yaml'), 'rules:\n  resource-limits: info\n');
    const info = s.next(uri);
    await s.conn.sendNotification('textDocument/didSave', { textDocument: { uri: pathToFileURL(join(p.dir, '.stackopt.yaml')).href } });
    expect((await info).diagnostics.find((x) => x.code === 'resource-limits')!.severity).toBe(3);
  });

  it('an invalid configuration is one diagnostic at the top of the file, with the configuration\'s line:column', async () => {
    writeFileSync(join(p.dir, '.stackopt.yaml'), 'rules:\n  resource-limit: off\n');
    const bad = s.next(uri);
    await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(p.dir, '.stackopt.yaml')).href, type: 2 }] });
    const d = (await bad).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ range: { start: { line: 0, character: 0 } }, severity: 1 });
    expect(d[0]!.message).toMatch(/^not linted: invalid configuration: \.stackopt\.yaml:2:3: .*resource-limit.*did you mean "resource-limits"/);
    // the configuration opened in the editor: its problems at their place
    const configUri = pathToFileURL(join(p.dir, '.stackopt.yaml')).href;
    const own = s.next(configUri);
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: configUri, languageId: 'yaml', version: 1, text: 'rules:\n  resource-limit: off\n' } });
    const c = (await own).diagnostics;
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ range: { start: { line: 1, character: 2 } }, code: 'config', severity: 1 });
    expect(c[0]!.message).toMatch(/resource-limit/);
    writeFileSync(join(p.dir, '.stackopt.yaml'), 'rules:\n  resource-limits: off\n');
    const ok = s.next(uri);
    await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(p.dir, '.stackopt.yaml')).href, type: 2 }] });
    expect(codes((await ok).diagnostics)).toContain('no-privileged');
  });

  it('the fix-all action is resolved on demand into `stackopt fix` of the buffer', async () => {
    const actions = (await s.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    })) as CodeAction[];
    expect(actions.map((a) => a.title)).toEqual(['Fix all safe problems (stackopt fix)']);
    expect(actions[0]!.edit).toBeUndefined();
    const resolved = (await s.conn.sendRequest('codeAction/resolve', actions[0])) as CodeAction;
    const edit = resolved.edit!.changes![uri]!;
    expect(edit).toHaveLength(1);
    expect(edit[0]!.newText).toBe('services:\n  web:\n    image: nginx:1.27xxxxx\n    privileged: true\n    deploy:\n      replicas: 2\n    security_opt:\n      - no-new-privileges:true\n');
  });

  it('hostile requests get an empty answer and one line in the log, never a stack trace, and the server goes on', async () => {
    const hover = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: null });
    expect(hover).toBeNull();
    const unknown = await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: 'file:///nowhere/compose.yaml' }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    expect(unknown).toEqual([]);
    expect(s.logs.some((l) => /^stackopt: hover failed: /.test(l))).toBe(true);
    for (const l of s.logs) expect(l).not.toMatch(/\n\s+at /);
    // a change for a document that was never opened, a huge version, a non-file URI
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///nowhere/x.yaml', version: 1 }, contentChanges: [{ text: 'x' }] });
    const untitled = 'untitled:Untitled-1';
    const u = s.next(untitled);
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: untitled, languageId: 'yaml', version: 1, text: TEXT } });
    expect(codes((await u).diagnostics)).toContain('no-privileged');
    // still answering
    const h = (await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 17 } })) as { contents: { value: string } };
    expect(h.contents.value).toMatch(/# no-privileged\n/);
  });
});

describe('stackopt lsp finds and refuses a configuration as `stackopt lint` does', () => {
  const SECRET = 'aws_secret_access_key_0451';
  const outside = tempProject({ 'secret-compose.yaml': 'services:\n  base:\n    image: nginx:1.27\n    privileged: true\n', 'creds.yaml': `${SECRET}: 1\n` });
  // a repository (the root holds .git) with three folders, each with a configuration the CLI refuses
  const p = tempProject({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'wide/.stackopt.yaml': `allowPaths: [${JSON.stringify(outside.dir)}]\n`,
    'shared/.stackopt.yaml': 'rules:\n  no-privileged: off\n',
  });
  let s: Session;

  beforeAll(async () => {
    assertBuilt();
    mkdirSync(join(p.dir, 'linked'));
    symlinkSync(join(outside.dir, 'creds.yaml'), join(p.dir, 'linked', '.stackopt.yaml'));
    mkdirSync(join(p.dir, 'dangling'));
    symlinkSync('gone.yaml', join(p.dir, 'dangling', '.stackopt.yaml'));
    chmodSync(join(p.dir, 'shared'), 0o1777);
    chownSync(join(p.dir, 'shared', '.stackopt.yaml'), 4242, 4242);
    s = await startSession(p.dir, { debounceMs: 0 });
  }, WAIT_MS);
  afterAll(async () => {
    await stopClean(s);
    p.cleanup();
    outside.cleanup();
  }, WAIT_MS);

  const open = async (file: string, text: string) => (await openFile(s, join(p.dir, file), text)).diagnostics;
  const refusal = (message: string): Diagnostic[] => [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 1, source: 'stackopt', message }];

  it('allowPaths outside the repository: one diagnostic saying so; the file outside is not read', async () => {
    const text = `services:\n  web:\n    image: nginx:1.27\n    extends: {file: ${JSON.stringify(join(outside.dir, 'secret-compose.yaml'))}, service: base}\n`;
    expect(await open('wide/compose.yaml', text)).toEqual(
      refusal(`not linted: wide/.stackopt.yaml: allowPaths names ${outside.dir}, which is outside its repository; a configuration found in a folder may allow only paths of its repository (name it with --config to allow more)`),
    );
  });

  it('a configuration another user left in a folder anyone may write to is not applied', async () => {
    expect(await open('shared/compose.yaml', TEXT)).toEqual(
      refusal('not linted: shared/.stackopt.yaml: another user (uid 4242) owns it, in a folder anyone may write to; a configuration found there is not read: name it with --config to use it'),
    );
  });

  it('a configuration that links out of the repository is not read: on the compose file and opened itself, its keys never quoted', async () => {
    const why = 'linked/.stackopt.yaml: it is a link to a file outside its repository, which a configuration found in a folder is not read from; make it a file of its own there, or name it with --config';
    expect(await open('linked/compose.yaml', TEXT)).toEqual(refusal(`not linted: ${why}`));
    expect(await open('linked/.stackopt.yaml', `${SECRET}: 1\n`)).toEqual(refusal(why));
    expect(JSON.stringify(s.published) + s.logs.join('\n')).not.toContain(SECRET);
  });

  it('a configuration that is a link to a missing file: on the compose file and opened itself, not the defaults', async () => {
    const why = 'dangling/.stackopt.yaml: it is a link to a missing file; a configuration found in a folder is read only from a regular file';
    expect(await open('dangling/compose.yaml', TEXT)).toEqual(refusal(`not linted: ${why}`));
    expect(await open('dangling/.stackopt.yaml', 'rules: {}\n')).toEqual(refusal(why));
  });
});

/** CPU milliseconds the server process has used (user + system, /proc/PID/stat fields 14 and 15, 100 ticks a second). */
function serverCpuMs(s: Session): number {
  const f = readFileSync(`/proc/${s.child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  return (f[11]! + f[12]!) * 10;
}

/**
 * How many times the server's CPU for `run(large)` that for `run(small)` takes (the least of three
 * tries each), as cpuRatio of helpers/measure.ts measures a call in the test's own process.
 */
async function serverCpuRatio(s: Session, run: (size: number, attempt: string) => Promise<void>, small: number, large: number): Promise<number> {
  let attempt = 0;
  const least = async (size: number) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = serverCpuMs(s);
      await run(size, String(attempt++));
      best = Math.min(best, serverCpuMs(s) - t0);
    }
    return best;
  };
  return (await least(large)) / Math.max(10, await least(small));
}

describe('stackopt lsp works in proportion to the input (16 times the input: linear is about 16, bound 100)', () => {
  const p = tempProject({ '.stackopt.yaml': 'rules: {}\n' });
  let s: Session;

  beforeAll(async () => {
    assertBuilt();
    // lints only when asked (didOpen, or a request on a changed buffer)
    s = await startSession(p.dir, { debounceMs: 10_000 });
  }, WAIT_MS);
  afterAll(async () => {
    await stopClean(s);
    p.cleanup();
  }, WAIT_MS);

  const open = (name: string, text: string) => openFile(s, join(p.dir, name), text);
  const quickFixes = (uri: string, fromLine: number, toLine: number) =>
    s.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: fromLine, character: 0 }, end: { line: toLine, character: 1000 } },
      context: { diagnostics: [], only: ['quickfix'] },
    }) as Promise<CodeAction[]>;
  const services = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  s${i}: {image: nginx}\n`).join('')}`;

  it('quick fixes over a whole file check at most 32 "disable on this line" actions, and say so', async () => {
    const { uri } = await open('few-compose.yaml', services(3));
    const few = await quickFixes(uri, 0, 5);
    expect(few.filter((a) => a.title.startsWith('Disable ')).length).toBeGreaterThan(3);
    const ratio = await serverCpuRatio(
      s,
      async (n, attempt) => {
        const file = await open(`many-${attempt}-compose.yaml`, services(n));
        const actions = await quickFixes(file.uri, 0, 2 * n + 2);
        expect(actions.filter((a) => a.title.startsWith('Disable ')).length).toBeLessThanOrEqual(32);
      },
      40,
      640,
    );
    console.log(`[lsp] disable checks: ratio ${ratio.toFixed(1)}`);
    expect(ratio).toBeLessThan(100);
    expect(s.logs.some((l) => /^stackopt: codeAction: "Disable \.\.\. on this line" is offered for the first 32 rules and lines of the range, not for the \d+ after them/.test(l))).toBe(true);
  }, 600_000);

  it('a disable comment with a long run of spaces is read in one pass', async () => {
    const text = (n: number) => `services:\n  web:\n    image: nginx:1.27\n    # stackopt-disable-next-line a${' '.repeat(n)}b\n    privileged: true\n`;
    const small = await open('comment-compose.yaml', text(10));
    expect((await quickFixes(small.uri, 4, 4)).find((a) => a.title === 'Disable no-privileged on this line')!.edit!.changes![small.uri]).toEqual([
      { range: { start: { line: 3, character: 45 }, end: { line: 3, character: 45 } }, newText: ', no-privileged' },
    ]);
    const ratio = await serverCpuRatio(
      s,
      async (n, attempt) => {
        const file = await open(`comment-${attempt}-compose.yaml`, text(n));
        expect((await quickFixes(file.uri, 4, 4)).some((a) => a.title === 'Disable no-privileged on this line')).toBe(true);
      },
      100_000,
      1_600_000,
    );
    console.log(`[lsp] disable comment: ratio ${ratio.toFixed(1)}`);
    expect(ratio).toBeLessThan(100);
  }, 600_000);

  it('one change of n ranges, down the text (as Neovim sends them) or up it (as VS Code does), is applied in one pass', async () => {
    const line = (i: number) => `  s${i}: {image: nginx}`;
    const edit = (n: number, order: 'down' | 'up') => {
      const lines = Array.from({ length: n }, (_, i) => i + 1);
      if (order === 'up') lines.reverse();
      return lines.map((l) => ({ range: { start: { line: l, character: line(l - 1).length }, end: { line: l, character: line(l - 1).length } }, text: ' #' }));
    };
    const small = await open('change-compose.yaml', services(3));
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: small.uri, version: 2 }, contentChanges: edit(3, 'down') });
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: small.uri, version: 3 }, contentChanges: edit(3, 'up') });
    const fixAll = (await s.conn.sendRequest('textDocument/codeAction', { textDocument: { uri: small.uri }, range: start0, context: { diagnostics: [], only: ['source.fixAll'] } })) as CodeAction[];
    // the fixed text keeps both changes on each line
    expect(fixAll[0]!.edit!.changes![small.uri]![0]!.newText.match(/\} # #\n/g)).toHaveLength(3);
    const ratio = await serverCpuRatio(
      s,
      async (n, attempt) => {
        const file = await open(`change-${attempt}-compose.yaml`, services(n));
        await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: file.uri, version: 2 }, contentChanges: edit(n, 'down') });
        await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: file.uri, version: 3 }, contentChanges: edit(n, 'up') });
        // answered once both are applied (and the text linted)
        expect(await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: file.uri }, position: { line: 1, character: 3 } })).not.toBeNull();
      },
      250,
      4000,
    );
    console.log(`[lsp] changes: ratio ${ratio.toFixed(1)}`);
    expect(ratio).toBeLessThan(100);
  }, 600_000);
});

describe('stackopt lsp and a message whose length cannot be read', () => {
  const p = tempProject({});
  afterAll(() => p.cleanup());
  beforeAll(assertBuilt);

  /** The server's exit code and standard error after an initialize and then `bad` on its input. */
  const afterBadFrame = (bad: string) =>
    new Promise<{ code: number | null; stderr: string; answered: boolean }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'lsp', '--stdio'], { cwd: p.dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
      let out = '';
      let err = '';
      const timer = setTimeout(() => (child.kill(), reject(new Error(`still running ${WAIT_MS} ms after ${JSON.stringify(bad)}, and said: ${JSON.stringify(err)}`))), WAIT_MS);
      const frame = (o: object) => `Content-Length: ${Buffer.byteLength(JSON.stringify(o))}\r\n\r\n${JSON.stringify(o)}`;
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // answered the initialize: then the bad frame, and a request after it
        if (/"id":1,"result"/.test(out) && !out.includes('\u0000sent')) {
          out += '\u0000sent';
          child.stdin.write(`${bad}{"jsonrpc":"2.0","id":2,"method":"shutdown"}`);
          child.stdin.write(frame({ jsonrpc: '2.0', id: 3, method: 'shutdown' }));
        }
      });
      child.on('exit', (code) => (clearTimeout(timer), resolve({ code, stderr: err, answered: /"id":3/.test(out) })));
      child.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
    });

  it('Content-Length abc, -5 or none: a line on standard error saying why, and the server ends (exit 1), not a silent wait for the end of input', async () => {
    const says = (why: string) => `stackopt: lsp: the client sent a message whose length cannot be read (${why}); the messages after it cannot be told apart, so the server stops\n`;
    expect(await afterBadFrame('Content-Length: abc\r\n\r\n')).toEqual({ code: 1, stderr: says('Content-Length "abc", which is no count of bytes'), answered: false });
    expect(await afterBadFrame('Content-Length: -5\r\n\r\n')).toEqual({ code: 1, stderr: says('Content-Length "-5", which is no count of bytes'), answered: false });
    expect(await afterBadFrame('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n')).toEqual({ code: 1, stderr: says('a header without Content-Length'), answered: false });
    // read as the library reads a header: a key is not trimmed, and the last of a repeated key counts
    expect(await afterBadFrame(' Content-Length: 2\r\n\r\n')).toEqual({ code: 1, stderr: says('a header without Content-Length'), answered: false });
    expect(await afterBadFrame('Content-Length: 2\r\nContent-Length: abc\r\n\r\n')).toEqual({ code: 1, stderr: says('Content-Length "abc", which is no count of bytes'), answered: false });
  }, 6 * WAIT_MS);
});
