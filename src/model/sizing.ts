/**
 * How `stackopt fix` sizes a service that sets no resource limits: a limit per service class
 * (database, cache, broker, proxy/gateway, backend, default), from a preset, with reservations at a
 * ratio of the limits: by default a fifth of the CPUs and half of the memory, the proportions of
 * the seed's resource example (0.1 of a 0.5 CPU limit, 256M of 512M).
 *
 * The presets draw on the stacks we learn from: `large` is the cloud remediation plan's table
 * (database 4 CPUs / 8G, cache and backend 2 / 4G, everything else 1 / 2G); `small` and `edge`
 * follow the MCP stack's small-production and development tables (API 1 / 1G, UI 0.5 / 512M; API
 * 0.5 / 512M, UI 0.25 / 256M) and the edge report's per-service 1 CPU / 512M ceiling; `default`
 * sits between small and large.
 */
import { classifyService, type ServiceClass } from './service-class.js';
import type { Service } from './types.js';
import { formatBytes, MAX_DOCKER_BYTES, MAX_DOCKER_CPUS, parseBytes, parseCpus } from './units.js';

export const SERVICE_CLASSES: readonly ServiceClass[] = ['database', 'cache', 'broker', 'proxy', 'backend', 'default'];

export interface ClassSize {
  /** CPUs, e.g. 0.5 */
  cpus: number;
  /** bytes */
  memory: number;
}

export type SizingTable = Record<ServiceClass, ClassSize>;

export const PRESET_NAMES = ['edge', 'small', 'default', 'large'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const M = 1024 ** 2;
const G = 1024 ** 3;

/** The built-in presets: limits per service class. */
export const SIZING_PRESETS: Readonly<Record<PresetName, Readonly<SizingTable>>> = Object.freeze({
  edge: {
    database: { cpus: 1, memory: 1 * G },
    cache: { cpus: 0.5, memory: 256 * M },
    broker: { cpus: 0.5, memory: 512 * M },
    proxy: { cpus: 0.25, memory: 128 * M },
    backend: { cpus: 1, memory: 512 * M },
    default: { cpus: 0.25, memory: 256 * M },
  },
  small: {
    database: { cpus: 1, memory: 2 * G },
    cache: { cpus: 0.5, memory: 512 * M },
    broker: { cpus: 1, memory: 1 * G },
    proxy: { cpus: 0.5, memory: 256 * M },
    backend: { cpus: 1, memory: 1 * G },
    default: { cpus: 0.5, memory: 512 * M },
  },
  default: {
    database: { cpus: 2, memory: 4 * G },
    cache: { cpus: 1, memory: 1 * G },
    broker: { cpus: 1, memory: 2 * G },
    proxy: { cpus: 1, memory: 512 * M },
    backend: { cpus: 2, memory: 2 * G },
    default: { cpus: 1, memory: 1 * G },
  },
  large: {
    database: { cpus: 4, memory: 8 * G },
    cache: { cpus: 2, memory: 4 * G },
    broker: { cpus: 2, memory: 4 * G },
    proxy: { cpus: 1, memory: 1 * G },
    backend: { cpus: 2, memory: 4 * G },
    default: { cpus: 1, memory: 2 * G },
  },
});

/** Reservations as fractions of the limits, per resource. */
export interface ReservationRatio {
  cpus: number;
  memory: number;
}

/**
 * Reservations are these fractions of the limits unless configured otherwise. Swarm schedules by
 * reservations (a task waits until a node has them free), so they are what a service needs to run,
 * not what it may burst to: a fifth of the CPU limit and half of the memory limit, as the seed's
 * resource example reserves 0.1 of a 0.5 CPU limit and 256M of a 512M one.
 */
export const DEFAULT_RESERVATION_RATIO: Readonly<ReservationRatio> = Object.freeze({ cpus: 0.2, memory: 0.5 });

/** How the ratio may be written: one number for both resources, or per resource (a missing one keeps its default). */
export type ReservationRatioSetting = number | { cpus?: number; memory?: number };

/** The ratio a setting gives; throws SizingError for a ratio outside (0, 1]. */
export function resolveReservationRatio(setting: ReservationRatioSetting | undefined): ReservationRatio {
  const r: ReservationRatio =
    typeof setting === 'number'
      ? { cpus: setting, memory: setting }
      : { cpus: setting?.cpus ?? DEFAULT_RESERVATION_RATIO.cpus, memory: setting?.memory ?? DEFAULT_RESERVATION_RATIO.memory };
  for (const key of ['cpus', 'memory'] as const) {
    const v = r[key];
    if (!(typeof v === 'number' && v > 0 && v <= 1)) {
      throw new SizingError(`reservation ratio${typeof setting === 'number' ? '' : ` for ${key}`} must be above 0 and at most 1, not ${String(v)}`);
    }
  }
  return r;
}

/** What a user may override (config `rules.resource-limits.options.sizing`): sizes as written in compose. */
export interface SizingOverrides {
  [cls: string]: { cpus?: number | string; memory?: number | string } | undefined;
}

export interface Sizing {
  preset: PresetName;
  table: SizingTable;
  reservationRatio: ReservationRatio;
}

/** A sizing option that cannot be used; `serviceClass` and `field` name the entry at fault, when one is. */
export class SizingError extends Error {
  constructor(
    message: string,
    readonly serviceClass?: string,
    readonly field?: 'cpus' | 'memory',
  ) {
    super(message);
  }
}

export function isPresetName(s: string): s is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(s);
}

/**
 * The sizing table for a preset with per-class overrides applied. Throws `SizingError` for an
 * unknown preset, class or an unreadable size.
 */
export function resolveSizing(preset: string = 'default', overrides: SizingOverrides = {}, ratio?: ReservationRatioSetting): Sizing {
  if (!isPresetName(preset)) throw new SizingError(`unknown sizing preset "${preset}"; choose one of ${PRESET_NAMES.join(', ')}`);
  const reservationRatio = resolveReservationRatio(ratio);
  const table = {} as SizingTable;
  for (const cls of SERVICE_CLASSES) table[cls] = { ...SIZING_PRESETS[preset][cls] };
  for (const [cls, o] of Object.entries(overrides)) {
    if (!o) continue;
    if (!(SERVICE_CLASSES as readonly string[]).includes(cls)) throw new SizingError(`unknown service class "${cls}" in sizing; the classes are ${SERVICE_CLASSES.join(', ')}`, cls);
    const row = table[cls as ServiceClass];
    if (o.cpus !== undefined) {
      const c = parseCpus(o.cpus);
      if (c === null || c <= 0) throw new SizingError(`sizing.${cls}.cpus: "${o.cpus}" is not a CPU count such as 0.5 or 2`, cls, 'cpus');
      if (c > MAX_DOCKER_CPUS) throw new SizingError(`sizing.${cls}.cpus: "${o.cpus}" is more CPUs than docker holds (at most ${MAX_DOCKER_CPUS})`, cls, 'cpus');
      row.cpus = c;
    }
    if (o.memory !== undefined) {
      const m = parseBytes(o.memory);
      if (m === null || m <= 0) throw new SizingError(`sizing.${cls}.memory: "${o.memory}" is not a size such as 512M or 2G`, cls, 'memory');
      if (m > MAX_DOCKER_BYTES) throw new SizingError(`sizing.${cls}.memory: "${o.memory}" is more than docker holds (an int64 of bytes, just under 8 EiB)`, cls, 'memory');
      row.memory = m;
    }
  }
  return { preset, table, reservationRatio };
}

/** The limits the fixer gives a service of this kind. */
export function sizeFor(svc: Pick<Service, 'name' | 'image'>, sizing: Sizing): { cls: ServiceClass; size: ClassSize } {
  const cls = classifyService(svc);
  return { cls, size: sizing.table[cls] };
}

/** CPUs as compose writes them: a quoted decimal string (`'0.5'`, `'2'`), at most three decimals. */
export function formatCpus(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Memory as compose writes it: the largest exact unit (`512M`, `2G`), whole megabytes at least. */
export function formatMemory(bytes: number): string {
  const mb = Math.max(1, Math.floor(bytes / M));
  return formatBytes(mb * M);
}

/** A reservation at `ratio` of a limit, rounded down to whole megabytes / thousandths of a CPU. */
export function reservationOf(limit: ClassSize, ratio: ReservationRatio): ClassSize {
  return {
    cpus: Math.max(0.001, Math.floor(Math.round(limit.cpus * ratio.cpus * 1e6) / 1000) / 1000),
    memory: Math.max(M, Math.floor((limit.memory * ratio.memory) / M) * M),
  };
}

/** The table as Markdown rows (for docs and `--help`). */
export function describeSizing(sizing: Sizing): string[] {
  return SERVICE_CLASSES.map((cls) => {
    const s = sizing.table[cls];
    const r = reservationOf(s, sizing.reservationRatio);
    return `${cls.padEnd(9)} limits ${formatCpus(s.cpus).padStart(4)} CPUs ${formatMemory(s.memory).padStart(5)}   reservations ${formatCpus(r.cpus).padStart(5)} CPUs ${formatMemory(r.memory).padStart(5)}`;
  });
}

/** What each class is detected from, for the docs (src/model/service-class.ts has the full lists). */
export const CLASS_EXAMPLES: Readonly<Record<ServiceClass, string>> = {
  database: 'postgres, mysql, mariadb, mongo, elasticsearch, clickhouse, etcd, … running their own server; a service named `db`',
  cache: 'redis, valkey, keydb, dragonfly, memcached',
  broker: 'rabbitmq, kafka, redpanda, nats, zookeeper, mosquitto, …',
  proxy: 'traefik, nginx, haproxy, envoy, caddy, kong, varnish; names with the word `proxy`, `gateway`, `ingress`, `lb`',
  backend: 'node, python, golang, openjdk, php, ruby, …; names such as `api`, `backend`, `server`, `worker`, `app`',
  default: 'anything else: jobs, collectors (`prom/pushgateway`, `zabbix/*`), a backup loop on a database image',
};

/** The presets as a Markdown table (README and docs/fix.md carry it; a test keeps them equal). */
export function sizingMarkdown(): string {
  const cell = (s: ClassSize) => `${formatCpus(s.cpus)} CPU / ${formatMemory(s.memory)}`;
  const lines = [
    `| class | detected from (image, else service name) | ${PRESET_NAMES.map((p) => `\`${p}\``).join(' | ')} |`,
    `| --- | --- | ${PRESET_NAMES.map(() => '---').join(' | ')} |`,
  ];
  for (const cls of SERVICE_CLASSES) lines.push(`| ${cls} | ${CLASS_EXAMPLES[cls]} | ${PRESET_NAMES.map((p) => cell(SIZING_PRESETS[p][cls])).join(' | ')} |`);
  return lines.join('\n');
}
