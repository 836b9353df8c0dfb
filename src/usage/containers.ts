import type { DockerContainer, DockerContainerStats } from '../audit/docker-types.js';
import { parseBytes } from '../model/units.js';
import { serviceKey } from '../model/usage-profile.js';

/**
 * What a container is to a usage profile: the service it runs for (from the labels swarm and
 * compose put on it) and the figures of one `docker stats` reading.
 */

export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';
export const SWARM_TASK_LABEL = 'com.docker.swarm.task.name';
export const STACK_LABEL = 'com.docker.stack.namespace';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
const COMPOSE_NUMBER_LABEL = 'com.docker.compose.container-number';

export interface ContainerIdentity {
  /** the profile key: `stack/service`, or `service` */
  key: string;
  kind: 'swarm' | 'compose';
  stack: string | null;
  /** within its stack: `web` */
  service: string;
  /** as docker names it: `shop_web` for swarm, the compose service name for compose */
  fullName: string;
  /** the replica a container is (swarm slot, or node for a global service; compose container number) */
  slot: string;
}

/** The service a container belongs to, from its labels; null for a container of neither swarm nor compose. */
export function identifyContainer(labels: Record<string, string> | null | undefined): ContainerIdentity | null {
  if (!labels) return null;
  const swarmName = labels[SWARM_SERVICE_LABEL];
  if (swarmName) {
    const stack = labels[STACK_LABEL] || null;
    const service = stack && swarmName.startsWith(`${stack}_`) && swarmName.length > stack.length + 1 ? swarmName.slice(stack.length + 1) : swarmName;
    // task name `shop_web.2.<task id>` (replicated) or `shop_agent.<node id>.<task id>` (global): the slot is all but the task id
    const task = labels[SWARM_TASK_LABEL] ?? '';
    const cut = task.lastIndexOf('.');
    const slot = cut > 0 ? task.slice(0, cut) : task || swarmName;
    return { key: serviceKey(stack, service), kind: 'swarm', stack, service, fullName: swarmName, slot };
  }
  const composeService = labels[COMPOSE_SERVICE_LABEL];
  if (composeService) {
    const stack = labels[COMPOSE_PROJECT_LABEL] || null;
    const slot = `${stack ?? ''}/${composeService}/${labels[COMPOSE_NUMBER_LABEL] ?? '1'}`;
    return { key: serviceKey(stack, composeService), kind: 'compose', stack, service: composeService, fullName: composeService, slot };
  }
  return null;
}

/** Whether a container's service is one the user asked for (`--stack`, `--service` by short or full name). */
export function inScope(id: ContainerIdentity, stack: string | null, services: ReadonlySet<string>): boolean {
  if (stack !== null && id.stack !== stack) return false;
  return services.size === 0 || services.has(id.service) || services.has(id.fullName) || services.has(id.key);
}

/** The limits a container runs with: CPUs (NanoCpus, or a CFS quota over its period) and memory bytes; null when unlimited. */
export function containerLimits(c: DockerContainer): { cpus: number | null; memory: number | null } {
  const h = c.HostConfig ?? {};
  let cpus: number | null = null;
  if (h.NanoCpus && h.NanoCpus > 0) cpus = h.NanoCpus / 1e9;
  else if (h.CpuQuota && h.CpuQuota > 0) cpus = h.CpuQuota / (h.CpuPeriod && h.CpuPeriod > 0 ? h.CpuPeriod : 100_000);
  return { cpus, memory: h.Memory && h.Memory > 0 ? h.Memory : null };
}

export interface UsageReading {
  /** cores */
  cpu: number;
  /** working set, bytes */
  memory: number;
  pids: number;
}

/**
 * One `docker stats` line as figures: `25.24%` → 0.2524 cores, `200.8MiB / 512MiB` → the bytes
 * before the slash (the CLI prints 4 significant digits), `3` PIDs. null when the reading is not
 * usable: figures docker could not give (`--`), or a container that stopped between the listing
 * and the reading (no memory and no process).
 */
export function readStats(row: DockerContainerStats): UsageReading | null {
  const cpuText = row.CPUPerc?.trim() ?? '';
  const m = /^(\d+(?:\.\d+)?)%$/.exec(cpuText);
  if (!m) return null;
  const memText = row.MemUsage?.split('/')[0]?.trim() ?? '';
  const memory = parseBytes(memText);
  if (memory === null) return null;
  const pids = /^\d+$/.test(row.PIDs?.trim() ?? '') ? Number(row.PIDs!.trim()) : 0;
  if (memory === 0 && pids === 0) return null;
  return { cpu: Number(m[1]) / 100, memory, pids };
}
