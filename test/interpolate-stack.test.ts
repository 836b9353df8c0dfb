/**
 * `${...}` as docker stack deploy reads it (src/parse/interpolate.ts, interpolateStack) against the
 * real `docker stack config -c` (client only): each value docker accepts is the value docker
 * prints, and docker refuses exactly the values whose last expression is an error. Then lint with
 * target swarm reads a stack that way, and with target compose as compose does.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintProject } from '../src/engine/lint.js';
import { interpolate, interpolateStack } from '../src/parse/interpolate.js';
import { dockerAvailable } from './oracle-match.js';

const ENV = { SET: 'v', EMPTY: '', DASHED: 'a-b' };
const env = new Map(Object.entries(ENV));
/** values docker accepts (with ENV), each tried as a label */
const ACCEPTED = [
  '${H:-$$2y$$05$abc}',
  'nginx:${TAG:-${BASE:-1.27}}',
  '${SET?no-way}',
  '${UNSET?no-way}',
  '$SET-b',
  '$UNSET-b}',
  '${A:+x} $SET',
  '${UNSET:?must} ${SET}',
  'a$$b $$SET',
  '${EMPTY-d}',
  '${EMPTY:-d}',
  '${UNSET-d}x',
  '$DASHED:-q',
  '${SET}${SET}$SET',
  'pre ${UNSET} post',
  '$set_lower ${Set}',
];
/** values docker refuses: the last expression is invalid or a check that fails */
const REFUSED = ['${A:+x}', '$1', 'cost $', 'x${SET', '${UNSET:?must}', '${EMPTY:?must}', '$SET ${A+x}', '${UNSET?}'];

function stackConfig(dir: string, file: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('docker', ['stack', 'config', '-c', file], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...ENV }, timeout: 300_000 }, (err, stdout, stderr) =>
      resolve({ ok: !err, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

const stack = (values: string[]) => `version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n    labels:\n${values.map((v, i) => `      l${i}: ${JSON.stringify(v)}\n`).join('')}`;

describe.skipIf(!dockerAvailable())('interpolateStack against docker stack config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-interpolate-stack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every accepted value is the one docker prints', async () => {
    writeFileSync(join(dir, 'accepted.yml'), stack(ACCEPTED));
    const docker = await stackConfig(dir, 'accepted.yml');
    expect(docker.stderr.split('\n').filter((l) => l.trim() && !/level=warning/.test(l))).toEqual([]);
    const labels = (parse(docker.stdout) as { services: { web: { labels: Record<string, string> } } }).services.web.labels;
    ACCEPTED.forEach((v, i) => {
      const ours = interpolateStack(v, env);
      expect(ours.value, v).toBe(labels[`l${i}`]);
      expect(ours.issues.filter((is) => is.kind !== 'unset'), v).toEqual([]);
    });
  }, 300_000);

  it('docker refuses a value exactly when its last expression is an error', async () => {
    for (const [i, v] of REFUSED.entries()) {
      writeFileSync(join(dir, `refused-${i}.yml`), stack([v]));
      const docker = await stackConfig(dir, `refused-${i}.yml`);
      expect(docker.ok, v).toBe(false);
      expect(docker.stderr, v).toMatch(/invalid interpolation format|error while interpolating/);
      const last = interpolateStack(v, env).issues.at(-1);
      expect(last?.kind, v).toMatch(/^(syntax|required)$/);
    }
  }, 300_000);
});

describe('interpolateStack on hostile values', () => {
  it('many expressions docker drops: one warning, quoting 40 characters at most, counting the others', () => {
    const r = interpolateStack(`${'${'.repeat(20_000)}}`, new Map());
    expect(r.issues.length).toBeLessThanOrEqual(2);
    expect(r.issues.reduce((n, i) => n + i.message.length, 0)).toBeLessThan(2_000);
    expect(r.issues[0]!.message).toMatch(/\(and 19998 more such in this value\)$/);
  });

  it('a value that grows past 1 MiB through its variables is read as empty with one size issue, in both readings', () => {
    const env = new Map([['A', 'x'.repeat(300_000)]]);
    for (const r of [interpolate('${A}${A}${A}${A}', env), interpolateStack('${A}${A}${A}${A}', env)]) {
      expect(r.value).toBe('');
      expect(r.issues.map((i) => [i.kind, i.message])).toEqual([['size', 'the value grows past 1 MiB through the variables it uses (the value is not shown)']]);
    }
  });
});

describe('compose\'s reading tells whether docker stack deploy may read a value otherwise', () => {
  it('says no only where both readings agree (value and issues), on every string of up to 5 of these pieces', () => {
    const env = new Map(Object.entries({ A: 'v', B: '' }));
    const alphabet = ['$', '${', '$A', '}', ':', ':-', '-', ':?', '?', ':+', 'A', 'B', 'x'];
    let checked = 0;
    const walk = (s: string, depth: number) => {
      const reading = { otherwise: false };
      const c = interpolate(s, env, undefined, reading);
      if (!reading.otherwise) {
        checked++;
        const d = interpolateStack(s, env);
        expect([d.value, d.issues.map((i) => `${i.kind} ${i.message}`)], s).toEqual([c.value, c.issues.map((i) => `${i.kind} ${i.message}`)]);
      }
      if (depth < 5) for (const piece of alphabet) walk(s + piece, depth + 1);
    };
    walk('', 0);
    expect(checked).toBeGreaterThan(50_000);
  });
});

describe('lint reads a stack\'s values as docker stack deploy does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-interpolate-stack-lint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const TEXT = 'services:\n  web:\n    image: "nginx:${TAG:-1.27}"\n    labels:\n      auth: "${HASH:-$$2y$$05$abc}"\n    deploy:\n      placement:\n        constraints: [node.role == worker]\n';
  const interpolation = (files: string[], target?: 'compose' | 'swarm') =>
    lintProject({ files, environment: {}, ...(target ? { target } : {}) }).findings.filter((f) => f.ruleId === 'interpolation').map((f) => `${f.line}:${f.column} ${f.message}`);

  it('a default is taken as written: no variable in it is read (a bcrypt hash stays as it is)', () => {
    // by the file name, by the setting, and by a swarm-only key (read again the stack's way)
    expect(interpolation([file('docker-stack.yml', TEXT)])).toEqual([]);
    expect(interpolation([file('a.yml', TEXT)], 'swarm')).toEqual([]);
    expect(interpolation([file('b.yml', TEXT)])).toEqual([]);
    expect(lintProject({ files: [join(dir, 'b.yml')], environment: {} }).stack?.services[0]?.labels.get('auth')?.value).toBe('$$2y$$05$abc');
    // docker compose reads $abc in the default as a variable
    expect(interpolation([join(dir, 'a.yml')], 'compose')).toEqual(['5:30 variable abc is not set; it becomes an empty string']);
  });
});
