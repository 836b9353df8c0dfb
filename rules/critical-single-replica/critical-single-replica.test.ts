import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { lintProject } from '../../src/engine/lint.js';
import {
  DEFAULT_CRITICAL_PATTERNS,
  classifyService,
  findPatternMatch,
  imageName,
  isStateful,
  matchesPattern,
  parseImageReference,
} from '../../src/model/service-class.js';
import type { Mount, Service, Stack } from '../../src/model/types.js';
import { runWithNewOptions, stacksOf } from '../../test/helpers/sized-stacks.js';
import { cpuRatio } from '../../test/helpers/measure.js';

const single = (service: string, reason: string, replicas: string) =>
  `service "${service}" is critical (${reason}) but runs ${replicas}; one replica is a single point of failure: set deploy.replicas to 2 or more`;

testRule(rule, {
  valid: [
    {
      name: 'a proxy with 2 replicas',
      code: 'services:\n  traefik:\n    image: traefik:v3.1\n    deploy:\n      replicas: 2\n',
    },
    {
      name: 'a proxy in global mode',
      code: 'services:\n  edge:\n    image: nginx:1.27\n    deploy:\n      mode: global\n',
    },
    {
      name: 'a service that is not critical',
      code: 'services:\n  api:\n    image: myorg/api:1\n',
    },
    {
      name: 'a helper named after a database is not critical',
      code: 'services:\n  redis-exporter:\n    image: oliver006/redis_exporter:v1.62.0\n  pg-backup:\n    image: prodrigestivill/postgres-backup-local:16\n',
    },
    {
      name: 'collectors named gateway or proxy are not gateways or proxies: pushgateway, zabbix proxy and java gateway',
      code: `services:
  pushgateway:
    image: prom/pushgateway:v1.9.0
  zabbix-proxy-sqlite3:
    image: zabbix/zabbix-proxy-sqlite3:7.0-alpine-latest
  zabbix-proxy-mysql:
    image: zabbix/zabbix-proxy-mysql:7.0-alpine-latest
  zabbix-java-gateway:
    image: zabbix/zabbix-java-gateway:7.0-alpine-latest
`,
    },
    {
      name: 'a database image running a backup loop, and migration and init jobs on a proxy image, are not critical',
      code: `services:
  db-backup:
    image: postgres:16.4
    command: sh -c 'while true; do pg_dump -h db -U app app > /backup/app.sql; sleep 86400; done'
  kong-migrations:
    image: kong:3.7
    command: kong migrations bootstrap
  traefik-init:
    image: traefik:v3.1
    command: ["storeconfig", "--consul"]
`,
    },
    {
      name: 'x-stackopt critical: false opts a database out',
      code: 'services:\n  db:\n    image: postgres:16\n    x-stackopt:\n      critical: false\n',
    },
    {
      name: 'label stackopt.critical=false (list form) opts out',
      code: 'services:\n  cache:\n    image: redis:7\n    labels:\n      - stackopt.critical=false\n',
    },
    {
      name: 'deploy label stackopt.critical: "false" (map form) opts out, even with high priority',
      code: 'services:\n  cache:\n    image: redis:7\n    deploy:\n      labels:\n        stackopt.critical: "false"\n    x-sleep-policy:\n      priority: high\n',
    },
    {
      name: 'replicas through a merge key',
      code: 'x-ha: &ha\n  deploy:\n    replicas: 2\nservices:\n  api-gateway:\n    <<: *ha\n    image: myorg/gateway:1\n',
    },
    {
      name: 'replicas from ${VAR:-default}',
      code: 'services:\n  traefik:\n    image: traefik:v3\n    deploy:\n      replicas: ${PROXY_REPLICAS:-2}\n',
    },
    {
      name: 'replicas from a set variable',
      code: 'services:\n  traefik:\n    image: traefik:v3\n    deploy:\n      replicas: ${PROXY_REPLICAS:-1}\n',
      env: { PROXY_REPLICAS: '3' },
    },
    {
      name: 'replicas raised by an override file',
      code: {
        'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 1\n',
        'compose.override.yaml': 'services:\n  web:\n    deploy:\n      replicas: 3\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    {
      name: 'replicas inherited through extends',
      code: 'services:\n  base:\n    image: myorg/base:1\n  proxy:\n    extends: base\n    image: haproxy:3.0\n    deploy:\n      replicas: 2\n',
    },
    {
      name: 'critical: [] turns the default list off',
      code: 'services:\n  web:\n    image: nginx:1.27\n',
      options: { critical: [] },
    },
    {
      name: 'ignore patterns win over the default list',
      code: 'services:\n  dev-proxy:\n    image: nginx:1.27\n',
      options: { ignore: ['nginx'] },
    },
    {
      name: 'a one-off job is not a replicated service',
      code: 'services:\n  db-migrate:\n    image: postgres:16\n    deploy:\n      mode: replicated-job\n',
    },
    {
      name: 'an image that only mentions a gateway is not a gateway',
      code: 'services:\n  chrome-devtools:\n    image: forge-mcp-gateway-translate:latest\n',
    },
    {
      name: 'a value that is not a number is left to the schema',
      code: 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: many\n',
    },
    { name: 'replicas: 0 (or scale: 0): stopped on purpose, no single point of failure', code: 'services:\n  ingress:\n    image: myorg/edge:1\n    deploy:\n      replicas: 0\n  proxy:\n    image: traefik:3.1\n    scale: 0\n' },
    { name: 'compose: scale: 3 runs three containers', code: 'services:\n  proxy:\n    image: traefik:3.1\n    scale: 3\n' },
    {
      name: 'container_name with 2 replicas is container-name-scaling\'s business, not this rule\'s',
      code: 'services:\n  proxy:\n    image: traefik:v3.1\n    container_name: proxy\n    deploy:\n      replicas: 2\n',
    },
  ],
  invalid: [
    {
      name: 'nginx with a cache volume and a read-only configuration volume keeps no state: the fix scales it',
      code: `services:
  web:
    image: nginx:1.27
    volumes:
      - nginx_cache:/var/cache/nginx
      - nginx_conf:/etc/nginx/conf.d:ro
volumes:
  nginx_cache: {}
  nginx_conf: {}
`,
      errors: [{ message: single('web', 'image "nginx:1.27" matches "nginx"', '1 replica (deploy.replicas is not set)'), line: 2, column: 3, endColumn: 6 }],
    },
    {
      name: 'a user\'s own pattern still counts for a collector (only the default patterns defer to what a service is)',
      code: 'services:\n  pushgateway:\n    image: prom/pushgateway:v1.9.0\n',
      options: { extraCritical: ['pushgateway'] },
      errors: [
        {
          message:
            'service "pushgateway" is critical (image "prom/pushgateway:v1.9.0" matches "pushgateway") and runs 1 replica (deploy.replicas is not set), but it keeps state (image "prom/pushgateway:v1.9.0" holds the metrics pushed to it, which it keeps in memory: two replicas would each hold part of them): more replicas of it is not high availability by itself; use the software\'s own replication (primary/replica, sentinel, cluster mode), or a managed service',
          line: 2,
          column: 3,
        },
      ],
    },
    {
      name: 'compose: container_name means a second replica cannot start; no fix',
      code: 'services:\n  gateway:\n    image: myorg/gateway:2\n    container_name: gateway\n',
      errors: [
        {
          messageId: 'cannotScale',
          message:
            'service "gateway" is critical (name contains "gateway") but runs 1 replica (deploy.replicas is not set); one replica is a single point of failure, but a second replica would not start: it sets container_name "gateway", and docker compose cannot start a second container of that name; remove container_name (others reach it by its service name), then scale it',
          line: 2,
          column: 3,
          endColumn: 10,
          path: 'services.gateway',
        },
      ],
    },
    {
      name: 'compose: scale sets the containers when deploy.replicas is not written: reported at it, the fix raises it',
      code: 'services:\n  proxy:\n    image: traefik:3.1\n    scale: 1\n',
      errors: [
        {
          messageId: 'singleReplica',
          message: 'service "proxy" is critical (image "traefik:3.1" matches "traefik") but runs 1 replica (scale: 1); one replica is a single point of failure: set scale to 2 or more',
          line: 4,
          column: 12,
          endColumn: 13,
        },
      ],
    },
    {
      name: 'compose: the host\'s network or a fixed address means a second container cannot start; no fix',
      code: 'services:\n  edge:\n    image: nginx:1.27\n    network_mode: host\n  gateway:\n    image: myorg/gateway:2\n    networks:\n      front:\n        ipv6_address: 2001:db8::10\n  lb:\n    image: haproxy:3.0\n    mac_address: 02:42:ac:11:65:43\nnetworks:\n  front: {}\n',
      errors: [
        { messageId: 'cannotScale', message: /a second replica would not start: it uses the host's network \(network_mode: host\), where a second container would listen on the same ports of the host; give it a network of its own and publish its ports, then scale it$/, line: 2, column: 3 },
        { messageId: 'cannotScale', message: /a second replica would not start: it sets networks\.front\.ipv6_address 2001:db8::10, which a second container cannot take; remove it, then scale it$/, line: 5, column: 3 },
        { messageId: 'cannotScale', message: /it sets mac_address 02:42:ac:11:65:43, which a second container cannot take/, line: 10, column: 3 },
      ],
    },
    {
      name: 'compose: another container\'s network; swarm: the host\'s network, unless one task per node',
      code: {
        'compose.yaml': 'services:\n  vpn:\n    image: myorg/vpn:1\n  proxy:\n    image: traefik:3.1\n    network_mode: "service:vpn"\n',
        'stack.yml': 'services:\n  edge:\n    image: nginx:1.27\n    networks: [hostnet]\n  lb:\n    image: haproxy:3.0\n    networks: [host]\n    deploy:\n      placement:\n        max_replicas_per_node: 1\nnetworks:\n  hostnet:\n    external: true\n    name: host\n  host:\n    external: true\n',
      },
      lint: ['compose.yaml'],
      errors: [{ messageId: 'cannotScale', message: /it shares the network of another container \(network_mode: service:vpn\), where a second container would listen on the same ports; give it a network of its own, then scale it$/, line: 4, column: 3 }],
    },
    {
      name: 'swarm: the host\'s network (a network named host) means a second task on the node cannot start',
      code: { 'stack.yml': 'services:\n  edge:\n    image: nginx:1.27\n    networks: [hostnet]\n  lb:\n    image: haproxy:3.0\n    networks: [host]\n    deploy:\n      placement:\n        max_replicas_per_node: 1\nnetworks:\n  hostnet:\n    external: true\n    name: host\n  host:\n    external: true\n' },
      errors: [
        { messageId: 'cannotScale', message: /it attaches to the host's network \(networks: hostnet, the network named host\), where a second task on the same node would listen on the same ports; set deploy\.placement\.max_replicas_per_node: 1 on enough nodes, then scale it$/, line: 2, column: 3 },
        { messageId: 'singleReplica', line: 8, column: 5 },
      ],
    },
    {
      name: 'compose: a fixed published host port (short and long syntax, with a host IP)',
      code:
        'services:\n  gateway:\n    image: myorg/gateway:2\n    ports:\n      - "80:4000"\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 1\n    ports:\n      - target: 80\n        published: 8080\n  edge:\n    image: caddy:2\n    ports:\n      - 127.0.0.1:443:443\n',
      errors: [
        { messageId: 'cannotScale', message: /a second replica would not start: it publishes host port 80 \("80:4000"\), which a second container cannot bind; publish a host port range, or put a proxy in front of it, then scale it$/, line: 2, column: 3 },
        { messageId: 'cannotScale', message: /it publishes host port 8080 \(published: 8080\), which a second container cannot bind/, line: 9, column: 17, endColumn: 18 },
        { messageId: 'cannotScale', message: /it publishes host port 443 \("127\.0\.0\.1:443:443"\)/, line: 13, column: 3 },
      ],
    },
    {
      name: 'compose: a container port without a host port, or a host port range, still scales',
      code: 'services:\n  gateway:\n    image: myorg/gateway:2\n    ports:\n      - "4000"\n      - "8000-8001:4001"\n',
      errors: [{ messageId: 'singleReplica', line: 2, column: 3 }],
    },
    {
      name: 'compose: a host port in a nested default or an alternative (${A:-${B:-80}}, ${A:+8080}) is a variable one too',
      code: 'services:\n  gateway:\n    image: myorg/gateway:2\n    ports:\n      - "${A:-${B:-80}}:4000"\n  edge:\n    image: caddy:2\n    ports:\n      - "${TLS:+8443}:443"\n',
      errors: [
        { messageId: 'cannotScale', message: /it publishes host port 80 \("\$\{A:-\$\{B:-80\}\}:4000" \("80:4000"\)\), which a second container cannot bind when it is one port;/, line: 2, column: 3 },
        { messageId: 'cannotScale', message: /it publishes a host port set by a variable \("\$\{TLS:\+8443\}:443" \(":443"\)\)/, line: 6, column: 3 },
      ],
    },
    {
      name: 'compose: the port comes from ${VAR:-default}',
      code: 'services:\n  gateway:\n    image: myorg/gateway:2\n    ports:\n      - "${GATEWAY_PORT:-80}:4000"\n',
      errors: [{ messageId: 'cannotScale', message: /it publishes host port 80 \("\$\{GATEWAY_PORT:-80\}:4000" \("80:4000"\)\), which a second container cannot bind when it is one port;/, line: 2, column: 3 }],
    },
    {
      name: 'compose: a host port a variable sets blocks scaling whatever this run\'s environment (unset, one port, a range); a set value is not shown',
      code: 'services:\n  mysql:\n    build: ./mysql\n    ports:\n      - "${MYSQL_PORT}:3306"\n  gateway:\n    image: myorg/gateway:2\n    ports:\n      - target: 4000\n        published: ${GATEWAY_PORTS}\n  edge:\n    image: caddy:2\n    ports:\n      - "${EDGE_IP:-127.0.0.1}:443:443"\n      - "${EDGE_IP}:8000-8001:80"\n  admin:\n    image: myorg/admin:1\n    x-stackopt: {critical: true}\n    ports:\n      - "${ADMIN_PORTS}"\n',
      env: { GATEWAY_PORTS: '9000-9001', EDGE_IP: '10.0.0.1', ADMIN_PORTS: '7777:80' },
      errors: [
        {
          messageId: 'cannotScale',
          message:
            'service "mysql" is critical (name is "mysql") but runs 1 replica (deploy.replicas is not set); one replica is a single point of failure, but a second replica would not start: it publishes a host port set by a variable ("${MYSQL_PORT}:3306" (":3306")), which a second container cannot bind when it is one port; publish a host port range, or put a proxy in front of it, then scale it',
          line: 2,
          column: 3,
        },
        { messageId: 'cannotScale', message: /it publishes a host port set by a variable \(published: "\$\{GATEWAY_PORTS\}"\), which a second container cannot bind when it is one port;/, line: 6, column: 3 },
        // a variable in the host IP only: the fixed port 443 blocks, the range does not
        { messageId: 'cannotScale', message: /it publishes host port 443 \("\$\{EDGE_IP:-127\.0\.0\.1\}:443:443"\), which a second container cannot bind;/, line: 11, column: 3 },
        // the variable holds the whole spec, host port included: its value (7777) is not shown
        { messageId: 'cannotScale', message: /it publishes a host port set by a variable \("\$\{ADMIN_PORTS\}"\), which a second container cannot bind when it is one port;/, line: 16, column: 3 },
      ],
    },
    {
      name: 'swarm: container_name and ingress ports do not stop scaling, a host-mode port does',
      code: {
        'stack.yml':
          'services:\n  gateway:\n    image: myorg/gateway:2\n    container_name: gateway\n    ports:\n      - "80:4000"\n  proxy:\n    image: traefik:v3.1\n    ports:\n      - target: 80\n        published: 80\n        mode: host\n  lb:\n    image: haproxy:3.0\n    ports:\n      - target: 80\n        published: 8080\n        mode: host\n    deploy:\n      placement:\n        max_replicas_per_node: 1\n',
      },
      errors: [
        { messageId: 'singleReplica', line: 2, column: 3, service: 'gateway' },
        {
          messageId: 'cannotScale',
          message: /it publishes host port 80 in mode: host \(published: 80\), which a second task on the same node cannot bind; publish it in ingress mode or set deploy\.placement\.max_replicas_per_node: 1 on enough nodes, then scale it$/,
          line: 7,
          column: 3,
          service: 'proxy',
        },
        { messageId: 'singleReplica', line: 19, column: 5, service: 'lb' },
      ],
    },
    {
      name: 'swarm: a constraint that names one node, with one task per node or a host-mode port, means a second task never starts; a role, a != or an address range does not',
      code: {
        'stack.yml':
          'services:\n  proxy:\n    image: traefik:v3.1\n    deploy:\n      placement:\n        max_replicas_per_node: 1\n        constraints:\n          - node.hostname == edge-1\n  web:\n    image: nginx:1.27\n    deploy:\n      placement:\n        max_replicas_per_node: 1\n        constraints: [node.role == worker, "NODE.ID==abc123"]\n  lb:\n    image: haproxy:3.0\n    deploy:\n      placement:\n        max_replicas_per_node: 1\n        constraints: [node.role == worker, node.hostname != edge-1, node.ip == 10.0.0.0/24]\n  gateway:\n    image: myorg/gateway:2\n    ports:\n      - {target: 80, published: 80, mode: host}\n    deploy:\n      placement:\n        constraints: [node.hostname == edge-2]\n',
      },
      errors: [
        {
          messageId: 'cannotScale',
          message:
            'service "proxy" is critical (image "traefik:v3.1" matches "traefik") but runs 1 replica (deploy.replicas is not set); one replica is a single point of failure, but a second replica would not start: it may run on one node only (node.hostname == edge-1) and at most one task per node (max_replicas_per_node: 1), so a second task would wait for a node forever; let its constraints take more nodes, then scale it',
          line: 4,
          column: 5,
          service: 'proxy',
        },
        { messageId: 'cannotScale', message: /it may run on one node only \(NODE\.ID==abc123\) and at most one task per node/, line: 11, column: 5, service: 'web' },
        { messageId: 'singleReplica', line: 17, column: 5, service: 'lb' },
        {
          messageId: 'cannotScale',
          message: /it publishes host port 80 in mode: host \(published: 80\), which a second task on the same node cannot bind; publish it in ingress mode or let its constraints take more nodes \(it may run on one only: node\.hostname == edge-2\) and set deploy\.placement\.max_replicas_per_node: 1, then scale it$/,
          line: 25,
          column: 5,
          service: 'gateway',
        },
      ],
    },
    {
      name: 'no deploy: points at the service name',
      code: 'services:\n  web:\n    image: nginx:1.27-alpine\n',
      errors: [
        {
          messageId: 'singleReplica',
          message: single('web', 'image "nginx:1.27-alpine" matches "nginx"', '1 replica (deploy.replicas is not set)'),
          line: 2,
          column: 3,
          endLine: 2,
          endColumn: 6,
          path: 'services.web',
          service: 'web',
          severity: 'error',
        },
      ],
    },
    {
      name: 'deploy without replicas: points at deploy',
      code: 'services:\n  api-gateway:\n    image: myorg/api:2\n    deploy:\n      resources:\n        limits: {cpus: "1"}\n',
      errors: [
        {
          message: single('api-gateway', 'name contains "gateway"', '1 replica (deploy.replicas is not set)'),
          line: 4,
          column: 5,
          endColumn: 11,
          path: 'services.api-gateway.deploy',
        },
      ],
    },
    {
      name: 'replicas: 1 underlines the value',
      code: 'services:\n  lb:\n    image: docker.io/library/haproxy:3.0@sha256:0123456789abcdef\n    deploy:\n      replicas: 1\n',
      errors: [
        {
          message: single('lb', 'image "docker.io/library/haproxy:3.0@sha256:0123456789abcdef" matches "haproxy"', '1 replica (deploy.replicas: 1)'),
          line: 5,
          column: 17,
          endColumn: 18,
          path: 'services.lb.deploy.replicas',
        },
      ],
    },
    {
      name: 'replicas from ${VAR:-1} (default used)',
      code: 'services:\n  caddy:\n    image: caddy:2\n    deploy:\n      replicas: ${CADDY_REPLICAS:-1}\n',
      errors: [
        {
          message: single('caddy', 'image "caddy:2" matches "caddy"', '1 replica (deploy.replicas: "${CADDY_REPLICAS:-1}" (1))'),
          line: 5,
          column: 17,
          endColumn: 37,
        },
      ],
    },
    {
      name: 'replicas from a set variable overriding a safe default',
      code: 'services:\n  kong:\n    image: kong/kong-gateway:3.7\n    deploy:\n      replicas: "${KONG_REPLICAS:-3}"\n',
      env: { KONG_REPLICAS: '1' },
      // the value a set variable gave is not shown, only what the file wrote
      errors: [{ message: /runs 1 replica \(deploy\.replicas: "\$\{KONG_REPLICAS:-3\}"\)/, line: 5, column: 17, endColumn: 38 }],
    },
    {
      name: 'a database image: the stateful message',
      code: 'services:\n  db:\n    image: postgres:16-alpine\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata: {}\n',
      errors: [
        {
          messageId: 'statefulSingleReplica',
          message:
            'service "db" is critical (image "postgres:16-alpine" matches "postgres") and runs 1 replica (deploy.replicas is not set), but it keeps state (database image "postgres:16-alpine"): more replicas of it is not high availability by itself; use streaming replication with a failover manager such as Patroni or repmgr, or a managed service',
          line: 2,
          column: 3,
          endColumn: 5,
        },
      ],
    },
    {
      name: 'a cache image: sentinel advice',
      code: 'services:\n  cache:\n    image: bitnami/redis:7.4\n    deploy:\n      replicas: 1\n',
      errors: [{ message: /keeps state \(cache image "bitnami\/redis:7\.4"\): more replicas of it is not high availability by itself; use replicas with Sentinel, or cluster mode, or a managed service$/, line: 5, column: 17 }],
    },
    {
      // its volume holds certificates and site configuration, which replicas read; no replication to set up
      name: 'a proxy with a named volume: storage every replica reads, not replication',
      code: 'services:\n  edge:\n    image: nginx:1.27\n    volumes:\n      - certs:/etc/nginx/certs\nvolumes:\n  certs: {}\n',
      errors: [
        {
          message:
            'service "edge" is critical (image "nginx:1.27" matches "nginx") and runs 1 replica (deploy.replicas is not set), but it keeps state (named volume "certs" at /etc/nginx/certs): more replicas of it is not high availability by itself; use storage every replica can read for what it keeps there (its certificates and configuration as configs or secrets, or a volume every node mounts), then 2 or more replicas, or a managed service',
          line: 2,
          column: 3,
        },
      ],
    },
    {
      name: 'a named volume makes a marked service stateful',
      code: 'services:\n  search:\n    image: myorg/search:1\n    x-stackopt: {critical: true}\n    volumes:\n      - type: volume\n        source: index\n        target: /data\nvolumes:\n  index:\n',
      errors: [
        {
          message:
            'service "search" is critical (marked critical by x-stackopt.critical) and runs 1 replica (deploy.replicas is not set), but it keeps state (named volume "index" at /data): more replicas of it is not high availability by itself; use the software\'s own replication (primary/replica, sentinel, cluster mode), or a managed service',
          line: 2,
          column: 3,
        },
      ],
    },
    {
      name: 'a database by its name keeps its data in a host folder (a bind mount): no replicas added',
      // a corpus case: the service is built from a Dockerfile, its data directory is bind-mounted
      code: 'services:\n  postgres:\n    build: ./postgres\n    volumes:\n      - ./sample-data:/var/lib/postgresql/data\n',
      errors: [
        {
          messageId: 'statefulSingleReplica',
          message:
            'service "postgres" is critical (name is "postgres") and runs 1 replica (deploy.replicas is not set), but it keeps state (a host folder mounted writable, "./sample-data:/var/lib/postgresql/data"): more replicas of it is not high availability by itself; use streaming replication with a failover manager such as Patroni or repmgr, or a managed service',
          line: 2,
          column: 3,
          endColumn: 11,
        },
      ],
    },
    {
      name: 'a host folder named for data (long syntax) makes a marked service stateful; a variable in its path is shown as written',
      code: 'services:\n  api:\n    image: myorg/api:1\n    x-stackopt: {critical: true}\n    volumes:\n      - type: bind\n        source: ./data\n        target: /app/data\n  store:\n    image: myorg/store:1\n    x-stackopt: {critical: true}\n    volumes:\n      - ${DATA_PATH_HOST}/mysql:/var/lib/mysql\n',
      errors: [
        { messageId: 'statefulSingleReplica', message: /keeps state \(a host folder mounted writable at \/app\/data\)/, line: 2, column: 3 },
        { messageId: 'statefulSingleReplica', message: /keeps state \(a host folder mounted writable, "\$\{DATA_PATH_HOST\}\/mysql:\/var\/lib\/mysql"/, line: 9, column: 3 },
      ],
    },
    {
      name: 'configuration, a socket and a read-only folder bind-mounted into a proxy keep no state: replicas are added',
      code: 'services:\n  proxy:\n    image: traefik:v3.1\n    volumes:\n      - ./traefik:/etc/traefik\n      - /var/run/docker.sock:/var/run/docker.sock\n      - ./data:/srv/data:ro\n',
      errors: [{ messageId: 'singleReplica', line: 2, column: 3 }],
    },
    {
      name: 'a bind mount and an anonymous volume do not make a service stateful',
      code: 'services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - ./conf:/etc/nginx/conf.d:ro\n      - /var/cache/nginx\n',
      errors: [{ messageId: 'singleReplica', line: 2, column: 3 }],
    },
    {
      name: 'marked by a label (map form) and a deploy label (list form)',
      code: 'services:\n  billing:\n    image: myorg/billing:1\n    labels:\n      stackopt.critical: "true"\n  auth:\n    image: myorg/auth:1\n    deploy:\n      labels:\n        - stackopt.critical=true\n',
      errors: [
        { message: single('billing', 'marked critical by label stackopt.critical=true', '1 replica (deploy.replicas is not set)'), line: 2, column: 3 },
        { message: single('auth', 'marked critical by deploy label stackopt.critical=true', '1 replica (deploy.replicas is not set)'), line: 8, column: 5 },
      ],
    },
    {
      name: 'x-stackopt critical from ${VAR:-true}',
      code: 'services:\n  billing:\n    image: myorg/billing:1\n    x-stackopt:\n      critical: ${BILLING_CRITICAL:-true}\n',
      errors: [{ message: /is critical \(marked critical by x-stackopt\.critical\)/, line: 2, column: 3 }],
    },
    {
      name: 'high sleep priority (sleep_policy and x-sleep-policy)',
      code: 'services:\n  files:\n    image: myorg/files:1\n    sleep_policy:\n      priority: high\n  search:\n    image: myorg/search:1\n    x-sleep-policy:\n      priority: high\n      enabled: false\n',
      errors: [
        { message: single('files', 'sleep_policy.priority is "high"', '1 replica (deploy.replicas is not set)'), line: 2, column: 3 },
        { message: single('search', 'x-sleep-policy.priority is "high"', '1 replica (deploy.replicas is not set)'), line: 6, column: 3 },
      ],
    },
    {
      name: 'through a merge key: the value is reported where the anchor defines it',
      code: 'x-proxy: &proxy\n  image: traefik:v3.1\n  deploy:\n    replicas: 1\nservices:\n  edge:\n    <<: *proxy\n',
      errors: [{ message: single('edge', 'image "traefik:v3.1" matches "traefik"', '1 replica (deploy.replicas: 1)'), line: 4, column: 15, path: 'services.edge.deploy.replicas' }],
    },
    {
      name: 'a shared deploy block through an alias: points at the anchored deploy key',
      code: 'x-deploy: &deploy\n  resources:\n    limits: {memory: 1G}\nservices:\n  mq:\n    image: rabbitmq:3-management\n    deploy: *deploy\n',
      errors: [{ message: /^service "mq" is critical \(image "rabbitmq:3-management" matches "rabbitmq"\) and runs 1 replica \(deploy\.replicas is not set\), but it keeps state \(broker image/, line: 7, column: 5, endColumn: 11 }],
    },
    {
      name: 'extends in the same file: both the base and the service that extends it',
      code: 'services:\n  base:\n    image: haproxy:3.0\n    deploy:\n      replicas: 1\n  lb:\n    extends: base\n',
      errors: [
        { message: /^service "base" is critical/, line: 5, column: 17 },
        { message: /^service "lb" is critical \(image "haproxy:3\.0" matches "haproxy"\) but runs 1 replica \(deploy\.replicas: 1\)/, line: 5, column: 17, path: 'services.lb.deploy.replicas' },
      ],
    },
    {
      name: 'extends from another file keeps the base file position',
      code: {
        'compose.yaml': 'services:\n  cache:\n    extends:\n      file: base.yaml\n      service: redis\n',
        'base.yaml': 'services:\n  redis:\n    image: valkey/valkey:8\n    deploy:\n      replicas: 1\n',
      },
      errors: [{ message: /^service "cache" is critical \(image "valkey\/valkey:8" matches "valkey"\) and runs 1 replica/, line: 5, column: 17, file: 'base.yaml' }],
    },
    {
      name: 'an override file lowers replicas: reported in the override',
      code: {
        'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n',
        'compose.override.yaml': 'services:\n  web:\n    deploy:\n      replicas: 1\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ message: /runs 1 replica \(deploy\.replicas: 1\)/, line: 4, column: 17, file: 'compose.override.yaml' }],
    },
    {
      name: 'an override file switches global mode back to replicated',
      code: {
        'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    deploy:\n      mode: global\n',
        'compose.override.yaml': 'services:\n  web:\n    deploy:\n      mode: replicated\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ message: /runs 1 replica \(deploy\.replicas is not set\)/, line: 4, column: 5 }],
    },
    {
      name: 'extraCritical adds to the defaults',
      code: 'services:\n  billing-api:\n    image: myorg/billing:1\n  web:\n    image: nginx:1.27\n',
      options: { extraCritical: ['billing-*'] },
      errors: [
        { message: single('billing-api', 'name matches "billing-*"', '1 replica (deploy.replicas is not set)'), line: 2, column: 3 },
        { message: /^service "web" is critical/, line: 4, column: 3 },
      ],
    },
    {
      name: 'critical replaces the defaults; a pattern with / matches the image repository',
      code: 'services:\n  web:\n    image: nginx:1.27\n  search:\n    image: ghcr.io/myorg/search:2\n',
      options: { critical: ['myorg/*'] },
      errors: [{ message: single('search', 'image "ghcr.io/myorg/search:2" matches "myorg/*"', '1 replica (deploy.replicas is not set)'), line: 4, column: 3 }],
    },
    {
      name: 'a service named after a product; name: and image: prefixes in options',
      code: 'services:\n  postgres:\n    image: myorg/pg:16\n  edge:\n    image: myorg/edge-gateway:1\n  front:\n    image: myorg/front:1\n',
      options: { critical: ['postgres', 'name:front', 'image:edge-*'] },
      errors: [
        { message: single('postgres', 'name is "postgres"', '1 replica (deploy.replicas is not set)'), line: 2, column: 3 },
        { message: single('edge', 'image "myorg/edge-gateway:1" matches "edge-*"', '1 replica (deploy.replicas is not set)'), line: 4, column: 3 },
        { message: single('front', 'name is "front"', '1 replica (deploy.replicas is not set)'), line: 6, column: 3 },
      ],
    },
  ],
});

describe('critical-single-replica on the seed examples', () => {
  it('cloud-critical-scaled.yml: traefik (2), redis (3) and mcp-gateway (3) are not reported', () => {
    const file = resolve(import.meta.dirname, '../../fixtures/seed-examples/cloud-critical-scaled.yml');
    const res = lintProject({ files: [file], environment: {} });
    expect(res.findings.filter((f) => f.ruleId === 'critical-single-replica')).toEqual([]);
  });
});

describe('service-class', () => {
  const svc = (name: string, image: string | null, volumes: Array<Partial<Mount>> = []) =>
    ({ name, image: image === null ? null : { value: image }, volumes }) as unknown as Service;

  it('imageName strips registry, path, tag and digest', () => {
    expect(imageName('docker.io/library/postgres:15-alpine')).toBe('postgres');
    expect(imageName('bitnami/redis')).toBe('redis');
    expect(imageName('localhost:5000/team/api:1.2@sha256:abc')).toBe('api');
    expect(imageName('ghcr.io/Org/Web')).toBe('web');
    expect(imageName('')).toBe('');
    expect(parseImageReference('docker.io/library/postgres:15-alpine')).toMatchObject({ registry: 'docker.io', repository: 'postgres', tag: '15-alpine' });
    expect(parseImageReference('registry:5000/app')).toMatchObject({ registry: 'registry:5000', repository: 'app', tag: null });
  });

  it('classifyService from the image, then the name', () => {
    expect(classifyService(svc('x', 'docker.io/library/postgres:15-alpine'))).toBe('database');
    expect(classifyService(svc('x', 'bitnami/postgresql-repmgr:16'))).toBe('database');
    expect(classifyService(svc('x', 'bitnami/redis'))).toBe('cache');
    expect(classifyService(svc('x', 'confluentinc/cp-kafka:7.6.0'))).toBe('broker');
    expect(classifyService(svc('x', 'traefik:v3'))).toBe('proxy');
    expect(classifyService(svc('x', 'node:20-alpine'))).toBe('backend');
    expect(classifyService(svc('db', 'myorg/custom:1'))).toBe('database');
    expect(classifyService(svc('api-gateway', 'myorg/custom:1'))).toBe('proxy');
    expect(classifyService(svc('api', null))).toBe('backend');
    expect(classifyService(svc('mailer', 'myorg/mailer:1'))).toBe('default');
    expect(classifyService(svc('redis-exporter', 'oliver006/redis_exporter'))).toBe('default');
    expect(classifyService(svc('kafka-ui', 'provectuslabs/kafka-ui'))).toBe('default');
  });

  it('isStateful: a named volume or a database/cache/broker image', () => {
    expect(isStateful(svc('web', 'nginx', [{ type: 'volume', source: 'data', target: '/data' }]))).toBe(true);
    expect(isStateful(svc('web', 'nginx', [{ type: 'bind', source: './conf', target: '/etc' }]))).toBe(false);
    expect(isStateful(svc('web', 'nginx', [{ type: 'volume', source: null, target: '/cache' }]))).toBe(false);
    expect(isStateful(svc('web', 'nginx', [{ type: 'tmpfs', source: null, target: '/tmp' }]))).toBe(false);
    expect(isStateful(svc('q', 'rabbitmq:3'))).toBe(true);
    expect(isStateful(svc('db', 'myorg/custom:1'))).toBe(false); // the name alone does not make it stateful
  });

  it('isStateful: a host folder the service writes its data to (a bind mount)', () => {
    const bind = (source: string, target: string, readOnly = false): Partial<Mount> => ({ type: 'bind', source, target, readOnly });
    // a database, cache or broker by its name writes to any folder it is given writable
    expect(isStateful(svc('mysql', null, [bind('/srv/mysql', '/var/lib/mysql')]))).toBe(true);
    expect(isStateful(svc('db', 'myorg/custom:1', [bind('./pg', '/var/lib/postgresql')]))).toBe(true);
    expect(isStateful(svc('db', 'myorg/custom:1', [bind('./pg', '/var/lib/postgresql', true)]))).toBe(false);
    // any service: a folder mounted where data or a database's files go (the last part of the target)
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./data', '/app/data')]))).toBe(true);
    expect(isStateful(svc('store', 'myorg/store:1', [bind('/srv/x', '/var/lib/mysql')]))).toBe(true);
    expect(isStateful(svc('store', 'myorg/store:1', [bind('/srv/x', '/data/db/')]))).toBe(true);
    // a word ending in data, a store, state or uploads folder, anything under /var/lib
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./pg', '/pgdata')]))).toBe(true);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./files', '/app/uploads')]))).toBe(true);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./s', '/srv/storage/')]))).toBe(true);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./s', '/app/state')]))).toBe(true);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./s', '/var/lib/store')]))).toBe(true);
    expect(isStateful(svc('grafana', 'grafana/grafana:10.4.2', [bind('./g', '/var/lib/grafana')]))).toBe(true);
    expect(isStateful(svc('promtail', 'grafana/promtail:2.9.0', [bind('/var/lib/docker/containers', '/var/lib/docker/containers', true)]))).toBe(false);
    // not: the host path's words (a web root under ./data), a folder of a db folder
    expect(isStateful(svc('nginx', 'nginx:1.25-alpine', [bind('./data/certbot/www', '/var/www/certbot'), bind('./data/nginx', '/etc/nginx/conf.d')]))).toBe(false);
    expect(isStateful(svc('api-gateway', 'myorg/gw:1', [bind('./app/db/migrations', '/app/db/migrations')]))).toBe(false);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./app-db', '/srv/x')]))).toBe(false);
    // not: configuration, sockets and devices, caches, other folders
    expect(isStateful(svc('mysql', null, [bind('./my.cnf', '/etc/mysql/conf.d/my.cnf')]))).toBe(false);
    expect(isStateful(svc('redis', null, [bind('/var/run/docker.sock', '/var/run/docker.sock')]))).toBe(false);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./data-cache', '/app/cache')]))).toBe(false);
    expect(isStateful(svc('api', 'myorg/api:1', [bind('./src', '/app/src')]))).toBe(false);
    expect(isStateful(svc('web', 'nginx', [bind('./html', '/usr/share/nginx/html')]))).toBe(false);
  });

  it('patterns: globs over the whole name, case-insensitive', () => {
    expect(matchesPattern('*gateway*', 'MCP-Gateway')).toBe(true);
    expect(matchesPattern('redis', 'redis-exporter')).toBe(false);
    expect(matchesPattern('web-?', 'web-1')).toBe(true);
    expect(matchesPattern('a.b', 'axb')).toBe(false);
    expect(findPatternMatch(svc('cache', 'redis:7'), DEFAULT_CRITICAL_PATTERNS)).toEqual({ pattern: 'redis', subject: 'image', value: 'redis:7' });
    expect(findPatternMatch(svc('mcp-gateway', null), DEFAULT_CRITICAL_PATTERNS)).toEqual({ pattern: 'name:*gateway*', subject: 'name', value: 'mcp-gateway' });
    // the name-only defaults do not match images: a translator image built for a gateway is not a gateway
    expect(findPatternMatch(svc('chrome-devtools', 'forge-mcp-gateway-translate:latest'), DEFAULT_CRITICAL_PATTERNS)).toBeNull();
    expect(findPatternMatch(svc('web', 'myorg/web'), ['image:web'])).toEqual({ pattern: 'image:web', subject: 'image', value: 'myorg/web' });
    expect(findPatternMatch(svc('web', 'myorg/api'), ['image:web'])).toBeNull();
    expect(findPatternMatch(svc('api', 'myorg/api'), DEFAULT_CRITICAL_PATTERNS)).toBeNull();
  });
});

describe('critical-single-replica in proportion to the input', () => {
  // thousands of extraCritical globs over thousands of services: each service tried against every
  // glob cost their product (4,800 globs with `?` over 4,800 services: 9 s; 0.1 s once the globs
  // are filed by their literal start or end)
  it('takes time in proportion to the globs and the services, not their product', () => {
    const text = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  svc-${i}:\n    image: img-${i}:1\n`).join('')}`;
    const globs = (n: number) => [...Array.from({ length: n / 2 }, (_, i) => [`name:crit-?-${i}`, `image:x${i}*`, `*-${i}.svc`, `ghcr.io/${i}/*`]).flat(), 'name:svc-?'];
    const [small, large] = stacksOf(text, [1000, 16_000]);
    const run = ([stack, n]: [Stack, number]) => runWithNewOptions(stack, rule, () => ({ extraCritical: globs(n) }));
    const inputs: Array<[Stack, number]> = [
      [small!, 1000],
      [large!, 16_000],
    ];
    expect(run(inputs[0]!).map((f) => f.service)).toEqual(Array.from({ length: 10 }, (_, i) => `svc-${i}`));
    // linear work is about 16 times at 16 times the globs and services; each against each 256
    expect(cpuRatio(run, inputs[0]!, inputs[1]!)).toBeLessThan(100);
  }, 300_000);

  // globs that begin and end with a wildcard (`*-db-*`) were tried on every service (4,800 over 480
  // services: 2.6 s; 0.04 s once they are filed by the literal characters between)
  it('takes time in proportion to the globs and the services for globs with wildcards at both ends', () => {
    const text = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  svc-${i}:\n    image: img-${i}:1\n`).join('')}`;
    const globs = (n: number) => [...Array.from({ length: n / 2 }, (_, i) => [`name:*-crit${i}-*`, `image:?x${i}*`, `*.${i}.?`, `*/r${i}/*`]).flat(), 'name:*vc-1?'];
    const [small, large] = stacksOf(text, [1500, 24_000]);
    const run = ([stack, n]: [Stack, number]) => runWithNewOptions(stack, rule, () => ({ extraCritical: globs(n) }));
    const inputs: Array<[Stack, number]> = [
      [small!, 1500],
      [large!, 24_000],
    ];
    expect(run(inputs[0]!).map((f) => f.service)).toEqual(Array.from({ length: 10 }, (_, i) => `svc-${i + 10}`));
    // linear work is about 16 times at 16 times the globs and services; each against each 256
    expect(cpuRatio(run, inputs[0]!, inputs[1]!)).toBeLessThan(100);
  }, 300_000);
});

testReadmeExamples(rule, { incorrect: 3 });
