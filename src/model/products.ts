/**
 * What known software is, by the words of its image (and service) names: its service class, the
 * programs that run its server, and state it keeps that its class does not say. Pure data.
 */

export type ServiceClass = 'database' | 'cache' | 'broker' | 'proxy' | 'backend' | 'default';

export interface Product {
  /** the product's name, for messages */
  name: string;
  /** its class; null for software of no class of its own (monitoring collectors and agents) */
  cls: ServiceClass | null;
  /**
   * Programs that run its server: a service whose `entrypoint`/`command` starts one of them (or
   * only passes arguments to the image's entrypoint) runs the server; one that starts other
   * programs only (`sh -c 'while true; do pg_dump ...'`) does not.
   */
  servers: readonly string[];
  /** the image's entrypoint is the server itself: a command without a program of its own (`agent -server`) is its arguments */
  serverEntrypoint?: boolean;
  /** state it keeps although its class is not a stateful one */
  state?: string;
}

/** Entrypoints of official images that start the server (and run any other program they are given instead). */
const ENTRYPOINTS = ['docker-entrypoint.sh', 'entrypoint.sh', 'run.sh'];

const postgres: Product = { name: 'PostgreSQL', cls: 'database', servers: ['postgres', 'postmaster', 'patroni', ...ENTRYPOINTS] };
const mysql: Product = { name: 'MySQL', cls: 'database', servers: ['mysqld', 'mysqld_safe', ...ENTRYPOINTS] };
const mariadb: Product = { name: 'MariaDB', cls: 'database', servers: ['mariadbd', 'mysqld', 'mysqld_safe', ...ENTRYPOINTS] };
const mongo: Product = { name: 'MongoDB', cls: 'database', servers: ['mongod', 'mongos', ...ENTRYPOINTS] };
const redis: Product = { name: 'Redis', cls: 'cache', servers: ['redis-server', 'redis-stack-server', 'redis-sentinel', ...ENTRYPOINTS] };
const valkey: Product = { name: 'Valkey', cls: 'cache', servers: ['valkey-server', 'valkey-sentinel', ...ENTRYPOINTS] };
const rabbitmq: Product = { name: 'RabbitMQ', cls: 'broker', servers: ['rabbitmq-server', ...ENTRYPOINTS] };
const nginx: Product = { name: 'nginx', cls: 'proxy', servers: ['nginx', 'openresty', ...ENTRYPOINTS] };

const db = (name: string, ...servers: string[]): Product => ({ name, cls: 'database', servers: [...servers, ...ENTRYPOINTS] });
const of = (cls: ServiceClass, name: string, servers: string[], serverEntrypoint = false): Product => ({ name, cls, servers: [...servers, ...ENTRYPOINTS], serverEntrypoint });

/**
 * Known products by a word of the image or service name (names are split into words at `-`, `_`,
 * `.` and `/`; the first word that names a product decides: `zabbix-proxy-mysql` is Zabbix, not a
 * proxy or a database).
 */
export const PRODUCTS: ReadonlyMap<string, Product> = new Map<string, Product>([
  ['postgres', postgres],
  ['postgresql', postgres],
  ['postgis', postgres],
  ['pgvector', postgres],
  ['timescaledb', postgres],
  ['mysql', mysql],
  ['percona', mysql],
  ['mariadb', mariadb],
  ['mongo', mongo],
  ['mongodb', mongo],
  ['cockroach', db('CockroachDB', 'cockroach')],
  ['cockroachdb', db('CockroachDB', 'cockroach')],
  ['couchdb', db('CouchDB', 'couchdb')],
  ['cassandra', db('Cassandra', 'cassandra')],
  ['scylla', db('ScyllaDB', 'scylla')],
  ['clickhouse', db('ClickHouse', 'clickhouse-server', 'clickhouse')],
  ['influxdb', db('InfluxDB', 'influxd')],
  ['neo4j', db('Neo4j', 'neo4j')],
  ['elasticsearch', db('Elasticsearch', 'elasticsearch')],
  ['opensearch', db('OpenSearch', 'opensearch')],
  ['etcd', { ...db('etcd', 'etcd'), serverEntrypoint: true }],
  ['consul', { ...db('Consul', 'consul'), serverEntrypoint: true }],
  ['vault', { ...db('Vault', 'vault'), serverEntrypoint: true }],
  ['redis', redis],
  ['valkey', valkey],
  ['keydb', of('cache', 'KeyDB', ['keydb-server'])],
  ['dragonfly', of('cache', 'Dragonfly', ['dragonfly'], true)],
  ['memcached', of('cache', 'Memcached', ['memcached'], true)],
  ['rabbitmq', rabbitmq],
  ['kafka', of('broker', 'Kafka', ['kafka-server-start.sh', 'kafka-server-start', 'start-kafka.sh'])],
  ['redpanda', of('broker', 'Redpanda', ['redpanda', 'rpk'], true)],
  ['nats', of('broker', 'NATS', ['nats-server'], true)],
  ['zookeeper', of('broker', 'ZooKeeper', ['zkServer.sh'])],
  ['mosquitto', of('broker', 'Mosquitto', ['mosquitto'])],
  ['emqx', of('broker', 'EMQX', ['emqx'])],
  ['activemq', of('broker', 'ActiveMQ', ['activemq'])],
  ['pulsar', of('broker', 'Pulsar', ['pulsar'])],
  ['traefik', of('proxy', 'Traefik', ['traefik'], true)],
  ['nginx', nginx],
  ['openresty', nginx],
  ['haproxy', of('proxy', 'HAProxy', ['haproxy'])],
  ['envoy', of('proxy', 'Envoy', ['envoy'], true)],
  ['caddy', of('proxy', 'Caddy', ['caddy'], true)],
  ['kong', of('proxy', 'Kong', ['kong'])],
  ['apisix', of('proxy', 'APISIX', ['apisix'])],
  ['krakend', of('proxy', 'KrakenD', ['krakend'], true)],
  ['varnish', of('proxy', 'Varnish', ['varnishd'])],
  // monitoring: collectors and agents, whatever their names say ("gateway", "proxy")
  [
    'pushgateway',
    {
      name: 'Prometheus Pushgateway',
      cls: null,
      servers: ['pushgateway'],
      serverEntrypoint: true,
      state: 'the metrics pushed to it, which it keeps in memory: two replicas would each hold part of them',
    },
  ],
  ['zabbix', { name: 'Zabbix', cls: null, servers: ['zabbix_server', 'zabbix_proxy', 'zabbix_agentd', 'zabbix_agent2', ...ENTRYPOINTS] }],
]);
