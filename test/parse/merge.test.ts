import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuRatio } from '../helpers/measure.js';
import { loadProject } from '../../src/parse/load-project.js';
import { at, rootRef } from '../../src/model/access.js';
import { fileOf } from '../../src/parse/location.js';
import { toPlain, type LMap } from '../../src/parse/located.js';
import { brief, lintFiles, loadFiles, pos, textAt } from './helpers.js';

/** Merge `base.yaml` and `over.yaml` (as `-f base.yaml -f over.yaml`) and return the plain services. */
const merge = (base: string, over: string, extra: Record<string, string> = {}) => {
  const p = loadFiles({ 'base.yaml': base, 'over.yaml': over, ...extra }, { lint: ['base.yaml', 'over.yaml'] });
  expect(p.issues).toEqual([]);
  return p;
};
const services = (base: string, over: string) => (toPlain(merge(base, over).root!) as { services: Record<string, unknown> }).services;

describe('-f A -f B: the compose merge rules', () => {
  it('mappings merge key by key; scalars are replaced', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    user: u\n    deploy:\n      replicas: 1\n      resources:\n        limits: {cpus: "1"}\n',
        'services:\n  web:\n    image: b\n    deploy:\n      resources:\n        limits: {memory: 512M}\n  db:\n    image: pg\n',
      ),
    ).toEqual({
      web: { image: 'b', user: 'u', deploy: { replicas: 1, resources: { limits: { cpus: '1', memory: '512M' } } } },
      db: { image: 'pg' },
    });
  });

  it('a null in the override keeps the base of networks, depends_on and models (compose reads them as mappings); elsewhere it replaces', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    networks: [front]\n    depends_on: [db]\n    user: u\n    ports: ["80:80"]\n  db:\n    image: pg\n',
        'services:\n  web:\n    networks: null\n    depends_on:\n    user: null\n    ports: null\n',
      ),
    ).toEqual({ web: { image: 'a', networks: ['front'], depends_on: ['db'], user: null, ports: null }, db: { image: 'pg' } });
  });

  it('sequences append', () => {
    expect(services('services:\n  web:\n    image: a\n    dns: [1.1.1.1]\n    cap_add: [A]\n', 'services:\n  web:\n    dns: [8.8.8.8]\n    cap_add: [B]\n')).toEqual({
      web: { image: 'a', dns: ['1.1.1.1', '8.8.8.8'], cap_add: ['A', 'B'] },
    });
  });

  it('dns and tmpfs written as a string on one side still append', () => {
    expect(services('services:\n  web:\n    image: a\n    dns: 1.1.1.1\n    tmpfs: /tmp\n', 'services:\n  web:\n    dns: [8.8.8.8]\n    tmpfs: /run\n')).toEqual({
      web: { image: 'a', dns: ['1.1.1.1', '8.8.8.8'], tmpfs: ['/tmp', '/run'] },
    });
  });

  it('command, entrypoint and healthcheck.test are replaced, not appended', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    command: [echo, foo]\n    entrypoint: [sh, -c]\n    healthcheck:\n      test: [CMD, a]\n      interval: 10s\n',
        'services:\n  web:\n    command: [echo, bar]\n    entrypoint: [bash]\n    healthcheck:\n      test: [CMD-SHELL, b]\n',
      ),
    ).toEqual({ web: { image: 'a', command: ['echo', 'bar'], entrypoint: ['bash'], healthcheck: { test: ['CMD-SHELL', 'b'], interval: '10s' } } });
  });

  it('a string command replaces a list command', () => {
    expect(services('services:\n  web:\n    image: a\n    command: [echo, foo]\n', 'services:\n  web:\n    command: echo bar\n')).toEqual({ web: { image: 'a', command: 'echo bar' } });
  });

  it('ports are unique by ip, target, published and protocol', () => {
    expect(
      services('services:\n  web:\n    image: a\n    ports: ["8080:80", "443:443", "53:53/udp"]\n', 'services:\n  web:\n    ports: ["8080:80", "53:53", "9000:90"]\n'),
    ).toEqual({ web: { image: 'a', ports: ['8080:80', '443:443', '53:53/udp', '53:53', '9000:90'] } });
  });

  it('a port written in short and in long syntax is the same port', () => {
    expect(
      services('services:\n  web:\n    image: a\n    ports: ["8080:80"]\n', 'services:\n  web:\n    ports:\n      - target: 80\n        published: "8080"\n        mode: host\n'),
    ).toEqual({ web: { image: 'a', ports: [{ target: 80, published: '8080', mode: 'host' }] } });
  });

  it('volumes are unique by target (the override replaces the entry in place)', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    volumes: ["foo:/work", "logs:/logs:ro", "/anon"]\n',
        'services:\n  web:\n    volumes:\n      - bar:/work\n      - type: volume\n        source: other\n        target: /anon\n      - new:/new\n',
      ),
    ).toEqual({ web: { image: 'a', volumes: ['bar:/work', 'logs:/logs:ro', { type: 'volume', source: 'other', target: '/anon' }, 'new:/new'] } });
  });

  it('secrets and configs are unique by target', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    secrets: [db_pass, {source: api, target: /run/secrets/api_key}]\n    configs: [nginx]\n',
        'services:\n  web:\n    secrets: [{source: db_pass, mode: 0440}, {source: api2, target: /run/secrets/api_key}, extra]\n    configs: [nginx, other]\n',
      ),
    ).toEqual({
      web: {
        image: 'a',
        secrets: [{ source: 'db_pass', mode: 0o440 }, { source: 'api2', target: '/run/secrets/api_key' }, 'extra'],
        configs: ['nginx', 'other'],
      },
    });
  });

  it('environment lists merge by variable name', () => {
    expect(services('services:\n  web:\n    image: a\n    environment: [A=1, B=2]\n', 'services:\n  web:\n    environment: [B=3, C=4]\n')).toEqual({
      web: { image: 'a', environment: ['A=1', 'B=3', 'C=4'] },
    });
  });

  it('environment as a mapping in one file and a list in the other still merges by name', () => {
    const a = services('services:\n  web:\n    image: a\n    environment:\n      A: "1"\n      B: "2"\n', 'services:\n  web:\n    environment: [B=3, C=4]\n');
    expect(a).toEqual({ web: { image: 'a', environment: { A: '1', B: '3', C: '4' } } });
    const b = services('services:\n  web:\n    image: a\n    environment: [A=1, B=2]\n', 'services:\n  web:\n    environment:\n      B: "3"\n');
    expect(b).toEqual({ web: { image: 'a', environment: { A: '1', B: '3' } } });
    const labels = services('services:\n  web:\n    image: a\n    labels: {x: "1"}\n', 'services:\n  web:\n    labels: [y=2]\n');
    expect(labels).toEqual({ web: { image: 'a', labels: { x: '1', y: '2' } } });
  });

  it('depends_on, networks and models lists merge by name, as compose merges them (as mappings): an override or extends repeating one adds nothing', () => {
    expect(services('services:\n  web:\n    image: a\n    depends_on: [db]\n    networks: [n1]\n', 'services:\n  web:\n    depends_on: [db, redis]\n    networks: [n1, n2]\n')).toEqual({
      web: { image: 'a', depends_on: ['db', 'redis'], networks: ['n1', 'n2'] },
    });
    const r = lintFiles(
      { 'compose.yaml': 'services:\n  base:\n    image: a\n    depends_on: [db]\n    networks: [n1]\n  app:\n    extends: base\n    depends_on: [db]\n    networks: [n1]\n  db:\n    image: postgres:16\nnetworks:\n  n1: {}\n' },
      { lint: ['compose.yaml'] },
    );
    expect(r.findings.map(brief)).toEqual([]);
  });

  it('extra_hosts merge as lists, as compose does (a mapping becomes sorted HOST=ADDRESS items; the override adds the items the base lacks)', () => {
    expect(services('services:\n  web:\n    image: a\n    extra_hosts: {b: 2.2.2.2, a: 1.1.1.1}\n', 'services:\n  web:\n    extra_hosts: ["c:3.3.3.3", "a=1.1.1.1"]\n')).toEqual({
      web: { image: 'a', extra_hosts: ['a=1.1.1.1', 'b=2.2.2.2', 'c:3.3.3.3'] },
    });
    expect(services('services:\n  web:\n    image: a\n    extra_hosts: ["a:1.1.1.1"]\n', 'services:\n  web:\n    extra_hosts: {b: [2.2.2.2, "::1"]}\n')).toEqual({
      web: { image: 'a', extra_hosts: ['a:1.1.1.1', 'b=2.2.2.2', 'b=::1'] },
    });
    // and the merged list is one the schema takes
    const r = lintFiles({ 'base.yaml': 'services:\n  web:\n    image: a\n    extra_hosts: {a: 1.1.1.1}\n', 'over.yaml': 'services:\n  web:\n    extra_hosts: ["b:2.2.2.2"]\n' }, { lint: ['base.yaml', 'over.yaml'] });
    expect(r.findings.map(brief)).toEqual([]);
  });

  it('!reset removes a value, an entry or a whole service key', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    ports: ["8080:80"]\n    environment:\n      FOO: BAR\n      KEEP: "1"\n  db:\n    image: pg\n',
        'services:\n  web:\n    image: a\n    ports: !reset []\n    environment:\n      FOO: !reset null\n  db: !reset {}\n',
      ),
    ).toEqual({ web: { image: 'a', environment: { KEEP: '1' } } });
  });

  it('!reset of a key the base does not have, also deep inside a new service, leaves nothing behind', () => {
    expect(services('services:\n  web:\n    image: a\n', 'services:\n  web:\n    user: !reset null\n  api:\n    image: b\n    user: !reset null\n')).toEqual({
      web: { image: 'a' },
      api: { image: 'b' },
    });
  });

  it('!reset in the first file (nothing to reset) is dropped', () => {
    const p = loadFiles({ 'compose.yaml': 'services:\n  web:\n    image: a\n    user: !reset root\n' });
    expect(toPlain(p.root!)).toEqual({ services: { web: { image: 'a' } } });
  });

  it('!override replaces instead of merging', () => {
    expect(
      services(
        'services:\n  web:\n    image: a\n    ports: ["8080:80"]\n    deploy:\n      replicas: 2\n      labels: {a: "1"}\n',
        'services:\n  web:\n    ports: !override ["8443:443"]\n    deploy: !override\n      replicas: 3\n',
      ),
    ).toEqual({ web: { image: 'a', ports: ['8443:443'], deploy: { replicas: 3 } } });
  });

  it('three files merge in order', () => {
    const p = loadFiles(
      { 'a.yaml': 'services:\n  web:\n    image: a\n    dns: [1]\n', 'b.yaml': 'services:\n  web:\n    image: b\n    dns: [2]\n', 'c.yaml': 'services:\n  web:\n    dns: [3]\n' },
      { lint: ['a.yaml', 'b.yaml', 'c.yaml'] },
    );
    expect(toPlain(p.root!)).toEqual({ services: { web: { image: 'b', dns: [1, 2, 3] } } });
    expect(p.sources.map((s) => s.displayPath)).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });

  it('an override file that cannot be parsed is reported; the base is still linted', () => {
    const r = lintFiles({ 'base.yaml': 'services:\n  web:\n    image: 5\n', 'over.yaml': 'services:\n  web: [\n' }, { lint: ['base.yaml', 'over.yaml'] });
    expect(r.findings.map((f) => [f.file, f.ruleId, f.line, f.column])).toEqual([
      ['base.yaml', 'schema', 3, 12],
      ['over.yaml', 'yaml-syntax', 2, 8],
    ]);
  });
});

describe('-f with many files: each merged onto the ones before it', () => {
  const N = 60;
  const range = <T>(f: (i: number) => T): T[] => Array.from({ length: N }, (_, i) => f(i));
  /** N files, the first defining service web, each (the first too) adding `add(i)` to it. */
  const filesOf = (add: (i: number) => string): Record<string, string> =>
    Object.fromEntries(range((i) => [`f${i}.yaml`, `services:\n  web:\n${i === 0 ? '    image: a\n' : ''}${add(i)}`]));
  const load = (files: Record<string, string>) => {
    const p = loadFiles(files, { lint: Object.keys(files) });
    expect(p.issues).toEqual([]);
    return p;
  };
  const web = (add: (i: number) => string) => (toPlain(load(filesOf(add)).root!) as { services: { web: Record<string, unknown> } }).services.web;
  /** The values of a list unique by key, as compose merges it: a key keeps its first place and takes its last value. */
  const lastByKey = <T>(items: T[], keyOf: (item: T) => string): T[] => [...new Map(items.map((it) => [keyOf(it), it] as const)).values()];

  it('each file adding one item: lists append, unique lists and lists of names keep each key once', () => {
    expect(
      web(
        (i) =>
          `    ports: ["${8000 + i}:80"]\n    volumes: ["v${i}:/data/${i}"]\n    environment: [V${i}=${i}]\n    labels: [l${i}=${i}]\n    secrets: [s${i}]\n` +
          `    networks: [n${i}]\n    depends_on: [d${i}]\n    extra_hosts: ["h${i}:10.0.0.${i}"]\n    dns: [10.0.1.${i}]\n    cap_add: [C${i}]\n`,
      ),
    ).toEqual({
      image: 'a',
      ports: range((i) => `${8000 + i}:80`),
      volumes: range((i) => `v${i}:/data/${i}`),
      environment: range((i) => `V${i}=${i}`),
      labels: range((i) => `l${i}=${i}`),
      secrets: range((i) => `s${i}`),
      networks: range((i) => `n${i}`),
      depends_on: range((i) => `d${i}`),
      extra_hosts: range((i) => `h${i}:10.0.0.${i}`),
      dns: range((i) => `10.0.1.${i}`),
      cap_add: range((i) => `C${i}`),
    });
  });

  it('each file adding one item and repeating an earlier one: the repeat replaces it in its place, or is not added again', () => {
    // file i (past the first) writes its own item and one of file i / 2
    const both = <T>(i: number, own: T, again: T): T[] => (i ? [own, again] : [own]);
    const ports = range((i) => both(i, `${8000 + i}:80`, `${8000 + (i >> 1)}:80/tcp`));
    const volumes = range((i) => both(i, `v${i}:/data/${i}`, `w${i}:/data/${i >> 1}`));
    const environment = range((i) => both(i, `V${i}=${i}`, `V${i >> 1}=again${i}`));
    const secrets = range((i) => both<string | { source: string; target: string }>(i, `s${i}`, { source: `t${i}`, target: `/run/secrets/s${i >> 1}` }));
    const networks = range((i) => both(i, `n${i}`, `n${i >> 1}`));
    const hosts = range((i) => both(i, `h${i}:10.0.0.1`, `h${i >> 1}:10.0.0.1`));
    const flow = (items: unknown[]) => JSON.stringify(items);
    const w = web(
      (i) =>
        `    ports: ${flow(ports[i]!)}\n    volumes: ${flow(volumes[i]!)}\n    environment: ${flow(environment[i]!)}\n    secrets: ${flow(secrets[i]!)}\n` +
        `    networks: ${flow(networks[i]!)}\n    extra_hosts: ${flow(hosts[i]!)}\n    dns: [10.0.1.${i >> 1}]\n`,
    );
    expect(w).toEqual({
      image: 'a',
      // "8000:80" and "8000:80/tcp" are one port
      ports: lastByKey(ports.flat(), (p) => p.replace('/tcp', '')),
      volumes: lastByKey(volumes.flat(), (v) => v.split(':')[1]!),
      environment: lastByKey(environment.flat(), (e) => e.split('=')[0]!),
      secrets: lastByKey(secrets.flat(), (s) => (typeof s === 'string' ? `/run/secrets/${s}` : s.target)),
      networks: range((i) => `n${i}`),
      extra_hosts: range((i) => `h${i}:10.0.0.1`),
      dns: range((i) => `10.0.1.${i >> 1}`),
    });
  });

  it('each file adding one entry to a mapping (environment, labels, deploy.labels), or to a list merged into a mapping', () => {
    expect(web((i) => `    environment:\n      V${i}: "${i}"\n    labels:\n      l${i}: "${i}"\n    deploy:\n      labels:\n        d${i}: "${i}"\n`)).toEqual({
      image: 'a',
      environment: Object.fromEntries(range((i) => [`V${i}`, `${i}`])),
      labels: Object.fromEntries(range((i) => [`l${i}`, `${i}`])),
      deploy: { labels: Object.fromEntries(range((i) => [`d${i}`, `${i}`])) },
    });
    // a list in one file and a mapping in another: one mapping from then on
    expect(web((i) => (i % 2 ? `    environment:\n      V${i}: "${i}"\n      V${i - 1}: again\n` : `    environment: [V${i}=${i}]\n`)).environment).toEqual(
      Object.fromEntries(range((i) => [`V${i}`, i % 2 || i === N - 1 ? `${i}` : 'again'])),
    );
  });

  it('each file overriding the same scalar: the last one wins, located in its file', () => {
    const p = load(filesOf((i) => `    user: "u${i}"\n`));
    const user = at(rootRef(p.root!), 'services', 'web', 'user')!.node;
    expect(toPlain(user)).toBe(`u${N - 1}`);
    expect(fileOf(user.loc)).toBe(`f${N - 1}.yaml`);
  });

  it('each file adding new services and a key to the first: every service, the first one located where it was first written', () => {
    const p = load(Object.fromEntries(range((i) => [`f${i}.yaml`, `services:\n  web:\n    environment: [V${i}=${i}]\n  s${i}:\n    image: x\n`])));
    const services = p.root!.get('services')!.value as LMap;
    expect(services.entries.map((e) => e.key)).toEqual(['web', ...range((i) => `s${i}`)]);
    expect(fileOf(services.get('web')!.keyLoc)).toBe('f0.yaml');
    expect(fileOf(services.get(`s${N - 1}`)!.keyLoc)).toBe(`f${N - 1}.yaml`);
  });

  it('!reset and !override in many files', () => {
    // each file resets the entry the one before added, and a port
    expect(web((i) => `    environment:\n      V${i}: x\n${i ? `      V${i - 1}: !reset null\n` : ''}    ports: ${i % 10 === 9 ? '!reset []' : `["${i}:80"]`}\n`)).toEqual({
      image: 'a',
      environment: { [`V${N - 1}`]: 'x' },
    });
    // every file replaces the mapping and the list
    expect(web((i) => `    environment: !override\n      V${i}: x\n    cap_add: !override [C${i}]\n`)).toEqual({ image: 'a', environment: { [`V${N - 1}`]: 'x' }, cap_add: [`C${N - 1}`] });
    // each file resets half the keys written so far, then adds its own; the earlier ones keep their places
    const keys = new Map<string, string>();
    const files = filesOf((i) => {
      const resets = [...keys.keys()].filter((_, k) => k % 2 === i % 2);
      for (const k of resets) keys.delete(k);
      keys.set(`V${i}`, `${i}`);
      return `    environment:\n${resets.map((k) => `      ${k}: !reset null\n`).join('')}      V${i}: "${i}"\n`;
    });
    expect(web((i) => files[`f${i}.yaml`]!.split('\n').slice(i === 0 ? 3 : 2).join('\n')).environment).toEqual(Object.fromEntries(keys));
  });

  // CPU time at n and 16n files: linear work is about 16 times. Each file's merge copied what the
  // files before had merged (ratio 355 here; without the nodes fixes edit through, 281 ms and 86 s).
  it('loads n files in time about proportional to n', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stackopt-many-files-'));
    try {
      const write = (n: number) =>
        Array.from({ length: n }, (_, i) => {
          const file = join(dir, `${n}-${i}.yaml`);
          writeFileSync(file, `services:\n  web:\n${i === 0 ? '    image: a\n' : ''}    environment: [V${i}=x]\n    ports: ["${10_000 + i}:80"]\n    labels: [l${i}=y]\n    volumes: ["v${i}:/data/${i}"]\n`);
          return file;
        });
      const small = write(512);
      const large = write(16 * 512);
      expect(cpuRatio((files: string[]) => loadProject({ files, environment: {} }), small, large)).toBeLessThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('-f A -f B: findings point into the file the value came from', () => {
  const base = 'services:\n  web:\n    image: nginx\n    user: root\n    deploy:\n      replicas: 1\n';
  const over = '# production\nservices:\n  web:\n    deploy:\n      replicas: many-of-them\n      resources:\n        limits:\n          cpus: [2]\n    imagee: typo\n';

  it('schema errors in the override are in the override, at their own lines', () => {
    const r = lintFiles({ 'base.yaml': base, 'over.yaml': over }, { lint: ['base.yaml', 'over.yaml'] });
    expect(r.findings.map(brief)).toEqual([
      // the schema takes a string for replicas (`${N}`); compose cannot read this one as a number
      { ruleId: 'schema', severity: 'error', file: 'over.yaml', line: 5, column: 17, endLine: 5, endColumn: 29, message: 'service "web" sets deploy.replicas "many-of-them", which docker compose cannot read as a whole number (strconv.Atoi: parsing "many-of-them": invalid syntax); write a whole number, such as 2' },
      { ruleId: 'schema', severity: 'error', file: 'over.yaml', line: 8, column: 17, endLine: 8, endColumn: 20, message: 'services.web.deploy.resources.limits.cpus must be a number or a string, not a list' },
      { ruleId: 'schema', severity: 'error', file: 'over.yaml', line: 9, column: 5, endLine: 9, endColumn: 11, message: 'unknown key "imagee" in services.web; did you mean "image"?' },
    ]);
    expect(r.file).toBe('base.yaml');
  });

  it('values keep the location of the file that set them', () => {
    const p = merge(base, over);
    const r = rootRef(p.root!);
    const user = at(r, 'services', 'web', 'user')!.node;
    const replicas = at(r, 'services', 'web', 'deploy', 'replicas')!.node;
    expect(fileOf(user.loc)).toBe('base.yaml');
    expect(pos(user.loc)).toEqual({ line: 4, column: 11, endLine: 4, endColumn: 15 });
    expect(fileOf(replicas.loc)).toBe('over.yaml');
    expect(pos(replicas.loc)).toEqual({ line: 5, column: 17, endLine: 5, endColumn: 29 });
    expect(textAt(replicas.loc)).toBe('many-of-them');
  });

  it('interpolation findings of each file are in that file', () => {
    const r = lintFiles(
      { 'base.yaml': 'services:\n  web:\n    image: app:${TAG:?need TAG}\n', 'over.yaml': 'services:\n  web:\n    user: ${USER_ID:?need USER_ID}\n' },
      { lint: ['base.yaml', 'over.yaml'] },
    );
    expect(r.findings.map((f) => [f.file, f.ruleId, f.line, f.column, f.message])).toEqual([
      ['base.yaml', 'interpolation', 3, 16, 'required variable TAG is not set: need TAG'],
      ['over.yaml', 'interpolation', 3, 11, 'required variable USER_ID is not set: need USER_ID'],
    ]);
  });

  it('a missing -f file is an InputError naming it', () => {
    expect(() => lintFiles({ 'base.yaml': base }, { lint: ['base.yaml', 'missing.yaml'] })).toThrow('missing.yaml: cannot read file: no such file');
  });
});

describe('merge: what docker compose refuses to merge', () => {
  it('a mapping overridden by null, a list or a scalar is an error at the override key; the override still wins', () => {
    const r = lintFiles(
      {
        'base.yaml': 'services:\n  web:\n    image: a\n    deploy:\n      replicas: 2\n    healthcheck:\n      test: ["CMD", "true"]\n    ulimits:\n      nofile: {soft: 1, hard: 2}\n',
        'over.yaml': 'services:\n  web:\n    deploy:\n    healthcheck: [x]\n    ulimits:\n      nofile: 5\n',
      },
      { lint: ['base.yaml', 'over.yaml'] },
    );
    expect(r.findings.filter((f) => f.ruleId === 'merge').map(brief)).toEqual([
      {
        ruleId: 'merge',
        severity: 'error',
        file: 'over.yaml',
        line: 3,
        column: 5,
        endLine: 3,
        endColumn: 11,
        message:
          'services.web.deploy is a mapping in base.yaml but null in over.yaml, and docker compose refuses to merge them ("cannot override services.web.deploy"); write keys to merge into it, or !reset / !override to drop or replace it',
      },
      {
        ruleId: 'merge',
        severity: 'error',
        file: 'over.yaml',
        line: 4,
        column: 5,
        endLine: 4,
        endColumn: 16,
        message: 'services.web.healthcheck is a mapping in base.yaml but a list in over.yaml, and docker compose refuses to merge them ("cannot override services.web.healthcheck"); write keys to merge into it, or !reset / !override to drop or replace it',
      },
    ]);
    expect(toPlain(r.project.root!)).toMatchObject({ services: { web: { deploy: null, healthcheck: ['x'], ulimits: { nofile: 5 } } } });
  });

  it('docker stack deploy merges them (its merge has no "cannot override"): no merge error with target swarm', () => {
    const files = {
      'base.yaml': 'services:\n  web:\n    image: a\n    deploy:\n      replicas: 2\n',
      'over.yaml': 'services:\n  web:\n    deploy:\n',
    };
    const merged = (target: 'compose' | 'swarm') => lintFiles(files, { lint: ['base.yaml', 'over.yaml'], target }).findings.filter((f) => f.ruleId === 'merge').length;
    expect([merged('compose'), merged('swarm')]).toEqual([1, 0]);
  });

  it('no error where compose converts first (environment, labels, networks, build, ulimits.*), for x- keys, top-level definitions, or with !reset / !override', () => {
    const r = loadFiles(
      {
        'base.yaml': 'x-common: {a: 1}\nservices:\n  web:\n    image: a\n    build: {context: .}\n    environment: {A: "1"}\n    labels: {a: b}\n    networks: {front: {}}\n    deploy: {replicas: 2}\n    logging: {driver: json-file}\nnetworks:\n  front: {driver: overlay}\n',
        'over.yaml': 'x-common: null\nservices:\n  web:\n    build: ./app\n    environment: [B=2]\n    labels: null\n    networks: [back]\n    deploy: !reset null\n    logging: !override {driver: local}\nnetworks:\n  front:\n',
      },
      { lint: ['base.yaml', 'over.yaml'] },
    );
    expect(r.issues).toEqual([]);
  });

  it('extends merges by the same rules', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  base:\n    image: a\n    deploy: {replicas: 2}\n  web:\n    extends: base\n    deploy: 3\n' });
    expect(r.findings.filter((f) => f.ruleId === 'merge').map((f) => [f.line, f.column, f.message.replace(/, and docker.*/, '')])).toEqual([[7, 5, 'services.web.deploy is a mapping in compose.yaml but the number 3 in compose.yaml']]);
  });
});

describe('extends', () => {
  const lintExt = (files: Record<string, string>, lint?: string[]) => lintFiles(files, lint ? { lint } : {});

  it('a base service written with no value is one with no keys: the service stays as it is (compose-go TestExtendsNil)', () => {
    const p = loadFiles({ 'compose.yaml': 'services:\n  test:\n    image: test:1\n    extends: {file: base.yaml, service: empty}\n', 'base.yaml': 'services:\n  base:\n    image: x:1\n  empty:\n' });
    expect(p.issues).toEqual([]);
    expect((toPlain(p.root!) as { services: Record<string, unknown> }).services.test).toEqual({ image: 'test:1' });
  });

  it('same file: the service is the merge of its base and itself', () => {
    const p = loadFiles({
      'compose.yaml':
        'services:\n  common:\n    image: busybox\n    environment:\n      TZ: utc\n      PORT: "80"\n    cap_drop: [ALL]\n  cli:\n    extends: common\n    environment:\n      PORT: "8080"\n    cap_drop: [NET_RAW]\n',
    });
    expect(p.issues).toEqual([]);
    const svcs = (toPlain(p.root!) as { services: Record<string, unknown> }).services;
    expect(svcs.cli).toEqual({ image: 'busybox', environment: { TZ: 'utc', PORT: '8080' }, cap_drop: ['ALL', 'NET_RAW'] });
    expect(svcs.common).toEqual({ image: 'busybox', environment: { TZ: 'utc', PORT: '80' }, cap_drop: ['ALL'] });
  });

  it('the mapping form {service}', () => {
    const p = loadFiles({ 'compose.yaml': 'services:\n  base:\n    image: a\n  web:\n    extends:\n      service: base\n    user: u\n' });
    expect((toPlain(p.root!) as { services: Record<string, unknown> }).services.web).toEqual({ image: 'a', user: 'u' });
  });

  it('file: a service of another file, located in that file', () => {
    const p = loadFiles({
      'compose.yaml': 'services:\n  web:\n    extends:\n      file: lib/common.yaml\n      service: webapp\n    user: app\n',
      'lib/common.yaml': 'services:\n  webapp:\n    image: nginx\n    deploy:\n      replicas: 2\n',
    });
    expect(p.issues).toEqual([]);
    const r = rootRef(p.root!);
    expect((toPlain(p.root!) as { services: Record<string, unknown> }).services.web).toEqual({ image: 'nginx', deploy: { replicas: 2 }, user: 'app' });
    const replicas = at(r, 'services', 'web', 'deploy', 'replicas')!.node;
    expect(fileOf(replicas.loc)).toBe('lib/common.yaml');
    expect(pos(replicas.loc)).toEqual({ line: 5, column: 17, endLine: 5, endColumn: 18 });
    // the service itself is where it is written
    expect(fileOf(at(r, 'services', 'web')!.node.loc)).toBe('compose.yaml');
  });

  it('a schema finding about an inherited value points into the base file', () => {
    const r = lintExt({
      'compose.yaml': 'services:\n  web:\n    extends: {file: common.yaml, service: webapp}\n',
      'common.yaml': 'services:\n  webapp:\n    image: nginx\n    ports: {a: 1}\n',
    });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'schema', severity: 'error', file: 'common.yaml', line: 4, column: 12, endLine: 4, endColumn: 18, message: 'services.web.ports must be a list, not a mapping' },
    ]);
  });

  it('chains: a extends b extends c, across files', () => {
    const p = loadFiles({
      'compose.yaml': 'services:\n  a:\n    extends: b\n    user: a\n  b:\n    extends: {file: c.yaml, service: c}\n    hostname: b\n',
      'c.yaml': 'services:\n  c:\n    image: c\n    user: c\n    hostname: c\n    labels: {from: c}\n',
    });
    expect(p.issues).toEqual([]);
    const svcs = (toPlain(p.root!) as { services: Record<string, unknown> }).services;
    expect(svcs.a).toEqual({ image: 'c', user: 'a', hostname: 'b', labels: { from: 'c' } });
    expect(svcs.b).toEqual({ image: 'c', user: 'c', hostname: 'b', labels: { from: 'c' } });
  });

  it('a cycle is one finding at the extends that closes it, not a hang', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: c\n  c:\n    extends: a\n' });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 4, column: 5, endLine: 4, endColumn: 12, message: 'extends forms a cycle: a -> b -> c -> a' },
    ]);
    expect(r.findings[0]!.service).toBe('a');
    expect(r.findings[0]!.path).toBe('services.a.extends');
    // every service is still in the model
    expect(r.stack?.services.map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('a service extending itself is a cycle', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  a:\n    image: x\n    extends: a\n' });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 4, column: 5, endLine: 4, endColumn: 12, message: 'extends forms a cycle: a -> a' },
    ]);
  });

  it('a cycle across two files', () => {
    const r = lintExt({
      'compose.yaml': 'services:\n  a:\n    image: x\n    extends: {file: other.yaml, service: b}\n',
      'other.yaml': 'services:\n  b:\n    extends: {file: compose.yaml, service: a}\n',
    });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 4, column: 5, endLine: 4, endColumn: 12, message: 'extends forms a cycle: a -> b -> a' },
    ]);
  });

  it('a missing service is a finding at the name', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  web:\n    image: a\n    extends: nope\n' });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 4, column: 14, endLine: 4, endColumn: 18, message: 'service "web" extends "nope", which is not defined in this file' },
    ]);
    expect([r.findings[0]!.service, r.findings[0]!.path]).toEqual(['web', 'services.web.extends']);
  });

  it('a missing service in another file names that file', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  web:\n    image: a\n    extends:\n      file: other.yaml\n      service: nope\n', 'other.yaml': 'services:\n  x:\n    image: x\n' });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 6, column: 16, endLine: 6, endColumn: 20, message: 'service "web" extends "nope", which is not defined in other.yaml' },
    ]);
  });

  it('a missing file is a finding at file:, not a crash or an exit', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  web:\n    image: a\n    extends:\n      file: missing.yaml\n      service: base\n' });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 5, column: 13, endLine: 5, endColumn: 25, message: 'extends.file "missing.yaml" cannot be read: no such file' },
    ]);
    expect(r.findings[0]!.path).toBe('services.web.extends.file');
    // the service is still linted, without extends
    expect(r.stack?.services.map((s) => s.name)).toEqual(['web']);
  });

  it('extends with no service name', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  web:\n    image: a\n    extends: {file: x.yaml}\n' });
    const ext = r.findings.filter((f) => f.ruleId === 'extends');
    expect(ext.map(brief)).toEqual([
      { ruleId: 'extends', severity: 'error', file: 'compose.yaml', line: 4, column: 5, endLine: 4, endColumn: 12, message: 'extends of service "web" names no service (expected extends: NAME or extends: {service: NAME, file: FILE})' },
    ]);
  });

  it('an extends file with a YAML error is one extends error saying where, without quoting the file', () => {
    const r = lintExt({ 'compose.yaml': 'services:\n  web:\n    extends: {file: bad.yaml, service: b}\n', 'bad.yaml': 'services:\n  b: [\n' });
    expect(r.findings.map((f) => [f.file, f.ruleId, f.line, f.column, f.message])).toEqual([
      ['compose.yaml', 'extends', 3, 21, 'extends.file "bad.yaml" is not a compose file: it does not parse as a YAML mapping (line 2, column 6); its content is not shown (lint it on its own to see why)'],
    ]);
  });

  it('the extended service keeps ports/volumes uniqueness and command replacement', () => {
    const p = loadFiles({
      'compose.yaml':
        'services:\n  base:\n    image: a\n    command: [a]\n    ports: ["80:80"]\n    volumes: ["d:/data"]\n  web:\n    extends: base\n    command: [b]\n    ports: ["80:80", "443:443"]\n    volumes: ["e:/data"]\n',
    });
    const svcs = (toPlain(p.root!) as { services: Record<string, LMap> }).services;
    expect(svcs.web).toEqual({ image: 'a', command: ['b'], ports: ['80:80', '443:443'], volumes: ['e:/data'] });
  });
});
