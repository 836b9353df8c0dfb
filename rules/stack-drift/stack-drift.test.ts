import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DeclaredStackError } from '../../src/audit/audit.js';
import { audit, recordedSnapshot, service, snapshot, node } from '../../test/helpers/swarm-snapshot.js';
import { normaliseImage } from './index.js';

const ID = 'stack-drift';
const STACK = join(import.meta.dirname, '../../fixtures/audit/shop-stack.yml');
const original = readFileSync(STACK, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'stackopt-drift-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function drift(text: string, opts: { stack?: string; services?: string[] } = {}) {
  const file = join(dir, 'stack.yml');
  writeFileSync(file, text);
  const result = audit(recordedSnapshot('single-node'), { declaredFiles: [file], ...opts });
  const lines = text.split('\n');
  return result.findings
    .filter((f) => f.ruleId === ID)
    .map((f) => ({ severity: f.severity, service: f.service, at: `${f.line}:${f.column}`, text: lines[f.line - 1]?.trim(), message: f.message.replace(/;.*$/, '') }));
}

describe(ID, () => {
  it('finds no drift between the recorded swarm and the file it was deployed from', () => {
    expect(drift(original, { stack: 'shop' })).toEqual([]);
    expect(drift(original)).toEqual([]); // the stack name is found from the service names
  });

  it('points at each declared value that differs from what runs', () => {
    const changed = original
      .replace('      replicas: 2\n', '      replicas: 4\n')
      .replace('limits: {cpus: "0.25", memory: 32M}\n        reservations: {cpus: "0.05", memory: 8M}', 'limits: {cpus: "0.5", memory: 32M}\n        reservations: {cpus: "0.05", memory: 16M}')
      .replace('    interval: 10s', '    interval: 1m30s')
      .replace('  crash:\n    image: local/busybox:1', '  crash:\n    image: local/busybox:2')
      .replace('    user: "0:0"', '    user: "1000"');
    expect(drift(changed)).toEqual([
      { severity: 'warning', service: 'shop_gateway', at: '10:15', text: 'interval: 1m30s', message: 'service "shop_gateway": the stack file declares healthcheck.interval 1m30s but the swarm runs 10s' },
      { severity: 'warning', service: 'shop_hog', at: '10:15', text: 'interval: 1m30s', message: 'service "shop_hog": the stack file declares healthcheck.interval 1m30s but the swarm runs 10s' },
      { severity: 'warning', service: 'shop_nowhere', at: '10:15', text: 'interval: 1m30s', message: 'service "shop_nowhere": the stack file declares healthcheck.interval 1m30s but the swarm runs 10s' },
      { severity: 'warning', service: 'shop_web', at: '10:15', text: 'interval: 1m30s', message: 'service "shop_web": the stack file declares healthcheck.interval 1m30s but the swarm runs 10s' },
      { severity: 'warning', service: 'shop_web', at: '27:17', text: 'replicas: 4', message: 'service "shop_web": the stack file declares replicas 4 but the swarm runs 2' },
      { severity: 'warning', service: 'shop_web', at: '33:24', text: 'limits: {cpus: "0.5", memory: 32M}', message: 'service "shop_web": the stack file declares deploy.resources.limits.cpus "0.5" but the swarm runs "0.25"' },
      { severity: 'warning', service: 'shop_web', at: '34:46', text: 'reservations: {cpus: "0.05", memory: 16M}', message: 'service "shop_web": the stack file declares deploy.resources.reservations.memory 16M but the swarm runs 8M' },
      { severity: 'warning', service: 'shop_crash', at: '41:12', text: 'image: local/busybox:2', message: 'service "shop_crash": the stack file declares image "local/busybox:2" but the swarm runs "local/busybox:1"' },
      { severity: 'warning', service: 'shop_crash', at: '43:11', text: 'user: "1000"', message: 'service "shop_crash": the stack file declares user "1000" but the swarm runs "0:0"' },
    ]);
  });

  it('reports a healthcheck, a mode and a user that the file sets or drops', () => {
    const changed = original
      .replace('    command: ["/bin/busybox", "false"]\n', '    command: ["/bin/busybox", "false"]\n    healthcheck:\n      test: ["CMD", "true"]\n')
      .replace('  crash:\n    image: local/busybox:1\n', '  crash:\n    image: local/busybox:1\n')
      .replace('    deploy:\n      replicas: 1\n      restart_policy: {condition: on-failure, delay: 1s, max_attempts: 2}', '    deploy:\n      mode: global\n      restart_policy: {condition: on-failure, delay: 1s, max_attempts: 2}')
      .replace('    user: "0:0"\n', '');
    expect(drift(changed).map((d) => [d.service, d.text, d.message])).toEqual([
      ['shop_crash', 'crash:', 'service "shop_crash": the stack file declares user (none: the image default) but the swarm runs "0:0"'],
      ['shop_crash', 'healthcheck:', 'service "shop_crash": the stack file declares healthcheck a healthcheck but the swarm runs (none: the image default)'],
      ['shop_crash', 'mode: global', 'service "shop_crash": the stack file declares mode global but the swarm runs replicated'],
    ]);
  });

  it('reports declared services that are not deployed (error) and deployed ones the file lacks', () => {
    const changed = original.replace(/\n {2}# reserves more memory[\s\S]*?(?=\n {2}# high priority)/, '\n').concat('\n  extra:\n    image: local/busybox:1\n');
    const d = drift(changed, { stack: 'shop' });
    expect(d.map((x) => [x.severity, x.service, x.text ?? null, x.message])).toEqual([
      ['error', 'shop_extra', 'extra:', `service "extra" is declared in ${join(dir, 'stack.yml')} but stack "shop" has no service "shop_extra": deploy it with \`docker stack deploy -c ${join(dir, 'stack.yml')} shop\``],
      ['warning', 'shop_hog', null, 'service "shop_hog" runs in stack "shop" but the stack file declares no service "hog": remove it (`docker service rm shop_hog`, or deploy with --prune) or add it to the file'],
    ]);
    // with --service, only those services are compared, and nothing is "not deployed"
    expect(drift(changed, { stack: 'shop', services: ['web'] })).toEqual([]);
  });

  it('needs a stack name when the file matches none, or several', () => {
    expect(() => drift('services:\n  unrelated:\n    image: x\n')).toThrow(DeclaredStackError);
    expect(() => drift('services:\n  unrelated:\n    image: x\n')).toThrow('no stack on this swarm has the services of');
    const nodes = [node({ hostname: 'm', role: 'manager', leader: true })];
    const snap = snapshot({ nodes, services: [service({ name: 'a_web', stack: 'a' }), service({ name: 'b_web', stack: 'b' })] });
    const file = join(dir, 'two.yml');
    writeFileSync(file, 'services:\n  web:\n    image: registry.example.com/app:1.0\n');
    expect(() => audit(snap, { declaredFiles: [file] })).toThrow('are deployed in several stacks (a, b): choose one with --stack NAME');
    // with the stack named, b_web is compared: its spec sets no user, the file neither
    expect(audit(snap, { declaredFiles: [file], stack: 'b' }).findings.filter((f) => f.ruleId === ID)).toEqual([]);
  });

  it('compares images the way docker names them', () => {
    expect(normaliseImage('nginx')).toBe(normaliseImage('docker.io/library/nginx:latest'));
    expect(normaliseImage('nginx:1.25@sha256:' + 'a'.repeat(64))).toBe(normaliseImage('nginx:1.25'));
    expect(normaliseImage('registry:5000/team/app')).toBe('registry:5000/team/app:latest');
    expect(normaliseImage('index.docker.io/myorg/app:2')).toBe(normaliseImage('myorg/app:2'));
    expect(normaliseImage('ghcr.io/org/app:2')).not.toBe(normaliseImage('org/app:2'));
    expect(normaliseImage('nginx:1.25')).not.toBe(normaliseImage('nginx:1.26'));
  });

  it('compares the image the service runs, not the one its stack label remembers', () => {
    const nodes = [node({ hostname: 'm', role: 'manager', leader: true })];
    const web = service({ name: 'app_web', stack: 'app', image: 'registry.example.com/app:1.0' });
    // `docker service update --image` changes the spec's image, not the com.docker.stack.image label
    web.Spec.TaskTemplate!.ContainerSpec!.Image = `registry.example.com/app:2.0@sha256:${'b'.repeat(64)}`;
    const file = join(dir, 'app.yml');
    writeFileSync(file, 'services:\n  web:\n    image: registry.example.com/app:1.0\n');
    const result = audit(snapshot({ nodes, services: [web] }), { declaredFiles: [file] });
    expect(result.findings.filter((f) => f.ruleId === ID).map((f) => [f.line, f.column, f.message.replace(/;.*$/, '')])).toEqual([
      [3, 12, 'service "app_web": the stack file declares image "registry.example.com/app:1.0" but the swarm runs "registry.example.com/app:2.0" (deployed as "registry.example.com/app:1.0", then changed by `docker service update --image`)'],
    ]);
    expect(result.facts.services[0]!.image).toBe('registry.example.com/app:2.0');
  });
});

