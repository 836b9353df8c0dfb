/**
 * The audit's reports, from the snapshots recorded on real engines: the human report (cluster,
 * nodes, services, capacity bars, summary) and the machine formats through the built CLI.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditSnapshot } from '../src/audit/audit.js';
import { formatAuditHuman } from '../src/format/audit-human.js';
import { assertBuilt, jsonFindings, repoRoot, runCli } from './helpers/cli.js';
import { node, recordedSnapshot, running, service, snapshot } from './helpers/swarm-snapshot.js';

const fixture = (name: string) => join(repoRoot, 'fixtures/audit', name);

describe('the human report', () => {
  it('groups the four-node findings by node and by service, and draws a capacity bar per node', () => {
    const text = formatAuditHuman(auditSnapshot(recordedSnapshot('multi-node')), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^Swarm audit of DOCKER_HOST=unix:\/\/\/tmp\/stackopt-swarm4-\w+\/m1\/docker\.sock$/);
    expect(lines[1]).toMatch(/^engine 20\.10\.\S+ · snapshot \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC · 4 nodes \(3 managers\) · 3 services$/);
    const section = (title: string) => {
      const start = lines.indexOf(title);
      expect(start, title).toBeGreaterThan(0);
      const end = lines.indexOf('', start);
      return lines.slice(start + 1, end);
    };
    const nodes = section('Nodes');
    expect(nodes.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual(['mgr-1', 'mgr-2', 'mgr-3', 'wrk-1']);
    expect(nodes.join('\n')).toMatch(/ {2}mgr-3 +manager \(unreachable\) · down · active · "heartbeat failure" · \d+ CPUs, [\d.]+ GiB\n {4}error +manager "mgr-3" is unreachable.*manager-quorum {2}\(ManagerStatus\.Reachability\)\n {4}error +node "mgr-3" \(manager\) is down.*node-availability {2}\(Status\.State\)/);
    expect(nodes.join('\n')).toMatch(/ {2}mgr-1 +manager \(leader\) · ready · active · .* {2}✔/);
    const services = section('Services');
    expect(services.filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'edge_nowhere replicated 0/1',
      'edge_pinned replicated 0/1',
      'edge_spread replicated 1/3',
    ]);
    expect(services.join('\n')).toMatch(/placement-unsatisfiable {2}\(Spec\.TaskTemplate\.Placement\.Constraints\[0\]\)/);
    const capacity = lines.slice(lines.findIndex((l) => l.startsWith('Capacity')));
    expect(capacity[0]).toBe("Capacity  reserved by running tasks, of each node's CPUs and memory");
    for (const n of ['mgr-1', 'mgr-2', 'mgr-3', 'wrk-1']) expect(capacity.join('\n')).toMatch(new RegExp(`\\n {2}${n} +cpu \\[[█░]{20}\\] +\\d+% .* mem \\[[█░]{20}\\] +\\d+% `));
    expect(capacity.join('\n')).toMatch(/mgr-3 .*\(down\)/);
    expect(capacity.join('\n')).toMatch(/wrk-1 .*\(drain\)/);
    expect(lines.at(-2)).toMatch(/^✖ \d+ problems \(\d+ errors, \d+ warnings(, \d+ info)?\): 2 on the cluster|^✖ \d+ problems \(\d+ errors, \d+ warnings(, \d+ info)?\): \d+ on 2 nodes, \d+ on 3 services$/);
  });

  it('fills the bars with what is reserved, and says when all is well', () => {
    const m = node({ hostname: 'm', role: 'manager', leader: true, cpus: 4, memoryGiB: 8 });
    const a = service({ name: 'a', replicas: 3, reserve: { cpus: 1, memory: 2 * 1024 ** 3 } });
    const result = auditSnapshot(snapshot({ nodes: [m], services: [a], tasks: running(a, [m], 3) }), { rules: [] });
    const text = formatAuditHuman(result, { color: false });
    expect(text).toMatch(/\n {2}m +cpu \[█{15}░{5}\] +75% {2}3 CPUs of 4 CPUs +mem \[█{15}░{5}\] +75% {2}6 GiB of 8 GiB +3 tasks\n/);
    expect(text).toMatch(/ {2}a +replicated 3\/3 · registry\.example\.com\/app:1\.0 +✔/);
    expect(text.trimEnd().split('\n').at(-1)).toBe('✔ no problems on 1 node and 1 service');
  });

  it('shows drift findings under their service, at file:line:col', () => {
    const result = auditSnapshot(recordedSnapshot('single-node'), { declaredFiles: [fixture('shop-stack.yml')] });
    expect(result.findings.filter((f) => f.ruleId === 'stack-drift')).toEqual([]);
    const text = formatAuditHuman(result, { color: true });
    expect(text).toContain('\u001b['); // colours when asked
  });
});

describe('the machine formats, replayed from a snapshot', () => {
  beforeAll(() => assertBuilt());

  it('json: one result per live object, every finding with rule, service and spec path', () => {
    const r = runCli(['audit', '--snapshot', fixture('multi-node.json'), '--format', 'json'], repoRoot);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { results: Array<{ file: string }> };
    expect(report.results.map((x) => x.file)).toEqual(expect.arrayContaining(['node mgr-3', 'node wrk-1', 'service edge_nowhere', 'service edge_pinned', 'service edge_spread']));
    const findings = jsonFindings(r);
    expect(findings.find((f) => f.ruleId === 'placement-unsatisfiable' && f.service === 'edge_nowhere')).toMatchObject({
      file: 'service edge_nowhere',
      path: 'services.edge_nowhere.deploy.placement.constraints[0]',
      line: 0,
      column: 0,
    });
  });

  it('every other format renders an audit', () => {
    for (const format of ['sarif', 'github', 'junit', 'codeclimate', 'compact', 'rdjson']) {
      const r = runCli(['audit', '--snapshot', fixture('single-node.json'), '--stack', 'shop', '--format', format], repoRoot);
      expect([format, r.status, r.stderr]).toEqual([format, 1, '']);
      expect(r.stdout).toContain('shop_hog');
    }
  });

  it('writes the report to --output-file and nothing to stdout', () => {
    const out = join(repoRoot, 'node_modules', '.cache-stackopt-audit-report.json');
    const r = runCli(['audit', '--snapshot', fixture('single-node.json'), '--format', 'json', '-o', out], repoRoot);
    expect([r.status, r.stdout, r.stderr]).toEqual([1, '', '']);
  });

  it('--help teaches: what is checked, how docker is reached, the labels, the exit codes, examples', () => {
    const r = runCli(['audit', '--help'], repoRoot);
    expect(r.status).toBe(0);
    for (const s of ['node-availability', 'manager-quorum', 'service-convergence', 'capacity-overcommit', 'placement-unsatisfiable', 'stack-drift', 'DOCKER_HOST', '--context', 'stackopt.sleep-policy.<key>', '--save-snapshot', '--snapshot', '--timeout', 'Exit status', 'Examples']) {
      expect(r.stdout).toContain(s);
    }
  });
});
