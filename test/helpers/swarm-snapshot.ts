import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { auditSnapshot, type AuditOptions, type AuditResult } from '../../src/audit/audit.js';
import type { DockerNode, DockerService, DockerTask, Healthcheck } from '../../src/audit/docker-types.js';
import { parseSnapshot, SNAPSHOT_FORMAT, type SwarmSnapshot } from '../../src/audit/snapshot.js';
import type { Finding } from '../../src/engine/types.js';

/**
 * Swarm snapshots for unit tests: the ones recorded from real engines (fixtures/audit/), and small
 * synthetic ones built field by field in the engine's own JSON shapes, for the cases a test
 * machine cannot produce (five managers, a node that lost memory, a paused update).
 */

const root = join(import.meta.dirname, '..', '..');

/** A snapshot recorded by the integration tests (`single-node`, `multi-node`). */
export function recordedSnapshot(name: 'single-node' | 'multi-node'): SwarmSnapshot {
  const file = join(root, 'fixtures', 'audit', `${name}.json`);
  return parseSnapshot(readFileSync(file, 'utf8'), file);
}

export const TAKEN_AT = '2026-01-01T12:00:00.000Z';
const GiB = 1024 ** 3;

let counter = 0;
const nextId = (prefix: string) => `${prefix}${String(++counter).padStart(23, '0')}`;

export interface NodeSpec {
  hostname: string;
  role?: 'manager' | 'worker';
  availability?: 'active' | 'pause' | 'drain';
  state?: 'ready' | 'down' | 'unknown' | 'disconnected';
  message?: string;
  labels?: Record<string, string>;
  engineLabels?: Record<string, string>;
  cpus?: number;
  memoryGiB?: number;
  arch?: string;
  addr?: string;
  leader?: boolean;
  reachability?: 'reachable' | 'unreachable' | 'unknown';
}

export function node(p: NodeSpec): DockerNode {
  const role = p.role ?? 'worker';
  return {
    ID: nextId('n'),
    Spec: { Labels: p.labels ?? {}, Role: role, Availability: p.availability ?? 'active' },
    Description: {
      Hostname: p.hostname,
      Platform: { Architecture: p.arch ?? 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: (p.cpus ?? 4) * 1e9, MemoryBytes: (p.memoryGiB ?? 8) * GiB },
      Engine: { EngineVersion: '27.0.0', Labels: p.engineLabels ?? {} },
    },
    Status: { State: p.state ?? 'ready', Message: p.message ?? '', Addr: p.addr ?? '10.0.0.1' },
    ...(role === 'manager'
      ? { ManagerStatus: { Leader: p.leader ?? false, Reachability: p.reachability ?? 'reachable', Addr: `${p.addr ?? '10.0.0.1'}:2377` } }
      : {}),
  };
}

export interface ServiceSpecInput {
  name: string;
  stack?: string;
  replicas?: number;
  mode?: 'replicated' | 'global' | 'replicated-job' | 'global-job';
  /** a replicated job's TotalCompletions (default 1) */
  completions?: number;
  /** a job's current run (JobStatus.JobIteration.Index; default 0) */
  iteration?: number;
  constraints?: string[];
  maxReplicas?: number;
  reserve?: { cpus?: number; memory?: number };
  limit?: { cpus?: number; memory?: number };
  image?: string;
  user?: string;
  labels?: Record<string, string>;
  update?: { state: string; message?: string };
  healthcheck?: Healthcheck;
}

export function service(p: ServiceSpecInput): DockerService {
  const labels: Record<string, string> = { ...(p.labels ?? {}) };
  if (p.stack) {
    labels['com.docker.stack.namespace'] = p.stack;
    labels['com.docker.stack.image'] = p.image ?? 'registry.example.com/app:1.0';
  }
  const mode = p.mode ?? 'replicated';
  return {
    ID: nextId('s'),
    Spec: {
      Name: p.name,
      Labels: labels,
      TaskTemplate: {
        ContainerSpec: {
          Image: `${p.image ?? 'registry.example.com/app:1.0'}@sha256:${'a'.repeat(64)}`,
          ...(p.user ? { User: p.user } : {}),
          ...(p.healthcheck ? { Healthcheck: p.healthcheck } : {}),
        },
        Resources: {
          ...(p.limit ? { Limits: { NanoCPUs: (p.limit.cpus ?? 0) * 1e9, MemoryBytes: p.limit.memory ?? 0 } } : {}),
          ...(p.reserve ? { Reservations: { NanoCPUs: (p.reserve.cpus ?? 0) * 1e9, MemoryBytes: p.reserve.memory ?? 0 } } : {}),
        },
        Placement: { ...(p.constraints ? { Constraints: p.constraints } : {}), ...(p.maxReplicas ? { MaxReplicas: p.maxReplicas } : {}) },
      },
      Mode:
        mode === 'global'
          ? { Global: {} }
          : mode === 'replicated-job'
            ? { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: p.completions ?? 1 } }
            : mode === 'global-job'
              ? { GlobalJob: {} }
              : { Replicated: { Replicas: p.replicas ?? 1 } },
    },
    ...(mode === 'replicated-job' || mode === 'global-job' ? { JobStatus: { JobIteration: p.iteration ? { Index: p.iteration } : {}, LastExecution: TAKEN_AT } } : {}),
    ...(p.update ? { UpdateStatus: { State: p.update.state, Message: p.update.message ?? '' } } : {}),
  };
}

export interface TaskInput {
  service: DockerService;
  node?: DockerNode;
  state: string;
  desired?: string;
  err?: string;
  exitCode?: number;
  /** seconds before TAKEN_AT */
  ago?: number;
  slot?: number;
}

export function task(p: TaskInput): DockerTask {
  const res = p.service.Spec.TaskTemplate?.Resources;
  const at = new Date(Date.parse(TAKEN_AT) - (p.ago ?? 60) * 1000).toISOString();
  return {
    ID: nextId('t'),
    ServiceID: p.service.ID,
    ...(p.node ? { NodeID: p.node.ID } : {}),
    Slot: p.slot ?? 1,
    DesiredState: p.desired ?? (['failed', 'rejected', 'shutdown', 'complete'].includes(p.state) ? 'shutdown' : 'running'),
    Status: { Timestamp: at, State: p.state, Message: p.state, ...(p.err ? { Err: p.err } : {}), ...(p.exitCode !== undefined ? { ContainerStatus: { ExitCode: p.exitCode } } : {}) },
    ...(res ? { Spec: { Resources: res } } : {}),
  };
}

/** `n` running tasks of a service, spread over the nodes in turn. */
export function running(svc: DockerService, nodes: DockerNode[], n: number): DockerTask[] {
  return Array.from({ length: n }, (_, i) => task({ service: svc, node: nodes[i % nodes.length], state: 'running', slot: i + 1 }));
}

export function snapshot(p: { nodes: DockerNode[]; services?: DockerService[]; tasks?: DockerTask[] }): SwarmSnapshot {
  const managers = p.nodes.filter((n) => n.Spec?.Role === 'manager');
  const local = managers.find((m) => m.ManagerStatus?.Leader) ?? managers[0];
  return {
    format: SNAPSHOT_FORMAT,
    version: 1,
    takenAt: TAKEN_AT,
    engine: 'DOCKER_HOST=unix:///test/docker.sock',
    info: { ServerVersion: '27.0.0', Swarm: { NodeID: local?.ID, LocalNodeState: 'active', ControlAvailable: true, Nodes: p.nodes.length, Managers: managers.length } },
    nodes: p.nodes,
    services: p.services ?? [],
    tasks: p.tasks ?? [],
  };
}

/** The findings of one rule, as `[severity, object, message]`. */
export function findingsOf(result: AuditResult | Finding[], ruleId: string): Array<[string, string, string]> {
  const list = Array.isArray(result) ? result : result.findings;
  return list.filter((f) => f.ruleId === ruleId).map((f) => [f.severity, f.file, f.message]);
}

export function audit(snap: SwarmSnapshot, opts: AuditOptions = {}): AuditResult {
  return auditSnapshot(snap, opts);
}

/** A swarm's root CA certificate recorded from a real engine: issued 2026-12-05 21:42:00 UTC, valid 20 years. */
export const RECORDED_ROOT_CA =
  '-----BEGIN CERTIFICATE-----\nMIIBaTCCARCgAwIBAgIUGlg9Z2nqytPYtTAqrzxVbXv06bEwCgYIKoZIzj0EAwIw\nEzERMA8GA1UEAxMIc3dhcm0tY2EwHhcNMjYxMjA1MjE0MjAwWhcNNDYxMTMwMjE0\nMjAwWjATMREwDwYDVQQDEwhzd2FybS1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEH\nA0IABIyLPEE44TfYXo4mmNjsNgvQerjwAYL8rhi8BAd40DLBGciZ1PYumlTp3tFH\nvO/DypjIRh46QYETyzBQ9WZWfaajQjBAMA4GA1UdDwEB/wQEAwIBBjAPBgNVHRMB\nAf8EBTADAQH/MB0GA1UdDgQWBBSik1rPoDpJ1AKblg058+ijFVmIUzAKBggqhkjO\nPQQDAgNHADBEAiAdhp7dQVbgRrnF74JxtS/RqQpIWRWRD2A3Jsktzw6qPwIgHdGU\nSGNSbLZYMDt346HuqHT1ftoDD4XzT+wgx95XEi8=\n-----END CERTIFICATE-----\n';

/** The swarm settings of `docker info` (`Swarm.Cluster`) on a snapshot, as a manager shows them (docker's defaults unless said). */
export function withSwarmSettings(
  snap: SwarmSnapshot,
  p: { autolock?: boolean; certExpiryDays?: number; trustRoot?: string; rotating?: boolean; takenAt?: string } = {},
): SwarmSnapshot {
  const cluster = {
    ID: 'c'.repeat(25),
    Spec: {
      Name: 'default',
      CAConfig: { NodeCertExpiry: (p.certExpiryDays ?? 90) * 24 * 3600 * 1e9 },
      EncryptionConfig: { AutoLockManagers: p.autolock ?? false },
    },
    TLSInfo: { TrustRoot: p.trustRoot ?? RECORDED_ROOT_CA },
    RootRotationInProgress: p.rotating ?? false,
  };
  return { ...snap, takenAt: p.takenAt ?? snap.takenAt, info: { ...snap.info, Swarm: { ...snap.info.Swarm, Cluster: cluster } } };
}
