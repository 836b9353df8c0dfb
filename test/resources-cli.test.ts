import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot, runCli, tempProject, tempProjects } from './helpers/cli.js';
import { cycle, profileOf } from './helpers/usage-profiles.js';

/**
 * `stackopt resources` end to end through `node bin/stackopt.js` (run `npm run build` first): exact
 * totals, totals equal to the sum of their rows in every format, the JSON schema, fit on nodes and
 * on a recorded snapshot, the corpus and the seed examples, and bad input.
 */
beforeAll(assertBuilt);
// each test waits on the CLI synchronously: give the worker's event loop a turn between tests, so
// that its messages to the test runner are answered on a busy machine
afterEach(() => new Promise<void>((done) => setImmediate(done)));

const M = 1024 ** 2;
const G = 1024 ** 3;

/** A service without limits (three replicas), one with everything, one with limits only, a global one. */
const STACK = readFileSync(join(repoRoot, 'fixtures', 'resources', 'stack.yml'), 'utf8');

const project = tempProjects();

const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'resources.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/**
 * The after value of a `before → after` cell (`1.5 GiB`, `512 MiB`, `0` → bytes; `0.40` → CPUs), and
 * how far the figure shown may be from the true one (half its last digit).
 */
function afterValue(cell: string): { value: number; error: number } {
  const v = (cell.includes('\u2192') ? cell.split('\u2192')[1]! : cell).replace(/\*/g, '').trim();
  if (v === 'none') return { value: 0, error: 0 };
  const m = /^(\d+)(?:\.(\d+))?(?: (KiB|MiB|GiB|TiB))?$/.exec(v);
  if (!m) throw new Error(`not a figure: ${JSON.stringify(cell)}`);
  const unit = m[3] ? ({ KiB: 1024, MiB: M, GiB: G, TiB: 1024 * G } as Record<string, number>)[m[3]]! : 1;
  // memory is shown with one decimal at most, CPUs with two
  const decimals = m[3] ? 1 : 2;
  return { value: Number(`${m[1]}.${m[2] ?? '0'}`) * unit, error: (0.5 * unit) / 10 ** decimals };
}

/** RFC 4180 records (quoted fields with doubled quotes, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  expect(field).toBe('');
  return rows;
}

const FIGURES = ['reservedCpus', 'limitCpus', 'reservedMemory', 'limitMemory'] as const;

/** Every stack's total (and the grand total) is the sum of its rows, in the JSON document. */
function expectJsonSums(doc: any): void {
  expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  const grand = { before: { tasks: 0, reservedCpus: 0, limitCpus: 0, reservedMemory: 0, limitMemory: 0 }, after: { tasks: 0, reservedCpus: 0, limitCpus: 0, reservedMemory: 0, limitMemory: 0 } };
  for (const s of doc.stacks) {
    for (const side of ['before', 'after'] as const) {
      for (const k of [...FIGURES, 'tasks'] as const) {
        const sum = s.services.reduce((n: number, r: any) => n + r[side][k], 0);
        expect(s.totals[side][k], `${s.file} ${side} ${k}`).toBeCloseTo(sum, 5);
        grand[side][k] += s.totals[side][k];
      }
      for (const r of s.services) for (const k of FIGURES) expect(r[side][k]).toBeCloseTo((r[side].perTask[k] ?? 0) * r[side].tasks, 5);
    }
  }
  for (const side of ['before', 'after'] as const) for (const k of [...FIGURES, 'tasks'] as const) expect(doc.totals[side][k]).toBeCloseTo(grand[side][k], 5);
}

/** The stack totals of a CSV report are the sums of their service rows. */
function expectCsvSums(text: string): void {
  const [head, ...rows] = parseCsv(text);
  const col = (name: string) => head!.indexOf(name);
  const figures = head!.filter((h) => /_(before|after)$/.test(h) && !h.startsWith('cost'));
  expect(figures.length).toBe(10);
  let services: string[][] = [];
  const stackTotals: string[][] = [];
  for (const r of rows) {
    expect(r).toHaveLength(head!.length);
    if (r[0] === 'service') services.push(r);
    else if (r[0] === 'stack total') {
      for (const f of [...figures, ...head!.filter((h) => h.startsWith('cost_month'))]) {
        const sum = services.reduce((n, s) => n + Number(s[col(f)]), 0);
        expect(Number(r[col(f)]), `${r[1]} ${f}`).toBeCloseTo(sum, f.startsWith('cost') ? 1 : 5);
      }
      stackTotals.push(r);
      services = [];
    } else {
      expect(r[0]).toBe('total');
      for (const f of figures) expect(Number(r[col(f)])).toBeCloseTo(stackTotals.reduce((n, s) => n + Number(s[col(f)]), 0), 5);
    }
  }
  expect(services).toEqual([]);
  // a sum over no rows holds too: at least one stack must have been checked
  expect(stackTotals.length).toBeGreaterThan(0);
}

/**
 * A table (rows of cells) whose total row is the sum of its rows, figure by figure: exactly, up to
 * the rounding of the figures shown (the JSON and CSV forms carry the exact numbers).
 */
function expectTableSums(rows: string[][], firstFigure: number): void {
  const total = rows.findIndex((r) => /^(\*\*)?total(\*\*)?$/.test(r[0]!));
  expect(total).toBeGreaterThan(0);
  for (let c = firstFigure; c < firstFigure + 4; c++) {
    const cells = rows.slice(0, total).map((r) => afterValue(r[c]!));
    const shown = afterValue(rows[total]![c]!);
    const sum = cells.reduce((n, x) => n + x.value, 0);
    const error = cells.reduce((n, x) => n + x.error, shown.error);
    expect(Math.abs(shown.value - sum), `column ${c}: ${rows[total]![c]} vs ${sum}`).toBeLessThanOrEqual(error + 1e-9);
  }
}

describe('stackopt resources', () => {
  it('each file is sized with its nearest .stackopt.yaml, as lint and fix do; --config applies one to all', () => {
    const p = project({ '.git/HEAD': 'ref: refs/heads/main\n', 'stack.yml': STACK, 'svc/stack.yml': STACK, 'svc/.stackopt.yaml': 'sizing:\n  preset: small\n' });
    const nested = runCli(['resources', 'svc/stack.yml'], p.dir);
    expect(nested.stderr).toBe('');
    expect(nested.stdout.split('\n')[0]).toBe('4 services in 1 stack, sized by fix with preset "small"');
    const root = runCli(['resources', 'stack.yml'], p.dir);
    expect(root.stdout.split('\n')[0]).toBe('4 services in 1 stack, sized by fix with preset "default"');
    // the small preset sizes smaller than the default one
    const limitTotal = (out: string) => /^total .*$/m.exec(out)![0];
    expect(limitTotal(nested.stdout)).not.toBe(limitTotal(root.stdout));
    const forced = runCli(['resources', 'svc/stack.yml', '-c', 'svc/.stackopt.yaml'], p.dir);
    expect(forced.stdout).toBe(nested.stdout);
  });

  it('table: per service as written and as fix makes them, exact totals', () => {
    const p = project({ 'stack.yml': STACK });
    const r = runCli(['resources', 'stack.yml'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        '4 services in 1 stack, sized by fix with preset "default"',
        '',
        'stack.yml (swarm; fix would make 3 changes)',
        'service  tasks   CPU reserved     CPU limit    memory reserved        memory limit',
        'api      3        none → 1.20   none → 6.00       none → 3 GiB        none → 6 GiB',
        'db       1               1.00          4.00              4 GiB               8 GiB',
        'cache    1               none          1.00               none               1 GiB',
        'agent    1/node          0.25          0.50             64 MiB             128 MiB',
        'total    6        1.25 → 2.45  5.50 → 11.50  4.1 GiB → 7.1 GiB  9.1 GiB → 15.1 GiB',
        'change                   +96%         +109%               +74%                +66%',
        'total: reserved 1.25 → 2.45 CPUs (+96%) and 4.1 GiB → 7.1 GiB (+74%); limits 5.50 → 11.50 CPUs (+109%) and 9.1 GiB → 15.1 GiB (+66%) (6 tasks, replicas counted; 1 global service counted once (per node))',
        '',
        'Figures are per service, over all its tasks (per task × replicas); "none": not set.',
        'Global services run one task per node: counted once (1/node); give --nodes to count them per node.',
        '',
      ].join('\n'),
    );
    // no colour codes when the output is not a terminal; FORCE_COLOR turns them on
    expect(r.stdout).not.toContain('\u001b[');
    expect(runCli(['resources', 'stack.yml'], p.dir, { NO_COLOR: '', FORCE_COLOR: '1' }).stdout).toContain('\u001b[1m');
    // the total row of every table is the sum of its rows
    const lines = r.stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('service'));
    expectTableSums(lines.slice(start + 1, start + 6).map((l) => l.split(/ {2,}/)), 2);
  });

  it('fix prints the ledger\'s total line', () => {
    const p = project({ 'stack.yml': STACK });
    const ledger = runCli(['resources', 'stack.yml'], p.dir).stdout.split('\n').find((l) => l.startsWith('total: '))!;
    const fix = runCli(['fix', 'stack.yml', '--check'], p.dir).stdout.split('\n').find((l) => l.startsWith('  resources  '))!;
    expect(fix.replace('  resources  ', '')).toBe(ledger.replace('total: ', ''));
  });

  it('--nodes counts global services on each node; with sizes, whether it fits and on how many nodes, and the cost', () => {
    const p = project({ 'stack.yml': STACK });
    const r = runCli(['resources', 'stack.yml', '--nodes', '2', '--node-cpus', '2', '--node-memory', '8G', '--price-cpu-hour', '0.02', '--price-gib-hour', '0.005'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('agent    2 (global)');
    expect(r.stdout).toContain('(7 tasks, replicas counted; 1 global service counted on 2 nodes)');
    // before: db and the agent on one node; after: the agent on each, db (1 CPU) first, then one api
    // task (0.4) beside it in the 0.75 CPUs left, the other two on a second node
    expect(r.stdout).toContain('nodes: 2 nodes of 2.00 CPUs and 8 GiB\n');
    expect(r.stdout).toContain('  before fix: fits on the 2 nodes; needs 1 node of that size on its own (58.40 a month)\n');
    expect(r.stdout).toContain('  after fix:  fits on the 2 nodes; needs 2 nodes of that size on its own (116.80 a month)\n');
    expect(r.stdout).toMatch(/^total +7 +1\.50 → 2\.70 +6\.00 → 12\.00 +4\.1 GiB → 7\.1 GiB +9\.3 GiB → 15\.3 GiB +36\.96 → 65\.43$/m);
    // cost column: reservations × prices × 730 h; db: (1 × 0.02 + 4 × 0.005) × 730 = 29.20
    expect(r.stdout).toMatch(/^db .* 29\.20$/m);
    const one = runCli(['resources', 'stack.yml', '--nodes', '1', '--node-cpus', '2', '--node-memory', '8G'], p.dir);
    expect(one.stdout).toContain('  after fix:  does not fit: 2 tasks of api would find no node with the reservations free; needs 2 nodes of that size on its own\n');
    const tiny = runCli(['resources', 'stack.yml', '--node-cpus', '0.5', '--node-memory', '8G'], p.dir);
    expect(tiny.stdout).toContain('  before fix: no node of that size holds a task of db (reserves 1.00 CPUs and 4 GiB)\n');
  });

  it('--usage: observed p95 and peak per task', () => {
    const profile = profileOf({
      api: { stack: 'shop', cpu: cycle([0.1, 0.2, 0.3], 600), memory: cycle([300 * M, 350 * M, 380 * M], 600) },
      db: { stack: 'shop', cpu: cycle([0.5, 0.9], 600), memory: cycle([2 * G, 3 * G], 600) },
    });
    const p = project({ 'stack.yml': STACK, 'usage.json': JSON.stringify(profile) });
    const r = runCli(['resources', 'stack.yml', '--usage', 'usage.json', '--stack', 'shop'], p.dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^service .*CPU p95\/peak +memory p95\/peak$/m);
    expect(r.stdout).toMatch(/^api .* 0\.30 \/ 0\.30 +380 MiB \/ 380 MiB$/m);
    expect(r.stdout).toMatch(/^db .* 0\.90 \/ 0\.90 +3 GiB \/ 3 GiB$/m);
    expect(r.stdout).toMatch(/^cache .* — +—$/m);
    const doc = JSON.parse(runCli(['resources', 'stack.yml', '--usage', 'usage.json', '--stack', 'shop', '--format', 'json'], p.dir).stdout);
    expectJsonSums(doc);
    expect(doc.stacks[0].services[0].observed).toEqual({ samples: 600, seconds: 599 * 30, cpu: { p95: 0.3, peak: 0.3 }, memory: { p95: 380 * M, peak: 380 * M } });
    expect(doc.usage).toBe('usage.json');
  });

  it('json: the schema, exact totals, and totals equal to the sum of the rows', () => {
    const p = project({ 'stack.yml': STACK });
    const r = runCli(['resources', 'stack.yml', '--format', 'json', '--nodes', '3', '--node-cpus', '4', '--node-memory', '16G', '--price-cpu-hour', '0.03', '--price-gib-hour', '0.004'], p.dir);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectJsonSums(doc);
    // the agent on 3 nodes; api gets 3 × (0.4 CPUs, 1G) reserved and 3 × (2 CPUs, 2G) limits
    expect(doc.totals.before).toEqual({ tasks: 8, unlimited: 1, global: 1, reservedCpus: 1.75, limitCpus: 6.5, reservedMemory: 4 * G + 192 * M, limitMemory: 9 * G + 384 * M });
    expect(doc.totals.after).toEqual({ tasks: 8, unlimited: 0, global: 1, reservedCpus: 2.95, limitCpus: 12.5, reservedMemory: 7 * G + 192 * M, limitMemory: 15 * G + 384 * M });
    expect(doc.totals.change.relative.reservedCpus).toBeCloseTo(1.2 / 1.75, 6);
    expect(doc.nodes).toEqual({ source: 'given', count: 3, size: { cpus: 4, memory: 16 * G } });
    expect(doc.stacks[0].fit).toEqual({ before: { fits: true, unplaced: [], nodesNeeded: 1 }, after: { fits: true, unplaced: [], nodesNeeded: 1 } });
    expect(doc.stacks[0].totals.monthlyCost).toEqual({ before: Math.round((1.75 * 0.03 + (4 + 192 / 1024) * 0.004) * 730 * 100) / 100, after: Math.round((2.95 * 0.03 + (7 + 192 / 1024) * 0.004) * 730 * 100) / 100 });
    // a broken document is refused
    doc.stacks[0].services[0].after.tasks = -1;
    expect(validate(doc)).toBe(false);
  });

  it('markdown: a heading, the totals first, a collapsible table per stack whose total is the sum of its rows', () => {
    const p = project({ 'stack.yml': STACK, 'more/compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n' });
    const r = runCli(['resources', 'stack.yml', 'more', '--format', 'markdown', '--price-cpu-hour', '0.03'], p.dir);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out.startsWith('## Resources before and after `stackopt fix`\n')).toBe(true);
    expect(out.indexOf('| CPU reserved |')).toBeLessThan(out.indexOf('<details>'));
    expect(out.match(/<details><summary>/g)).toHaveLength(2);
    expect(out.match(/<\/details>/g)).toHaveLength(2);
    // the totals table: the sum of the two stacks
    // nginx: proxy class, 0.2 CPUs and 256M reserved per task, two tasks
    expect(out).toContain('| memory reserved | 4.1 GiB | 7.6 GiB | +86% |');
    expect(out).toContain('| tasks | 8 | 8 |  |');
    for (const block of out.split('<details>').slice(1)) {
      const rows = block
        .split('\n')
        .filter((l) => l.startsWith('| ') && !l.startsWith('| service') && !l.startsWith('| ---'))
        .map((l) => l.slice(2, -2).split(' | '));
      expectTableSums(rows, 2);
    }
  });

  it('csv: RFC 4180, one row per service, stack totals and the grand total equal the sums', () => {
    const p = project({ 'a,b.yml': STACK, 'more/compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n' });
    const r = runCli(['resources', 'a,b.yml', 'more/compose.yaml', '--format', 'csv', '--price-gib-hour', '0.01'], p.dir);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\r\n')[0]).toBe(
      'row,file,service,mode,tasks_before,tasks_after,cpu_reserved_before,cpu_reserved_after,cpu_limit_before,cpu_limit_after,memory_reserved_bytes_before,memory_reserved_bytes_after,memory_limit_bytes_before,memory_limit_bytes_after,cost_month_before,cost_month_after',
    );
    expect(r.stdout).toContain(`\r\nservice,"a,b.yml",db,replicated,1,1,1,1,4,4,${4 * G},${4 * G},${8 * G},${8 * G},29.2,29.2\r\n`);
    expectCsvSums(r.stdout);
    expect(parseCsv(r.stdout).at(-1)![0]).toBe('total');
  });

  it('csv: a name a spreadsheet would run as a formula is kept as text', () => {
    const p = project({ '=HYPERLINK("x").yml': 'services:\n  -cmd:\n    image: nginx:1.27\n' });
    const r = runCli(['resources', '=HYPERLINK("x").yml', '--format', 'csv'], p.dir);
    expect(r.status).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows.slice(1).map((row) => [row[0], row[1], row[2]])).toEqual([
      ['service', `'=HYPERLINK("x").yml`, `'-cmd`],
      ['stack total', `'=HYPERLINK("x").yml`, ''],
    ]);
    expect(r.stdout).toContain(`\r\nservice,"'=HYPERLINK(""x"").yml",'-cmd,`);
    expectCsvSums(r.stdout);
  });

  it('--check-fit: exit 1 naming the stack that does not fit as written, 0 when it fits, 2 without nodes', () => {
    const p = project({ 'stack.yml': "services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 3\n      resources:\n        reservations: {cpus: '2', memory: 1G}\n" });
    const nodes = (n: string) => ['--nodes', n, '--node-cpus', '2', '--node-memory', '4G', '--check-fit'];
    const unfit = runCli(['resources', 'stack.yml', ...nodes('2')], p.dir);
    expect(unfit.status).toBe(1);
    expect(unfit.stderr).toBe('stackopt: stack.yml does not fit: 1 task of web would find no node with the reservations free\n');
    expect(unfit.stdout).toContain('  before fix: does not fit: 1 task of web would find no node with the reservations free');
    const fits = runCli(['resources', 'stack.yml', ...nodes('3'), '--format', 'json'], p.dir);
    expect(fits.status).toBe(0);
    expect(fits.stderr).toBe('');
    expect(JSON.parse(fits.stdout).stacks[0].fit.before.fits).toBe(true);
    const none = runCli(['resources', 'stack.yml', '--check-fit'], p.dir);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('stackopt: --check-fit needs the nodes to fit on: --nodes with --node-cpus and --node-memory, or --snapshot\n');
  });

  it('fit on a recorded snapshot: the stack\'s own running tasks are replaced, other services\' are not', () => {
    const p = project({
      'stack.yml': "services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n      resources:\n        limits: {cpus: '1', memory: 64M}\n        reservations: {cpus: '0.975', memory: 32M}\n",
    });
    const snap = join(repoRoot, 'fixtures', 'audit', 'single-node.json');
    const own = runCli(['resources', 'stack.yml', '--snapshot', snap, '--stack', 'shop'], p.dir);
    expect(own.status).toBe(0);
    expect(own.stdout).toContain(`nodes: 1 usable node of snapshot ${snap} (what other services reserve left out); new nodes of 2.00 CPUs and 23.5 GiB\n`);
    expect(own.stdout).toContain('  after fix:  fits on the 1 node; needs 1 node of that size on its own\n');
    const other = runCli(['resources', 'stack.yml', '--snapshot', snap], p.dir);
    expect(other.stdout).toContain('  after fix:  does not fit: 1 task of web would find no node with the reservations free; needs 1 node of that size on its own\n');
    const multi = JSON.parse(runCli(['resources', 'stack.yml', '--snapshot', join(repoRoot, 'fixtures', 'audit', 'multi-node.json'), '--format', 'json'], p.dir).stdout);
    expectJsonSums(multi);
    // two of the four nodes take tasks (one is down, one drained)
    expect(multi.nodes.count).toBe(2);
    expect(multi.stacks[0].fit.after).toEqual({ fits: true, unplaced: [], nodesNeeded: 1 });
  });

  // one CLI run a test: each takes seconds on a busy machine
  const seeds = () => readdirSync(join(repoRoot, 'fixtures', 'seed-examples')).filter((f) => f.endsWith('.yml')).map((f) => join(repoRoot, 'fixtures', 'seed-examples', f));
  const sets = { 'the corpus': () => [join(repoRoot, 'fixtures', 'corpus')], 'the seed examples': seeds };
  for (const [name, paths] of Object.entries(sets)) {
    it(`${name}: a valid JSON document whose totals are the sums of the rows`, () => {
      const r = runCli(['resources', ...paths(), '--format', 'json', '--nodes', '3', '--node-cpus', '8', '--node-memory', '32G'], repoRoot);
      // the corpus holds an empty file: reported in one line, the others are still shown
      for (const line of r.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^stackopt: /);
      expect(r.status).toBe(name === 'the corpus' ? 2 : 0);
      const doc = JSON.parse(r.stdout);
      expect(doc.stacks.length).toBeGreaterThan(name === 'the corpus' ? 40 : 9);
      expectJsonSums(doc);
    });
    it(`${name}: CSV totals are the sums of the rows`, () => {
      expectCsvSums(runCli(['resources', ...paths(), '--format', 'csv'], repoRoot).stdout);
    });
  }
});

describe('stackopt resources: bad input is one line and exit 2', () => {
  const p = project({ 'stack.yml': STACK, 'bad.json': '{\n  "format": "stackopt-usage/1",\n  "services": {,\n}\n', 'snap.json': '{"format": "x"}' });
  it.each([
    [['--format', 'xml'], 'unknown format "xml"; choose one of table, json, markdown, csv'],
    [['--nodes', 'three'], '--nodes takes a whole number of nodes from 1 to 100000, not "three"'],
    [['--nodes', '0'], '--nodes takes a whole number of nodes from 1 to 100000, not "0"'],
    [['--node-cpus', '-2', '--node-memory', '8G'], '--node-cpus takes the CPUs of one node, a number above 0 such as 4 or 0.5, not "-2"'],
    [['--node-cpus', '4', '--node-memory', '8 bananas'], '--node-memory takes the memory of one node, a size such as 16G or 512M, not "8 bananas"'],
    [['--node-cpus', '4'], '--node-cpus needs --node-memory too: a node\'s size is its CPUs and its memory'],
    [['--price-cpu-hour', '1e3'], '--price-cpu-hour takes a price per hour, a number 0 or more such as 0.035, not "1e3"'],
    [['--snapshot', 'snap.json', '--nodes', '2'], '--snapshot gives the nodes and their sizes; it cannot be combined with --nodes, --node-cpus or --node-memory'],
    [['--preset', 'huge'], 'unknown preset "huge"; choose one of edge, small, default, large'],
    [['--usage', 'bad.json'], 'bad.json:3:16: the usage profile is not valid JSON (unexpected ",")'],
    [['--usage', 'missing.json'], 'cannot read usage profile missing.json: no such file'],
    [['--snapshot', 'snap.json'], 'snap.json is not a stackopt swarm snapshot: "format" is "x"'],
  ])('%j', (args, message) => {
    const r = runCli(['resources', 'stack.yml', ...args], p.dir);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`stackopt: ${message}`);
  });

  it('a file that does not parse: its position, exit 2, the other files still shown', () => {
    const q = project({ 'stack.yml': STACK, 'broken/compose.yaml': 'services:\n  api: [\n' });
    const r = runCli(['resources', 'stack.yml', 'broken/compose.yaml'], q.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stackopt: broken\/compose\.yaml:\d+:\d+: .+\n$/);
    expect(r.stdout).toContain('stack.yml (swarm; fix would make 3 changes)');
  });
});
