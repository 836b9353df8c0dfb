import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLiveStack } from '../src/audit/live-model.js';
import { fixProject } from '../src/fix/fix-project.js';
import { buildLedger, clusterFromSnapshot, fitLedger, monthlyCost, monthlyNodeCost } from '../src/fix/resource-ledger.js';
import { describeTotals, describeTotalsLine, sumResources } from '../src/model/resource-totals.js';
import { formatLedger } from '../src/format/resource-ledger.js';
import { repoRoot, tempProject } from './helpers/cli.js';
import { recordedSnapshot } from './helpers/swarm-snapshot.js';
import { cycle, profileOf } from './helpers/usage-profiles.js';

/** The ledger in process: the real fix loop on real files, the totals, profiles, fit on a recorded snapshot. */
const cleanups: Array<() => void> = [];
afterAll(() => cleanups.forEach((c) => c()));
function stackFile(text: string, name = 'stack.yml'): string {
  const p = tempProject({ [name]: text });
  cleanups.push(p.cleanup);
  return join(p.dir, name);
}

const M = 1024 ** 2;
const G = 1024 ** 3;

/** A service without limits (three replicas), one with everything, one with limits only, a global one. */
const STACK = readFileSync(join(repoRoot, 'fixtures', 'resources', 'stack.yml'), 'utf8');

describe('buildLedger', () => {
  it('rows as written and as fix makes them; totals are the sum of the rows and those of the fix summary', () => {
    const file = stackFile(STACK);
    const l = buildLedger({ files: [file], environment: {} });
    expect(l.rows.map((r) => r.service)).toEqual(['api', 'db', 'cache', 'agent']);
    const api = l.rows[0]!;
    expect(api.before).toMatchObject({ tasks: 3, replicas: 3, perTask: { reservedCpus: null, limitCpus: null, reservedMemory: null, limitMemory: null }, reservedCpus: 0, unlimited: true });
    // backend class, default preset: 2 CPUs / 2G limits, reservations a fifth and a half
    expect(api.after).toMatchObject({ tasks: 3, perTask: { reservedCpus: 0.4, limitCpus: 2, reservedMemory: G, limitMemory: 2 * G }, limitCpus: 6, limitMemory: 6 * G, unlimited: false });
    expect(l.rows[1]!.before).toEqual(l.rows[1]!.after);
    // a global service: one task per node, counted once without a node count
    // limits without reservations: fix leaves them
    expect(l.rows[2]!.before).toEqual(l.rows[2]!.after);
    expect(l.rows[3]!.after).toMatchObject({ global: true, replicas: null, tasks: 1, reservedMemory: 64 * M });
    expect(l.totals.after).toEqual(sumResources(l.rows.map((r) => r.after)));
    expect(l.totals.before).toEqual({ reservedCpus: 1.25, reservedMemory: 4 * G + 64 * M, limitCpus: 5.5, limitMemory: 9 * G + 128 * M, tasks: 6, unlimited: 1, global: 1 });
    expect(l.totals.after).toMatchObject({ reservedMemory: 7 * G + 64 * M, limitCpus: 11.5, limitMemory: 15 * G + 128 * M, tasks: 6, unlimited: 0 });
    expect(l.totals.after.reservedCpus).toBeCloseTo(2.45, 9);
    // the fix summary's totals are the same computation
    const fixed = fixProject({ files: [file], environment: {} });
    expect(fixed.resources).toEqual(l.totals);
    expect(describeTotals(fixed.resources.before, fixed.resources.after)).toBe(describeTotalsLine(l.totals.before, l.totals.after));
    expect(describeTotalsLine(l.totals.before, l.totals.after)).toBe(
      'reserved 1.25 → 2.45 CPUs (+96%) and 4.1 GiB → 7.1 GiB (+74%); limits 5.50 → 11.50 CPUs (+109%) and 9.1 GiB → 15.1 GiB (+66%) (6 tasks, replicas counted; 1 global service counted once (per node))',
    );
  });

  it('global services counted on the nodes given', () => {
    const l = buildLedger({ files: [stackFile(STACK)], environment: {}, nodes: 4 });
    expect(l.rows[3]!.after).toMatchObject({ tasks: 4, reservedCpus: 1, reservedMemory: 256 * M });
    expect(describeTotalsLine(l.totals.before, l.totals.after, l.count)).toContain('(9 tasks, replicas counted; 1 global service counted on 4 nodes)');
  });

  it('--preset changes what fix makes', () => {
    const small = buildLedger({ files: [stackFile(STACK)], environment: {}, settings: { 'resource-limits': { options: { preset: 'small' } } } });
    expect(small.rows[0]!.after.perTask).toEqual({ reservedCpus: 0.2, limitCpus: 1, reservedMemory: 512 * M, limitMemory: G });
  });

  it('observed p95 and peak per task from a profile (p95 never above the peak)', () => {
    const profile = profileOf({
      api: { stack: 'shop', cpu: cycle([0.1, 0.2, 0.5], 300), memory: cycle([300 * M, 310 * M, 400 * M], 300) },
      db: { stack: 'other', cpu: [1], memory: [G] },
      // the same name in two stacks: found only by the stack's name
      agent: { stack: 'shop', cpu: [0.01], memory: [20 * M] },
    });
    profile.services['other/agent'] = { ...profile.services['shop/agent']!, stack: 'other' };
    const l = buildLedger({ files: [stackFile(STACK)], environment: {}, usage: { profile, file: "u.json", stack: 'shop' } });
    const api = l.rows[0]!.observed!;
    expect(api.samples).toBe(300);
    expect(api.seconds).toBe(299 * 30);
    expect(api.memory.peak).toBe(400 * M);
    expect(api.memory.p95).toBe(400 * M);
    expect(api.cpu.peak).toBe(0.5);
    // db is in the profile under another stack only: with the stack named, fix does not size it from that entry, and the ledger shows none
    expect(l.rows[1]!.observed).toBeNull();
    expect(l.rows[2]!.observed).toBeNull();
    expect(l.rows[3]!.observed?.memory.peak).toBe(20 * M);
    const unnamed = buildLedger({ files: [stackFile(STACK)], environment: {}, usage: { profile, file: "u.json", stack: null } });
    expect(unnamed.rows[3]!.observed).toBeNull();
    // without a stack named, a name that one entry has is found, whatever its stack
    expect(unnamed.rows[1]!.observed?.samples).toBe(1);
  });

  it('a file that does not parse: an error naming where', () => {
    expect(() => buildLedger({ files: [stackFile('services:\n  api: [\n')], environment: {} })).toThrow(/stack\.yml:\d+:\d+: /);
  });
});

describe('fit on a recorded snapshot (fixtures/audit/single-node.json)', () => {
  // one usable node of 2 CPUs; the shop stack's web runs two tasks reserving 0.05 CPUs and 8 MiB each
  const facts = buildLiveStack(recordedSnapshot('single-node')).live!;
  const FILE = `services:
  web:
    image: nginx:1.27
    deploy:
      replicas: 2
      resources:
        limits: {cpus: '1', memory: 64M}
        reservations: {cpus: '0.975', memory: 32M}
`;

  it('the node less what other services reserve', () => {
    const other = clusterFromSnapshot(facts, new Set());
    expect(other.nodes).toHaveLength(1);
    expect(other.nodes[0]!.free.cpus).toBeCloseTo(1.9, 9);
    expect(other.nodes[0]!.free.memory).toBe(facts.nodes[0]!.memoryBytes - 16 * M);
    expect(other.size).toEqual({ cpus: 2, memory: facts.nodes[0]!.memoryBytes });
    // the stack's own tasks would be replaced, not added
    expect(clusterFromSnapshot(facts, new Set(['shop_web'])).nodes[0]!.free).toEqual({ cpus: 2, memory: facts.nodes[0]!.memoryBytes });
  });

  it('fits when the running web tasks are its own, not when they are another stack\'s', () => {
    const l = buildLedger({ files: [stackFile(FILE)], environment: {}, nodes: 1 });
    const own = fitLedger(l, clusterFromSnapshot(facts, new Set(['shop_web'])));
    expect(own.after).toMatchObject({ fits: true, unplaced: [], needed: { nodes: 1 } });
    const other = fitLedger(l, clusterFromSnapshot(facts, new Set()));
    expect(other.after).toMatchObject({ fits: false, unplaced: [{ service: 'web', count: 1 }], needed: { nodes: 1 } });
  });

  it('on nodes of a given size: how many, before and after fixing', () => {
    const l = buildLedger({ files: [stackFile(STACK)], environment: {}, nodes: 2 });
    const f = fitLedger(l, { kind: 'nodes', count: 2, size: { cpus: 2, memory: 8 * G } });
    // before: the agent (0.25 CPUs) on each node and db (1 CPU, 4G): fits on one
    expect(f.before).toMatchObject({ fits: true, needed: { nodes: 1 } });
    // after: db, then three api tasks of 0.4 CPUs and 1G: one beside db in the 0.75 CPUs left, two on the next
    expect(f.after).toMatchObject({ fits: true, needed: { nodes: 2 } });
    const tight = fitLedger(l, { kind: 'nodes', count: 1, size: { cpus: 2, memory: 8 * G } });
    expect(tight.after.fits).toBe(false);
    expect(tight.after.unplaced).toEqual([{ service: 'api', count: 2 }]);
  });

  it('a snapshot whose nodes take no tasks: does not fit, in words', () => {
    const l = buildLedger({ files: [stackFile(STACK)], environment: {} });
    const cluster = clusterFromSnapshot({ nodes: facts.nodes.map((n) => ({ ...n, availability: 'drain' })), tasks: [], serviceNames: new Map() }, new Set());
    expect(cluster.nodes).toEqual([]);
    const fit = fitLedger(l, cluster);
    expect(fit.after).toMatchObject({ fits: false, nodes: [] });
    const text = formatLedger('table', { version: '0', preset: 'default', usageFile: null, prices: null, cluster: { source: 'snapshot s.json', cluster }, stacks: [{ ledger: l, fit }] }, { color: false });
    expect(text).toContain('  after fix:  does not fit: no node takes tasks; needs 2 nodes of that size on its own\n');
  });
});

describe('prices', () => {
  it('730 hours a month', () => {
    expect(monthlyCost({ reservedCpus: 2, reservedMemory: 4 * G }, { cpuHour: 0.03, gibHour: 0.004 })).toBeCloseTo((2 * 0.03 + 4 * 0.004) * 730, 9);
    expect(monthlyNodeCost(3, { cpus: 4, memory: 16 * G }, { cpuHour: 0.01, gibHour: 0.001 })).toBeCloseTo(3 * (0.04 + 0.016) * 730, 9);
  });
});

