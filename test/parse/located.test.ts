import { describe, expect, it } from 'vitest';
import { at, child, rootRef, scalarValue } from '../../src/model/access.js';
import { matchesPathPattern, toPlain, type LMap, type LScalar, type LVal } from '../../src/parse/located.js';
import { brief, lintFiles, loadFiles, pos, textAt } from './helpers.js';

/** Load one compose file from disk and return its merged root. */
const load = (text: string, env: Record<string, string> = {}) => {
  const p = loadFiles({ 'compose.yaml': text }, { environment: env });
  expect(p.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return p.root!;
};

const node = (root: LMap, ...keys: string[]): LVal => {
  const r = at(rootRef(root), ...keys);
  if (!r) throw new Error(`no ${keys.join('.')}`);
  return r.node;
};

describe('<< merge keys', () => {
  const text = [
    'x-base: &base',
    '  image: nginx',
    '  user: app',
    '  deploy:',
    '    replicas: 2',
    'x-sec: &sec',
    '  user: nobody',
    '  cap_drop: [ALL]',
    'services:',
    '  single:',
    '    <<: *base',
    '  list:',
    '    <<: [*sec, *base]',
    '  explicit:',
    '    user: me',
    '    <<: *base',
    '    deploy:',
    '      replicas: 5',
    '',
  ].join('\n');

  it('a single merge adds the anchor\'s keys', () => {
    const root = load(text);
    expect(toPlain(node(root, 'services', 'single'))).toEqual({ image: 'nginx', user: 'app', deploy: { replicas: 2 } });
  });

  it('a list of merges: the earlier mapping wins for a key both define', () => {
    const root = load(text);
    expect(toPlain(node(root, 'services', 'list'))).toEqual({ user: 'nobody', cap_drop: ['ALL'], image: 'nginx', deploy: { replicas: 2 } });
  });

  it('explicit keys win over merged ones, before or after the << key, and the merge is shallow', () => {
    const root = load(text);
    expect(toPlain(node(root, 'services', 'explicit'))).toEqual({ user: 'me', deploy: { replicas: 5 }, image: 'nginx' });
  });

  it('merged entries are located at the anchor, with via = merge at the alias after <<', () => {
    const root = load(text);
    const svc = node(root, 'services', 'single') as LMap;
    const image = svc.index.get('image')!;
    expect(image.via?.kind).toBe('merge');
    expect(pos(image.via!.loc)).toEqual({ line: 11, column: 9, endLine: 11, endColumn: 14 });
    expect(textAt(image.via!.loc)).toBe('*base');
    expect(pos(image.keyLoc)).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 8 });
    expect(pos(image.value.loc)).toEqual({ line: 2, column: 10, endLine: 2, endColumn: 15 });
    // the explicit key is the service's own
    const own = (node(root, 'services', 'explicit') as LMap).index.get('user')!;
    expect(own.via).toBeUndefined();
    expect(pos(own.keyLoc)).toEqual({ line: 15, column: 5, endLine: 15, endColumn: 9 });
  });

  it('each entry of a list merge points at its own alias', () => {
    const root = load(text);
    const svc = node(root, 'services', 'list') as LMap;
    expect(textAt(svc.index.get('user')!.via!.loc)).toBe('*sec');
    expect(pos(svc.index.get('user')!.via!.loc).column).toBe(10);
    expect(textAt(svc.index.get('image')!.via!.loc)).toBe('*base');
    expect(pos(svc.index.get('image')!.via!.loc).column).toBe(16);
  });

  it('a walk through a merged key is shared; through an own key it is not', () => {
    const root = load(text);
    const r = rootRef(root);
    expect(at(r, 'services', 'single', 'deploy', 'replicas')!.shared).toBe(true);
    expect(at(r, 'services', 'explicit', 'deploy', 'replicas')!.shared).toBe(false);
    expect(at(r, 'services', 'explicit', 'user')!.shared).toBe(false);
    expect(at(r, 'services', 'explicit', 'image')!.shared).toBe(true);
  });

  it('nested merges: an anchor that itself merges another', () => {
    const root = load(
      ['x-core: &core', '  restart: always', '  user: core', 'x-web: &web', '  <<: *core', '  user: web', 'services:', '  a:', '    <<: *web', '    image: a', ''].join('\n'),
    );
    expect(toPlain(node(root, 'services', 'a'))).toEqual({ image: 'a', user: 'web', restart: 'always' });
    const restart = (node(root, 'services', 'a') as LMap).index.get('restart')!;
    // located where it is written, in x-core
    expect(pos(restart.keyLoc)).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 10 });
  });

  it('an inline mapping after << merges too', () => {
    const root = load('services:\n  a:\n    <<: {image: a, user: u}\n    user: own\n');
    expect(toPlain(node(root, 'services', 'a'))).toEqual({ user: 'own', image: 'a' });
  });

  it('a quoted "<<" is an ordinary key', () => {
    const p = loadFiles({ 'compose.yaml': 'x-a: &a {k: v}\nx-b:\n  "<<": *a\nservices: {}\n' });
    expect(toPlain(p.root!.index.get('x-b')!.value)).toEqual({ '<<': { k: 'v' } });
  });

  it('<< pointing at a scalar is a yaml-syntax error at the value', () => {
    const r = lintFiles({ 'compose.yaml': 'x-s: &s just-text\nservices:\n  a:\n    <<: *s\n    image: a\n' });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'yaml-syntax', severity: 'error', file: 'compose.yaml', line: 4, column: 9, endLine: 4, endColumn: 11, message: 'a << merge key must point at a mapping or a list of mappings' },
    ]);
  });
});

describe('aliases', () => {
  const text = ['x-env: &env', '  A: "1"', '  B: "2"', 'services:', '  web:', '    image: nginx', '    environment: *env', ''].join('\n');

  it('a value reached through an alias is the anchor\'s node, located at the anchor, with via = alias', () => {
    const root = load(text);
    const entry = (node(root, 'services', 'web') as LMap).index.get('environment')!;
    expect(entry.value).toBe(root.index.get('x-env')!.value);
    expect(entry.via?.kind).toBe('alias');
    expect(pos(entry.via!.loc)).toEqual({ line: 7, column: 18, endLine: 7, endColumn: 22 });
    // the entry's key is the service's own; the value is located at the anchor's definition
    expect(pos(entry.keyLoc)).toEqual({ line: 7, column: 5, endLine: 7, endColumn: 16 });
    expect(pos((entry.value as LMap).index.get('A')!.keyLoc)).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 4 });
  });

  it('walks through an alias are shared', () => {
    const root = load(text);
    const r = rootRef(root);
    expect(child(at(r, 'services', 'web'), 'environment')!.shared).toBe(true);
    expect(at(r, 'services', 'web', 'environment', 'A')!.shared).toBe(true);
    expect(at(r, 'services', 'web', 'image')!.shared).toBe(false);
    expect(at(r, 'x-env', 'A')!.shared).toBe(false);
  });

  it('an alias as a sequence item', () => {
    const root = load('x-cap: &cap NET_ADMIN\nservices:\n  web:\n    image: a\n    cap_add: [*cap, SYS_TIME]\n');
    const seq = node(root, 'services', 'web', 'cap_add');
    expect(seq.kind).toBe('seq');
    if (seq.kind !== 'seq') return;
    expect(seq.items.map((i) => (i.value as LScalar).value)).toEqual(['NET_ADMIN', 'SYS_TIME']);
    expect(seq.items[0]!.via?.kind).toBe('alias');
    expect(pos(seq.items[0]!.value.loc)).toEqual({ line: 1, column: 13, endLine: 1, endColumn: 22 });
    expect(seq.items[1]!.via).toBeUndefined();
  });
});

describe('interpolation inside scalars', () => {
  const lint = (text: string, env: Record<string, string> = {}) => lintFiles({ 'compose.yaml': text }, { environment: env }).findings.map(brief);
  const interp = (line: number, column: number, endColumn: number, message: string, severity = 'error') => ({
    ruleId: 'interpolation',
    severity,
    file: 'compose.yaml',
    line,
    column,
    endLine: line,
    endColumn,
    message,
  });

  it('a plain scalar: the finding covers the expression itself', () => {
    expect(lint('services:\n  web:\n    image: registry/app:${TAG:?set TAG}\n')).toEqual([interp(3, 25, 40, 'required variable TAG is not set: set TAG')]);
  });

  it('a double-quoted scalar: shifted by the quote', () => {
    expect(lint('services:\n  web:\n    image: "registry/app:${TAG:?set TAG}"\n')).toEqual([interp(3, 26, 41, 'required variable TAG is not set: set TAG')]);
  });

  it('a single-quoted scalar', () => {
    expect(lint("services:\n  web:\n    image: 'app:$TAG'\n")).toEqual([interp(3, 17, 21, 'variable TAG is not set; it becomes an empty string', 'warning')]);
  });

  it('a flow sequence item and a list item', () => {
    expect(lint('services:\n  web:\n    image: a\n    command: [run, "--port=${PORT:?}"]\n    dns:\n      - ${DNS:?need DNS}\n')).toEqual([
      interp(4, 28, 37, 'required variable PORT is not set'),
      interp(6, 9, 25, 'required variable DNS is not set: need DNS'),
    ]);
  });

  it('two expressions in one scalar, each at its own place', () => {
    expect(lint('services:\n  web:\n    image: ${REG:?no registry}/app:${TAG:?no tag}\n')).toEqual([
      interp(3, 12, 31, 'required variable REG is not set: no registry'),
      interp(3, 36, 50, 'required variable TAG is not set: no tag'),
    ]);
  });

  it('a scalar whose text is not its value (escapes): the whole scalar', () => {
    expect(lint('services:\n  web:\n    image: "a\\tb${X:?}"\n')).toEqual([interp(3, 12, 24, 'required variable X is not set')]);
  });

  it('a folded block: the expression on its own line, not the ">"', () => {
    const folded = lint('services:\n  web:\n    image: a\n    entrypoint: >\n      run\n      ${X:?}\n');
    expect(folded).toHaveLength(1);
    expect(folded[0]).toMatchObject({ ruleId: 'interpolation', line: 6, column: 7, endLine: 6, endColumn: 13 });
  });

  it('a literal block: the expression on its own line (as swarm-compat places its findings)', () => {
    const block = lint('services:\n  web:\n    image: a\n    entrypoint: |\n      run\n      go ${X:?}\n');
    expect(block).toHaveLength(1);
    expect(block[0]).toMatchObject({ ruleId: 'interpolation', line: 6, column: 10, endLine: 6, endColumn: 16 });
  });

  it('the finding names the service and the YAML path of the value (list items by index)', () => {
    const f = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: a:${T:?}\n    dns: [1.1.1.1, "${D:?}"]\n' }).findings;
    expect(f.map((x) => [x.service, x.path])).toEqual([
      ['web', 'services.web.image'],
      ['web', 'services.web.dns[1]'],
    ]);
  });

  it('a malformed expression is an error at the expression', () => {
    expect(lint('services:\n  web:\n    image: app:${TAG\n')).toEqual([interp(3, 16, 21, 'invalid interpolation format: "${TAG" has no closing "}"')]);
  });

  it('keys are not interpolated', () => {
    const p = loadFiles({ 'compose.yaml': 'services:\n  web:\n    image: a\n    labels:\n      $KEY: "v"\n' }, { environment: { KEY: 'k' } });
    expect(p.issues).toEqual([]);
    expect(toPlain(p.root!)).toEqual({ services: { web: { image: 'a', labels: { $KEY: 'v' } } } });
  });

  it('the raw text is kept beside the value', () => {
    const root = load('services:\n  web:\n    image: "app:${TAG:-1}"\n');
    const v = node(root, 'services', 'web', 'image') as LScalar;
    expect(v.value).toBe('app:1');
    expect(v.raw).toBe('app:${TAG:-1}');
  });

  it('interpolation can be turned off (a plain YAML read)', () => {
    const p = loadFiles({ 'compose.yaml': 'services:\n  web:\n    image: app:${TAG:?x}\n' }, { interpolate: false });
    expect(p.issues).toEqual([]);
    expect(toPlain(p.root!)).toEqual({ services: { web: { image: 'app:${TAG:?x}' } } });
  });
});

describe('typing after interpolation', () => {
  const svc = (body: string, env: Record<string, string> = {}) => {
    const root = load(`services:\n  web:\n    image: a\n${body}`, env);
    return (...keys: string[]) => scalarValue(at(rootRef(root), 'services', 'web', ...keys));
  };

  it('replicas: ${N:-2} is the number 2; quoted it stays the string "2"', () => {
    expect(svc('    deploy:\n      replicas: ${N:-2}\n')('deploy', 'replicas')).toBe(2);
    expect(svc('    deploy:\n      replicas: ${N}\n', { N: '7' })('deploy', 'replicas')).toBe(7);
    expect(svc('    deploy:\n      replicas: "${N:-2}"\n')('deploy', 'replicas')).toBe('2');
  });

  it('booleans and numbers in the fields compose types (read_only, privileged, cpus, healthcheck.retries)', () => {
    const get = svc('    read_only: ${RO:-true}\n    privileged: ${P:-no}\n    cpus: ${C:-0.5}\n    healthcheck:\n      retries: ${R:-3}\n      disable: ${D:-false}\n');
    expect(get('read_only')).toBe(true);
    expect(get('privileged')).toBe(false);
    expect(get('cpus')).toBe(0.5);
    expect(get('healthcheck', 'retries')).toBe(3);
    expect(get('healthcheck', 'disable')).toBe(false);
  });

  it('a string field stays a string even when it looks like a number (user: ${UID:-1000})', () => {
    const get = svc('    user: ${UID:-1000}\n    container_name: ${N:-123}\n    hostname: ${H:-true}\n    working_dir: ${W:-null}\n');
    expect(get('user')).toBe('1000');
    expect(get('container_name')).toBe('123');
    expect(get('hostname')).toBe('true');
    expect(get('working_dir')).toBe('null');
  });

  it('no schema error for a string field filled with digits', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: a\n    user: ${UID:-1000}:${GID:-1000}\n    container_name: ${N:-123}\n    deploy:\n      replicas: ${R:-2}\n' });
    expect(r.findings).toEqual([]);
    expect(r.stack!.services[0]!.replicas?.value).toBe(2);
    expect(r.stack!.services[0]!.user?.value).toBe('1000:1000');
  });

  it('a value that does not cast stays a string', () => {
    expect(svc('    deploy:\n      replicas: ${N:-many}\n')('deploy', 'replicas')).toBe('many');
  });

  it('a plain scalar without interpolation is typed by YAML as always', () => {
    const get = svc('    deploy:\n      replicas: 3\n    read_only: true\n    user: "1000"\n');
    expect(get('deploy', 'replicas')).toBe(3);
    expect(get('read_only')).toBe(true);
    expect(get('user')).toBe('1000');
  });

  it('a plain integer with a leading 0 is octal, as compose reads it (mode: 0440)', () => {
    const root = load('services:\n  web:\n    image: a\n    secrets:\n      - {source: a, mode: 0440}\n      - {source: b, mode: 0o440}\n      - {source: c, mode: 440}\n      - {source: d, mode: "0440"}\n      - {source: e, mode: 0}\n');
    const secrets = toPlain(node(root, 'services', 'web', 'secrets')) as Array<{ mode: unknown }>;
    expect(secrets.map((x) => x.mode)).toEqual([0o440, 0o440, 440, '0440', 0]);
  });

  it('top-level external flags and ulimits', () => {
    const root = load('services:\n  web:\n    image: a\n    ulimits:\n      nofile:\n        soft: ${S:-1024}\n        hard: 4096\n      nproc: ${NP:-65535}\nnetworks:\n  n:\n    external: ${EXT:-true}\n');
    const r = rootRef(root);
    expect(scalarValue(at(r, 'services', 'web', 'ulimits', 'nofile', 'soft'))).toBe(1024);
    expect(scalarValue(at(r, 'services', 'web', 'ulimits', 'nproc'))).toBe(65535);
    expect(scalarValue(at(r, 'networks', 'n', 'external'))).toBe(true);
  });
});

describe('path patterns (the casts compose and docker make after interpolation)', () => {
  it('`*` is any mapping key, `[]` any sequence index, other steps that exact key, at the same length', () => {
    const pattern = ['services', '*', 'secrets', '[]', 'mode'];
    expect(matchesPathPattern(pattern, ['services', 'web', 'secrets', 0, 'mode'])).toBe(true);
    expect(matchesPathPattern(pattern, ['services', 'web', 'secrets', 'token', 'mode'])).toBe(false); // a key is not an index
    expect(matchesPathPattern(pattern, ['services', 0, 'secrets', 0, 'mode'])).toBe(false); // an index is not a key
    expect(matchesPathPattern(pattern, ['services', 'web', 'configs', 0, 'mode'])).toBe(false);
    expect(matchesPathPattern(pattern, ['services', 'web', 'secrets', 0])).toBe(false);
    expect(matchesPathPattern(['ulimits', '*'], ['ulimits', 'nofile'])).toBe(true);
  });
});
