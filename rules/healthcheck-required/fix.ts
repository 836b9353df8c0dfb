/**
 * Fix of healthcheck-required: a healthcheck for images whose health command is known to exist in
 * the image, on services that run that image's own server (a `pg_dump` loop on a postgres image
 * gets no `pg_isready`: no server answers it there). Safe: it adds monitoring with a command the image ships. Any other image gets no fix,
 * because a guessed command (curl where there is none, a wrong port) fails every check and makes
 * swarm kill a healthy service again and again.
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, flow, FixBuilder, type YamlValue } from '../../src/engine/fixer.js';
import { child, scalarValue } from '../../src/model/access.js';
import { portMovingWord, readCommand } from '../../src/model/command.js';
import { imageRepository } from '../../src/model/image-repository.js';
import { runsImageServer } from '../../src/model/service-class.js';
import { allowsStartPeriod } from '../../src/model/stack-version.js';
import type { Service, Stack } from '../../src/model/types.js';

export interface KnownHealthcheck {
  /** what the command is and why it exists in the image */
  note: string;
  test: string[];
}

const postgres: KnownHealthcheck = {
  note: 'pg_isready ships with every PostgreSQL server image; it checks that the server accepts connections without logging in',
  test: ['CMD-SHELL', 'pg_isready -U "$${POSTGRES_USER:-postgres}"'],
};
const redis: KnownHealthcheck = { note: 'redis-cli ships with the Redis server image', test: ['CMD', 'redis-cli', 'ping'] };
const valkey: KnownHealthcheck = { note: 'valkey-cli ships with the Valkey server image', test: ['CMD', 'valkey-cli', 'ping'] };
const mysql: KnownHealthcheck = {
  note: 'mysqladmin ships with the MySQL server image; ping exits 0 whenever the server runs, even if the login is refused',
  test: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --silent'],
};
const mariadb: KnownHealthcheck = {
  note: 'MariaDB images ship mariadb-admin (10.4 and later) or mysqladmin (older); ping exits 0 whenever the server runs',
  test: ['CMD-SHELL', 'mariadb-admin ping -h 127.0.0.1 --silent || mysqladmin ping -h 127.0.0.1 --silent'],
};
const mongo: KnownHealthcheck = {
  note: 'MongoDB images ship mongosh (5.0 and later) or the legacy mongo shell; the ping command needs no login',
  test: ['CMD-SHELL', 'mongosh --quiet --eval "db.adminCommand(\'ping\')" || mongo --quiet --eval "db.adminCommand(\'ping\')"'],
};
const rabbitmq: KnownHealthcheck = {
  note: 'rabbitmq-diagnostics ships with the RabbitMQ image; ping checks that the node runs',
  test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'],
};

/** Image repositories (without registry, `library/` dropped) and their healthcheck. */
export const KNOWN_HEALTHCHECKS: ReadonlyMap<string, KnownHealthcheck> = new Map([
  ['postgres', postgres],
  ['postgis/postgis', postgres],
  ['timescale/timescaledb', postgres],
  ['timescale/timescaledb-ha', postgres],
  ['pgvector/pgvector', postgres],
  ['bitnami/postgresql', postgres],
  ['redis', redis],
  ['bitnami/redis', redis],
  ['redis/redis-stack-server', redis],
  ['valkey/valkey', valkey],
  ['bitnami/valkey', valkey],
  ['mysql', mysql],
  ['bitnami/mysql', mysql],
  ['mariadb', mariadb],
  ['bitnami/mariadb', mariadb],
  ['mongo', mongo],
  ['bitnami/mongodb', mongo],
  ['rabbitmq', rabbitmq],
  ['bitnami/rabbitmq', rabbitmq],
]);

/** The known healthcheck of an image, or null. Mirrors of Docker Hub (`mirror.gcr.io/library/postgres`) count. */
export function knownHealthcheck(image: string): KnownHealthcheck | null {
  const repo = imageRepository(image);
  return repo === null ? null : (KNOWN_HEALTHCHECKS.get(repo) ?? null);
}

export function fixHealthcheck(stack: Stack, svc: Service): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const image = s.image?.value ?? '';
    const known = image ? knownHealthcheck(image) : null;
    const b = new FixBuilder(`added a healthcheck for image "${image}": ${JSON.stringify(known?.test ?? [])}`);
    if (!known) return b.fail(image ? `image "${image}" is not one whose health command is known` : 'the service names no image');
    if (!runsImageServer(s)) return b.fail(`service "${s.name}" replaces the server of image "${image}" with its own command or entrypoint`);
    // the known check asks the server on its default port: one moved elsewhere would fail it forever
    const moved = portMovingWord(readCommand(s.ref));
    if (moved !== null) return b.fail(`service "${s.name}" starts its server with "${moved}", which may move it off the port the known check asks; add a healthcheck by hand`);
    // images that take their server's port from a variable the check does not read (Bitnami's
    // POSTGRESQL_PORT_NUMBER, REDIS_PORT_NUMBER, ...); PGPORT and MYSQL_TCP_PORT move the client too
    const portVariable = [...s.environment.keys()].find((k) => /_PORT_NUMBER$/i.test(k));
    if (portVariable !== undefined) return b.fail(`service "${s.name}" sets ${portVariable}, which may move its server off the port the known check asks; add a healthcheck by hand`);
    if (s.healthcheck) return b.fail('the service already has a healthcheck');
    const existing = child(s.ref, 'healthcheck');
    if (existing && !(existing.node.kind === 'scalar' && existing.node.value === null)) return b.fail('healthcheck is not a mapping');
    const hc: Record<string, YamlValue> = { test: flow(known.test, true), interval: '10s', timeout: '5s', retries: 5 };
    if (allowsStartPeriod(stack)) hc.start_period = '30s';
    return b.add(s.ref, ['healthcheck'], hc);
  });
}
