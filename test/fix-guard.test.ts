import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSharedFix, FixBuilder } from '../src/engine/fixer.js';
import { defineRule, type Rule } from '../src/engine/types.js';
import { child, keyLoc, scalarValue } from '../src/model/access.js';
import { blockedText, fixProject } from '../src/fix/fix-project.js';
import criticalSingleReplica from '../rules/critical-single-replica/index.js';
import resourceLimits from '../rules/resource-limits/index.js';

/**
 * The fixer's guard: after each pass the project may gain no error finding (of any rule, counted
 * per rule and service) it did not have. A fix that breaks that is rejected and the rest of its
 * pass is applied; a finding whose path moved because a fix added a block is the same finding.
 */
const dir = mkdtempSync(join(tmpdir(), 'stackopt-fix-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** A warning with a safe fix: every service gets the label `tier: edge`. */
const needsTier = defineRule({
  meta: { id: 'needs-tier', description: 'test rule', severity: 'warning', category: 'availability', fixable: 'safe', messages: { missing: 'service "{{service}}" has no tier label' } },
  create(ctx) {
    return {
      service(svc) {
        if (svc.labels.has('tier')) return;
        ctx.report({
          messageId: 'missing',
          data: { service: svc.name },
          at: svc.ref,
          loc: keyLoc(svc.ref),
          service: svc,
          fix: () => buildSharedFix(ctx.stack, svc, (s) => new FixBuilder('added label tier: edge').add(s.ref, ['labels', 'tier'], 'edge')),
        });
      },
    };
  },
});

/** An error: a database on the edge tier. */
const noEdgeDatabase = defineRule({
  meta: { id: 'no-edge-database', description: 'test rule', severity: 'error', category: 'availability', messages: { edge: 'service "{{service}}" runs a database on the edge tier' } },
  create(ctx) {
    return {
      service(svc) {
        const image = String(scalarValue(child(svc.ref, 'image')) ?? '');
        if (!image.startsWith('postgres') || svc.labels.get('tier')?.value !== 'edge') return;
        ctx.report({ messageId: 'edge', data: { service: svc.name }, at: svc.ref, loc: keyLoc(svc.ref), service: svc });
      },
    };
  },
});

const rules: Rule[] = [needsTier as Rule, noEdgeDatabase as Rule];

describe('the fix guard', () => {
  const input = '# the shop\nservices:\n  api:\n    image: myorg/api:1\n  db:\n    image: postgres:16\n  web:\n    image: myorg/web:1\n';
  const file = write('compose.yaml', input);

  it('rejects the fix that adds an error finding and applies the rest of its pass', () => {
    const r = fixProject({ files: [file], environment: {}, rules });
    expect(r.files[0]!.output).toBe(
      '# the shop\nservices:\n  api:\n    image: myorg/api:1\n    labels:\n      tier: edge\n  db:\n    image: postgres:16\n  web:\n    image: myorg/web:1\n    labels:\n      tier: edge\n',
    );
    expect(r.applied.map((a) => [a.ruleId, a.service, a.pass])).toEqual([
      ['needs-tier', 'api', 1],
      ['needs-tier', 'web', 1],
    ]);
    expect(r.dropped).toEqual([
      {
        pass: 1,
        fixes: [{ ruleId: 'needs-tier', service: 'db', description: 'added label tier: edge' }],
        problems: [`no-edge-database: ${r.file}:5:3: service "db" runs a database on the edge tier`],
      },
    ]);
    const left = r.left.find((l) => l.finding.service === 'db')!;
    expect(left.reason).toBe('rejected');
    expect(left.why).toBe(`fix rejected: it would make the file worse: no-edge-database: ${r.file}:5:3: service "db" runs a database on the edge tier`);
    expect(r.after.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('fixing the output again changes nothing, and rejects the same fix again', () => {
    const first = fixProject({ files: [file], environment: {}, rules });
    const out = first.files[0]!.output;
    const again = fixProject({ files: [file], environment: {}, rules, readText: () => out });
    expect(again.files[0]!.output).toBe(out);
    expect(again.applied).toEqual([]);
    expect(again.dropped.map((d) => d.fixes.map((f) => f.service))).toEqual([['db']]);
  });

  it('a finding whose path moved because a fix added its block is the same finding', () => {
    // the stateful database keeps its critical-single-replica error (at the service, then at the
    // deploy key resource-limits adds): the resource fix is not rejected for that
    const db = write('db.yaml', 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n');
    const r = fixProject({ files: [db], environment: {}, rules: [criticalSingleReplica as Rule, resourceLimits as Rule] });
    expect(r.dropped).toEqual([]);
    expect(r.applied.map((a) => a.ruleId)).toEqual(['resource-limits']);
    const before = r.before.find((f) => f.ruleId === 'critical-single-replica')!;
    const after = r.after.find((f) => f.ruleId === 'critical-single-replica')!;
    expect([before.path, before.line, before.column]).toEqual(['services.db', 2, 3]);
    expect([after.path, after.line, after.column]).toEqual(['services.db.deploy', 6, 5]);
  });
});

describe('a fix every link of an extends chain would inherit', () => {
  it('is made at the chain\'s root only, in one check: fixed on every link, link i held the items of all its bases (n²/2), and the checks halved the fixes for minutes', async () => {
    const { default: noNewPrivileges } = await import('../rules/no-new-privileges/index.js');
    let lints = 0;
    const counter = defineRule({
      meta: { id: 'lint-counter', description: 'test rule', severity: 'info', category: 'availability', messages: { x: 'x' } },
      create() {
        lints++;
        return {};
      },
    });
    const n = 300;
    let text = 'services:\n';
    for (let i = 0; i < n; i++) text += `  s${i}:\n    image: x:1\n${i < n - 1 ? `    extends: s${i + 1}\n` : ''}`;
    const r = fixProject({ files: [write('chain.yml', text)], environment: {}, rules: [noNewPrivileges, counter] });
    expect(r.applied.map((a) => `${a.ruleId} ${a.service}`)).toEqual([`no-new-privileges s${n - 1}`]);
    expect(r.after.filter((f) => f.ruleId === 'no-new-privileges')).toEqual([]);
    // the input's lint and one check of the pass
    expect(lints).toBe(2);
    expect(r.files[0]!.output.match(/no-new-privileges:true/g)).toHaveLength(1);
  });
});

describe('a project that cannot be fixed at all', () => {
  it('says why as a kind and a message: a yaml error, lone CR line ends', () => {
    const parse = fixProject({ files: [write('blocked-parse.yaml', 'services: [\n')] }).blocked!;
    expect(parse.kind).toBe('parse');
    expect(parse.message).toMatch(/blocked-parse\.yaml:1:11: /);
    expect(blockedText(parse)).toBe(parse.message);
    // a file without a document is a yaml-syntax error too
    expect(fixProject({ files: [write('blocked-empty.yaml', '# nothing\n')] }).blocked!.kind).toBe('parse');
    const cr = fixProject({ files: [write('blocked-cr.yaml', 'services:\r  web:\r    image: nginx:1.27\r')] }).blocked!;
    expect(cr.kind).toBe('line-ends');
    expect(cr.message).toMatch(/^.*blocked-cr\.yaml's lines end in a lone CR/);
    expect(blockedText(cr)).toBe(`line ends: ${cr.message}`);
    expect(fixProject({ files: [write('blocked-none.yaml', 'services:\n  web:\n    image: nginx:1.27\n')] }).blocked).toBeNull();
  });
});
