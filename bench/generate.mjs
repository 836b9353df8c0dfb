// Inputs the benchmarks share: synthetic stacks, a swarm snapshot, and folders of real compose
// files (copies of fixtures/corpus under names every linter's directory search picks up).
import { mkdirSync, readdirSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A synthetic stack of `n` services with limits, healthchecks, a merge key and a variable (bench/run.mjs). */
export function bigStack(n = 2000) {
  let text = `# synthetic stack: ${n.toLocaleString('en-US')} services\nx-defaults: &defaults\n  restart: unless-stopped\n  logging:\n    driver: json-file\nservices:\n`;
  for (let i = 0; i < n; i++) {
    text += `  svc-${i}:
    <<: *defaults
    image: "registry.example.com/team/svc-${i}:1.${i % 10}.0"
    user: "1000:1000"
    environment:
      LOG_LEVEL: \${LOG_LEVEL:-info}
      PORT: "${8000 + (i % 1000)}"
    deploy:
      replicas: ${1 + (i % 3)}
      resources:
        limits:
          cpus: "${i % 2 ? '0.5' : '1'}"
          memory: ${256 * (1 + (i % 4))}M
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:${8000 + (i % 1000)}/health"]
      interval: 30s
      timeout: 5s
      retries: 3
`;
  }
  return text;
}

const IMAGES = ['postgres:16', 'redis:7', 'traefik:v3.1', 'registry.example.com/team/api:1.2.0', 'rabbitmq:3.13', 'nginx:1.27', 'busybox:1.36', 'mongo:7'];

/** 2,000 services that all need something: the fix loop's worst case in size. */
export function dirtyStack() {
  let t = '# synthetic stack: 2,000 services that need fixing\nversion: "3.8"\n\nx-defaults: &defaults\n  restart: unless-stopped\n  logging:\n    driver: json-file\n\nservices:\n';
  for (let i = 0; i < 2000; i++) {
    const image = IMAGES[i % IMAGES.length];
    t += `  # service ${i}\n  svc-${i}:\n    <<: *defaults\n    image: ${image} # pinned\n`;
    if (i % 4 === 0) t += `    deploy:\n      replicas: 1\n`;
    else if (i % 4 === 1) t += `    deploy: { mode: replicated }\n`;
    if (i % 5 === 0) t += `    read_only: true\n`;
    if (i % 7 === 0) t += `    tmpfs:\n      - /run\n`;
    t += `    environment:\n      PORT: "${8000 + (i % 1000)}"\n`;
  }
  return t;
}

/** 2,000 services with nothing to fix for the safe fixes. */
export function cleanStack() {
  let t = '# synthetic stack: 2,000 services, nothing to fix\nservices:\n';
  for (let i = 0; i < 2000; i++) {
    t += `  svc-${i}:
    image: "registry.example.com/team/svc-${i}:1.${i % 10}.0"
    deploy:
      replicas: 2
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {cpus: "0.25", memory: 256M}
`;
  }
  return t;
}

/**
 * A synthetic swarm snapshot in the engine's JSON shapes: `SERVICES` services on `NODES` nodes, with
 * replicas, some failed task history and some pending tasks (bench/audit.mjs).
 */
export function swarmSnapshot(SERVICES = 500, NODES = 50) {
  const GiB = 1024 ** 3;
  const takenAt = '2026-01-01T12:00:00.000Z';
  const id = (p, i) => `${p}${String(i).padStart(24, '0')}`;
  const nodes = [];
  for (let i = 0; i < NODES; i++) {
    const manager = i < 3;
    nodes.push({
      ID: id('n', i),
      Spec: { Labels: { zone: ['a', 'b', 'c'][i % 3], ...(i % 10 === 0 ? { gpu: 'yes' } : {}) }, Role: manager ? 'manager' : 'worker', Availability: i === 7 ? 'drain' : 'active' },
      Description: {
        Hostname: `node-${String(i).padStart(2, '0')}`,
        Platform: { Architecture: 'x86_64', OS: 'linux' },
        Resources: { NanoCPUs: 8e9, MemoryBytes: 32 * GiB },
        Engine: { EngineVersion: '27.3.1', Labels: {} },
      },
      Status: { State: i === 13 ? 'down' : 'ready', Message: i === 13 ? 'heartbeat failure' : '', Addr: `10.0.${i >> 8}.${i & 255}` },
      ...(manager ? { ManagerStatus: { Leader: i === 0, Reachability: 'reachable', Addr: `10.0.0.${i}:2377` } } : {}),
    });
  }
  const services = [];
  const tasks = [];
  let taskNo = 0;
  for (let i = 0; i < SERVICES; i++) {
    const stack = `stack${i % 20}`;
    const name = `${stack}_svc-${i}`;
    const global = i % 25 === 0;
    const replicas = 1 + (i % 3);
    const hardened = i % 2 === 0;
    const svc = {
      ID: id('s', i),
      Spec: {
        Name: name,
        Labels: {
          'com.docker.stack.namespace': stack,
          'com.docker.stack.image': `registry.example.com/team/svc-${i}:1.${i % 10}.0`,
          ...(i % 7 === 0 ? { 'stackopt.sleep-policy.priority': i % 14 === 0 ? 'high' : 'low', 'stackopt.sleep-policy.idle_timeout': '300' } : {}),
        },
        TaskTemplate: {
          ContainerSpec: {
            Image: `registry.example.com/team/svc-${i}:1.${i % 10}.0@sha256:${'c'.repeat(64)}`,
            Labels: { 'com.docker.stack.namespace': stack },
            Args: ['serve', '--port', String(8000 + (i % 1000))],
            Env: [`PORT=${8000 + (i % 1000)}`, 'LOG_LEVEL=info'],
            ...(hardened ? { User: '1000:1000', ReadOnly: true, CapabilityDrop: ['ALL'], Mounts: [{ Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024 } }] } : {}),
            ...(i % 3 !== 0 ? { Healthcheck: { Test: ['CMD', 'wget', '-qO-', `http://localhost:${8000 + (i % 1000)}/health`], Interval: 30e9, Timeout: 5e9, Retries: 3 } } : {}),
            StopGracePeriod: 10e9,
          },
          Resources: {
            Limits: { NanoCPUs: (i % 2 ? 0.5 : 1) * 1e9, MemoryBytes: 256 * (1 + (i % 4)) * 1024 * 1024 },
            Reservations: { NanoCPUs: 0.1e9, MemoryBytes: (i === 499 ? 64 * GiB : 128 * 1024 * 1024) },
          },
          RestartPolicy: { Condition: 'on-failure', Delay: 5e9, MaxAttempts: 3, Window: 120e9 },
          Placement: {
            Constraints: i % 50 === 0 ? ['node.labels.zone == mars'] : i % 5 === 0 ? ['node.role == worker', `node.labels.zone == ${['a', 'b', 'c'][i % 3]}`] : [],
            ...(i % 11 === 0 ? { MaxReplicas: 1 } : {}),
          },
        },
        Mode: global ? { Global: {} } : { Replicated: { Replicas: replicas } },
        UpdateConfig: { Parallelism: 1, Delay: 10e9, FailureAction: 'rollback', Monitor: 5e9, MaxFailureRatio: 0, Order: 'start-first' },
        RollbackConfig: { Parallelism: 1, FailureAction: 'pause', Monitor: 5e9, MaxFailureRatio: 0, Order: 'stop-first' },
        EndpointSpec: { Mode: 'vip' },
      },
    };
    services.push(svc);
    const res = svc.Spec.TaskTemplate.Resources;
    const count = global ? NODES : replicas;
    for (let r = 0; r < count; r++) {
      const node = nodes[(i * 7 + r * 13) % NODES];
      const failing = i % 17 === 0 && r === 0;
      tasks.push({
        ID: id('t', taskNo++), ServiceID: svc.ID, NodeID: node.ID, Slot: r + 1, DesiredState: 'running',
        Status: { Timestamp: takenAt, State: failing ? 'starting' : 'running', Message: 'started' },
        Spec: { Resources: res },
      });
      if (failing) {
        for (let h = 0; h < 4; h++) {
          tasks.push({
            ID: id('t', taskNo++), ServiceID: svc.ID, NodeID: node.ID, Slot: r + 1, DesiredState: 'shutdown',
            Status: { Timestamp: new Date(Date.parse(takenAt) - (h + 1) * 60_000).toISOString(), State: 'failed', Message: 'started', Err: 'task: non-zero exit (1)', ContainerStatus: { ExitCode: 1 } },
            Spec: { Resources: res },
          });
        }
      }
    }
  }
  const snapshot = {
    format: 'stackopt-swarm-snapshot', version: 1, takenAt, engine: 'synthetic (bench/audit.mjs)',
    info: { ServerVersion: '27.3.1', Swarm: { NodeID: nodes[0].ID, LocalNodeState: 'active', ControlAvailable: true, Nodes: NODES, Managers: 3 } },
    nodes, services, tasks,
  };
  return snapshot;
}

/** The real compose files of fixtures/corpus, in a stable order. */
function corpusFiles(root) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e)) out.push(p);
    }
  };
  walk(join(root, 'fixtures/corpus'));
  return out;
}

/** `n` real compose files in `dir`, the corpus round and round, named docker-compose.NNNN.yml. */
export function realFiles(root, dir, n) {
  const files = corpusFiles(root);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) copyFileSync(files[i % files.length], join(dir, `docker-compose.${String(i).padStart(4, '0')}.yml`));
  return dir;
}
