/**
 * Fix of non-root-user (unsafe): set `user` to the unprivileged user a known image creates, else
 * to "1000:1000". It changes who the process is: volumes owned by another UID, entrypoints that
 * chown as root and ports below 1024 can break, so it runs only with --unsafe.
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, FixBuilder, quoted } from '../../src/engine/fixer.js';
import { imageRepository } from '../../src/model/image-repository.js';
import type { Service, Stack } from '../../src/model/types.js';
import { classifyUser } from './user.js';

export const DEFAULT_USER = '1000:1000';

/** Image repositories and the user their Dockerfile creates for the service. */
export const KNOWN_USERS: ReadonlyMap<string, string> = new Map([
  ['postgres', 'postgres'],
  ['postgis/postgis', 'postgres'],
  ['timescale/timescaledb', 'postgres'],
  ['pgvector/pgvector', 'postgres'],
  ['mysql', 'mysql'],
  ['mariadb', 'mysql'],
  ['redis', 'redis'],
  ['mongo', 'mongodb'],
  ['rabbitmq', 'rabbitmq'],
  ['node', 'node'],
]);

/**
 * Images whose Dockerfile ends with a non-root `USER` (checked against each image's published
 * Dockerfile): the rule does not report them without `user`, and the fix never sets one for them.
 * The rule option `nonRootImages` defaults to these repositories; the value is the image's user,
 * which the fix writes back over an explicit `user: root`.
 */
export const NON_ROOT_IMAGES: ReadonlyMap<string, string> = new Map([
  ['prom/prometheus', 'nobody'],
  ['prometheus/prometheus', 'nobody'],
  ['prom/alertmanager', 'nobody'],
  ['prometheus/alertmanager', 'nobody'],
  ['prom/node-exporter', 'nobody'],
  ['prometheus/node-exporter', 'nobody'],
  ['prom/pushgateway', '65534'],
  ['prometheus/pushgateway', '65534'],
  ['grafana/grafana', '472'],
  ['grafana/loki', '10001'],
  ['graylog/graylog', 'graylog'],
  ['wazuh/wazuh-indexer', 'wazuh-indexer'],
  ['wazuh/wazuh-dashboard', 'wazuh-dashboard'],
  ['jaegertracing/jaeger', '10001'],
  ['n8nio/n8n', 'node'],
]);

export function userFor(image: string | undefined): string {
  const repo = imageRepository(image);
  if (repo === null) return DEFAULT_USER;
  if (repo.startsWith('bitnami/')) return '1001';
  return KNOWN_USERS.get(repo) ?? NON_ROOT_IMAGES.get(repo) ?? DEFAULT_USER;
}

/** `runsAsOwnUser(s)`: the image sets a non-root USER itself (the rule's `nonRootImages`, `ignoreImages`). */
export function fixUser(stack: Stack, svc: Service, runsAsOwnUser: (s: Service) => boolean): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const user = userFor(s.image?.value);
    const b = new FixBuilder(`set user to "${user}"${s.user ? ` (was "${s.user.value}")` : ''}: check that volumes and ports still work`, true);
    if (s.user && classifyUser(s.user.value) === 'non-root') return b.fail(`service "${s.name}" already runs as a non-root user`);
    if (!s.user && runsAsOwnUser(s)) return b.fail(`image "${s.image?.value}" of service "${s.name}" runs as its own non-root user`);
    return b.set(s.ref, ['user'], /^[\d:]+$/.test(user) ? quoted(user) : user);
  });
}
