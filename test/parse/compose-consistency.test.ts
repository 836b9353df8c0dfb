import { describe, expect, it } from 'vitest';
import { lintFiles } from './helpers.js';

/**
 * What docker compose refuses although each key is valid alone (compose-go, loader/validate.go):
 * `scale` against `deploy.replicas`, and `cpus`, `mem_limit`, `pids_limit`, `mem_reservation` against
 * a `deploy.resources` mapping without the same value. A schema error at the deploy side.
 */
const schema = (files: Record<string, string>) =>
  lintFiles(files)
    .findings.filter((f) => f.ruleId === 'schema')
    .map((f) => `${f.line}:${f.column} ${f.message}`);

describe('values compose refuses to see twice', () => {
  it('distinct scale and replicas, cpus and limits.cpus, mem_limit and limits.memory; a limits mapping without cpus differs from cpus', () => {
    const text = [
      'services:',
      '  a:',
      '    image: nginx:1.27',
      '    scale: 3',
      '    cpus: 1',
      '    mem_limit: 1g',
      '    pids_limit: 100',
      '    deploy:',
      '      replicas: 2',
      '      resources:',
      '        limits: {cpus: "2", memory: 512M, pids: 100}',
      '  b:',
      '    image: nginx:1.27',
      '    cpus: 2',
      '    mem_reservation: 256m',
      '    deploy:',
      '      resources:',
      '        limits:',
      '          memory: 1g',
      '        reservations: {memory: 256M}',
      '',
    ].join('\n');
    expect(schema({ 'compose.yaml': text })).toEqual([
      `9:17 service "a" sets scale: 3 and deploy.replicas: 2, which docker compose refuses ("can't set distinct values on 'scale' and 'deploy.replicas'"); keep one of them, or give both the same value`,
      `11:24 service "a" sets cpus: 1 and deploy.resources.limits.cpus: 2, which docker compose refuses ("can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'"); keep one of them, or give both the same value`,
      `11:37 service "a" sets mem_limit: 1g and deploy.resources.limits.memory: 512M, which docker compose refuses ("can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory'"); keep one of them, or give both the same value`,
      `18:9 service "b" sets cpus: 2 and deploy.resources.limits.cpus: not set, which docker compose refuses ("can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus'"); keep one of them, or give both the same value`,
    ]);
  });

  it('the same values in both, one of them alone, or target swarm: nothing', () => {
    const same = 'services:\n  a:\n    image: nginx:1.27\n    scale: 2\n    cpus: 2\n    mem_limit: 1g\n    deploy:\n      replicas: 2\n      resources:\n        limits: {cpus: "2.0", memory: 1024M}\n';
    expect(schema({ 'compose.yaml': same })).toEqual([]);
    expect(schema({ 'compose.yaml': 'services:\n  a:\n    image: nginx:1.27\n    cpus: 2\n    deploy:\n      replicas: 2\n' })).toEqual([]);
    // a stack (by its name): docker stack deploy has none of these keys, swarm-compat says so
    expect(schema({ 'stack.yml': 'services:\n  a:\n    image: nginx:1.27\n    deploy:\n      replicas: 1\n      resources:\n        limits: {cpus: "2"}\n    scale: 2\n' }).filter((m) => m.includes('distinct'))).toEqual([]);
  });

});

describe('a service with nothing to run', () => {
  // compose-go, loader/validate.go checkConsistency: `service %q has neither an image nor a build
  // context specified` for each service the default profiles enable (a `provider` service needs
  // neither); the image is read after interpolation
  it('a service with neither an image nor a build: at its key, or at an image that is empty', () => {
    const text = 'services:\n  a:\n    image: ${IMG}\n  b:\n    image: ""\n  c:\n    environment: [A=1]\n  d:\n    image: nginx:1.27\n';
    expect(schema({ 'compose.yaml': text })).toEqual([
      '3:12 service "a" has an empty image (${IMG}: a variable it names is not set) and no build, and docker compose refuses the file ("has neither an image nor a build context specified"); give it an image or a build, or, if this file completes another one, lint the two together (-f base.yml -f this.yml)',
      '5:12 service "b" has an empty image and no build, and docker compose refuses the file ("has neither an image nor a build context specified"); give it an image or a build, or, if this file completes another one, lint the two together (-f base.yml -f this.yml)',
      '6:3 service "c" names neither an image nor a build, and docker compose refuses the file ("has neither an image nor a build context specified"); give it an image or a build, or, if this file completes another one, lint the two together (-f base.yml -f this.yml)',
    ]);
  });

  it('a file under another name, linted alone, most likely completes another one: a warning that says so', () => {
    const r = lintFiles({ 'compose.prod.yaml': 'services:\n  web:\n    ports: ["80:80"]\n' });
    expect(r.findings.filter((f) => f.ruleId === 'schema').map((f) => [f.severity, `${f.line}:${f.column} ${f.message}`])).toEqual([
      [
        'warning',
        '2:3 service "web" names neither an image nor a build: docker compose refuses this file on its own ("has neither an image nor a build context specified"); if it completes another one, lint the two together (-f base.yml -f this.yml), else give the service an image or a build',
      ],
    ]);
    // one of docker compose's own names is a project of its own: an error
    expect(lintFiles({ 'docker-compose.yml': 'services:\n  web:\n    ports: ["80:80"]\n' }).findings.filter((f) => f.ruleId === 'schema').map((f) => f.severity)).toEqual(['error']);
  });

  it('a build, a provider, profiles, an image from extends or from the other -f file: nothing', () => {
    const text = 'services:\n  b:\n    build: .\n  p:\n    provider: {type: model}\n  q:\n    profiles: [debug]\n  e:\n    extends: d\n  d:\n    image: nginx:1.27\n';
    expect(schema({ 'compose.yaml': text }).filter((m) => m.includes('neither'))).toEqual([]);
    // a misspelt image is the schema's to report (compose validates the file before this check)
    expect(schema({ 'compose.yaml': 'services:\n  api:\n    imagee: api:1\n' })).toEqual([expect.stringMatching(/^3:5 .*imagee/)]);
    const merged = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n', 'compose.ssl.yaml': 'services:\n  web:\n    labels: [a=b]\n' }, { lint: ['compose.yaml', 'compose.ssl.yaml'] });
    expect(merged.findings.filter((f) => f.ruleId === 'schema')).toEqual([]);
  });
});
