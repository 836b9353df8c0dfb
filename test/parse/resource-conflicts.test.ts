import { describe, expect, it } from 'vitest';
import { lintFiles } from './helpers.js';
import { cpuRatio } from '../helpers/measure.js';
import { stackSchemaPaths, type SwarmSchemaResult } from '../../src/engine/swarm-schema.js';
import swarmCompat from '../../rules/swarm-compat/index.js';

/**
 * Top-level resources whose keys contradict each other (src/model/resource-conflicts.ts): docker
 * compose refuses them as compose-go's validation does (a `schema` error), docker stack deploy as
 * docker/cli's loader does (a `swarm-compat` error; test/oracle.test.ts holds these to
 * `docker stack config` through fixtures/swarm-compat/resource-conflicts.yml).
 */
const TEXT = [
  'version: "3.8"',
  'services:',
  '  web:',
  '    image: nginx:1.27',
  'volumes:',
  '  data:',
  '    external: true',
  '    driver: local',
  '  old:',
  '    external:',
  '      name: b',
  '    name: a',
  '  same:',
  '    external:',
  '      name: c',
  '    name: c',
  '  fine:',
  '    external: true',
  '    name: x',
  '    x-note: kept',
  'secrets:',
  '  s:',
  '    driver: vault',
  '    file: ./s.txt',
  '  e:',
  '    file: ./e.txt',
  '    environment: E',
  'configs:',
  '  c:',
  '    name: only',
  '',
].join('\n');

const found = (target: 'compose' | 'swarm', ruleId: string) =>
  lintFiles({ 'compose.yaml': TEXT }, { target, rules: [swarmCompat] })
    .findings.filter((f) => f.ruleId === ruleId && (f.message.includes('conflict') || f.message.includes('must be set') || f.message.includes('mutually exclusive')))
    .map((f) => `${f.line}:${f.column} ${f.message}`);

describe('top-level resources whose keys contradict each other', () => {
  it('docker compose: an external volume with another key, name against a different external.name, secrets and configs with two sources or none', () => {
    expect(found('compose', 'schema')).toEqual([
      '8:5 volume "data" is external and sets driver, which docker compose refuses ("volumes.data: conflicting parameters "external" and "driver" specified"); docker creates an external volume outside the project: remove driver, or external',
      '12:5 volume "old" sets name and external.name to different names, which docker compose refuses ("volumes.old: name and external.name conflict; only use name"); keep name and set external: true',
      '27:5 secret "e" sets file and environment, which docker compose refuses ("secrets.e: file|environment attributes are mutually exclusive"); keep one of them',
      '29:3 config "c" sets none of file, environment, content, no driver and is not external, which docker compose refuses ("configs.c: one of file|environment|content must be set"); say where its content comes from',
    ]);
  });

  it('docker stack deploy: an external volume with driver, driver_opts or labels, name beside external.name, a secret with driver and file', () => {
    expect(found('swarm', 'swarm-compat')).toEqual([
      '8:5 docker stack deploy rejects this file: conflicting parameters "external" and "driver" specified for volume "data"; remove driver, or external',
      '12:5 docker stack deploy rejects this file: volume old: volume.external.name and volume.name conflict; only use volume.name',
      '16:5 docker stack deploy rejects this file: volume same: volume.external.name and volume.name conflict; only use volume.name',
      '24:5 docker stack deploy rejects this file: secret s: secret.driver and secret.file conflict; only use secret.driver',
    ]);
  });
});

describe('target swarm: a compose-spec error stands where docker says something too', () => {
  // Each compose-spec error is looked up among docker's paths indexed once: compared with each of
  // them, 20,000 services with one error each took 9.8 s (5 s after). At n and 8n paths, linear
  // work is 8 times the CPU, comparing each with each 64 times.
  it('in time linear in the paths', () => {
    const result = (n: number) => ({ issues: Array.from({ length: n }, (_, i) => ({ path: ['services', `s${i}`, 'stop_signal'] })), unknownKeys: [], casts: [] }) as unknown as SwarmSchemaResult;
    const ask = (n: number) => {
      const saysAt = stackSchemaPaths(result(n));
      let yes = 0;
      for (let i = 0; i < n; i++) if (saysAt(['services', `s${i}`, 'stop_signal'])) yes++;
      if (saysAt(['services', 'other', 'image'])) yes++;
      return yes;
    };
    expect(ask(3)).toBe(3);
    expect(cpuRatio(ask, 4000, 32000)).toBeLessThan(30);
  }, 300_000);

  it('above, at or below a path docker names; not beside it', () => {
    const saysAt = stackSchemaPaths({ issues: [{ path: ['services', 'a', 'deploy', 'replicas'] }], unknownKeys: [{ parentPath: ['services', 'b'], key: 'x' }], casts: [] } as unknown as SwarmSchemaResult);
    expect([['services', 'a'], ['services', 'a', 'deploy', 'replicas'], ['services', 'a', 'deploy', 'replicas', '0'], ['services', 'b', 'x'], ['services', 'a', 'image'], ['services', 'c']].map(saysAt)).toEqual([true, true, true, true, false, false]);
  });
});
