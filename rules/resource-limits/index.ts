import { at, child, deepest, items, keyLoc, scalarValue, type LRef } from '../../src/model/access.js';
import { formatBytes, parseBytes } from '../../src/model/units.js';
import { defineRule, type Fix } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';
import type { Service, Stack } from '../../src/model/types.js';
import { buildSharedFix, commented, completesAnotherFile, FixBuilder, noFix, type YamlValue } from '../../src/engine/fixer.js';
import { checkUsage, usageSizer, type UsageSizer } from './usage.js';
import { writtenWhenSet } from '../show-value.js';
import { RESOURCE_TWINS, type ResourceTwin } from '../../src/model/compose-consistency.js';
import {
  DEFAULT_RESERVATION_RATIO,
  formatCpus,
  formatMemory,
  PRESET_NAMES,
  reservationOf,
  resolveSizing,
  SizingError,
  sizeFor,
  SERVICE_CLASSES,
  type ReservationRatioSetting,
  type Sizing,
  type SizingOverrides,
} from '../../src/model/sizing.js';

export interface ResourceLimitsOptions extends Record<string, unknown> {
  /** sizing preset used by the fix: edge, small, default, large */
  preset: string;
  /** per-class overrides of the preset: `{database: {cpus: 2, memory: 4G}}` */
  sizing: SizingOverrides;
  /** reservations added by the fix, as a fraction of the limits: one number, or per resource */
  reservationRatio: ReservationRatioSetting;
}

const RATIO_SCHEMA = { type: 'number', exclusiveMinimum: 0, maximum: 1 };

const sizeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cpus: { type: ['number', 'string'] }, memory: { type: ['number', 'string'] } },
};

export default defineRule<ResourceLimitsOptions>({
  meta: {
    id: 'resource-limits',
    description: 'Every service sets deploy.resources.limits.cpus and .memory, and no reservation exceeds its limit.',
    severity: 'error',
    category: 'resources',
    fixable: 'safe',
    messages: {
      missing: 'service "{{service}}" sets no {{what}} limit; add deploy.resources.limits.{{keys}}',
      reservationAboveLimit:
        'service "{{service}}" reserves {{reserved}} of {{what}} but is limited to {{limit}}; a reservation must not exceed its limit (lower deploy.resources.reservations.{{key}})',
      oomKilled:
        'service "{{service}}" was killed by its memory limit {{kills}} ({{usage}}); its limit {{limit}} is below the {{recommended}} it needs ({{evidence}}): raise deploy.resources.limits.memory',
      memoryBelowPeak:
        'service "{{service}}" is limited to {{limit}} of memory but used up to {{peak}} {{window}} ({{usage}}), so at this limit it would be killed: raise deploy.resources.limits.memory to {{recommended}} ({{evidence}})',
      cpuThrottled:
        'service "{{service}}" was throttled in {{share}} of its CPU periods ({{usage}}) at the limit {{limit}} CPU: raise deploy.resources.limits.cpus to {{recommended}} ({{evidence}})',
      cpuBelowUsage:
        'service "{{service}}" is limited to {{limit}} CPU but used {{used}} CPU at the 99th percentile {{window}} ({{usage}}), so at this limit it would be throttled: raise deploy.resources.limits.cpus to {{recommended}} ({{evidence}})',
      limitFarAbove:
        'service "{{service}}" is limited to {{limit}} but used at most {{used}} {{window}} ({{usage}}); the usage calls for {{recommended}} ({{evidence}}), less than 1/{{factor}} of the limit: lower deploy.resources.limits.{{key}}',
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          preset: { enum: [...PRESET_NAMES] },
          sizing: { type: 'object', additionalProperties: false, properties: Object.fromEntries(SERVICE_CLASSES.map((c) => [c, sizeSchema])) },
          reservationRatio: {
            oneOf: [
              RATIO_SCHEMA,
              { type: 'object', additionalProperties: false, properties: { cpus: RATIO_SCHEMA, memory: RATIO_SCHEMA } },
            ],
          },
        },
      },
      defaults: { preset: 'default', sizing: {}, reservationRatio: { ...DEFAULT_RESERVATION_RATIO } },
    },
  },
  create(ctx) {
    let sizing: Sizing | string;
    try {
      sizing = resolveSizing(ctx.options.preset, ctx.options.sizing, ctx.options.reservationRatio);
    } catch (e) {
      // a bad sizing option means no fix (its reason says why); anything else is a bug, not a reason
      if (!(e instanceof SizingError)) throw e;
      sizing = e.message;
    }
    const sizer = usageSizer(ctx);
    return {
      service(svc) {
        const legacy = legacyLimits(ctx.stack, svc);
        const missing: string[] = [];
        if (!svc.limits.cpus && !legacy.limits.cpus) missing.push('cpus');
        if (!svc.limits.memory && !legacy.limits.memory) missing.push('memory');
        if (missing.length > 0) {
          const at = deepest(svc.ref, 'deploy', 'resources', 'limits');
          ctx.report({
            messageId: 'missing',
            data: {
              service: svc.name,
              what: missing.map((m) => (m === 'cpus' ? 'CPU' : 'memory')).join(' or '),
              keys: missing.length === 2 ? 'cpus and .memory' : missing[0]!,
            },
            at,
            loc: keyLoc(at),
            service: svc,
            fix: () => (typeof sizing === 'string' ? noFix(sizing) : buildSharedFix(ctx.stack, svc, (s) => addLimits(s, sizing as Sizing, sizer, legacyLimits(ctx.stack, s)))),
          });
        }
        const pairs = [
          ['cpus', 'CPU', svc.limits.cpus, svc.reservations.cpus, (n: number) => `${n} CPUs`],
          ['memory', 'memory', svc.limits.memory, svc.reservations.memory, formatBytes],
        ] as const;
        for (const [key, what, limit, reserved, show] of pairs) {
          if (!limit || !reserved || reserved.value <= limit.value) continue;
          // what the file wrote where a set variable gave the value
          const shown = (v: typeof limit) => writtenWhenSet(v) ?? show(v.value);
          ctx.report({
            messageId: 'reservationAboveLimit',
            data: { service: svc.name, what, reserved: shown(reserved), limit: shown(limit), key },
            at: reserved,
            loc: reserved.loc,
            service: svc,
            fix: () => lowerReservation(ctx.stack, svc, key),
          });
        }
        if (sizer) checkUsage(ctx, svc, sizer);
      },
    };
  },
});

/**
 * The service's own `cpus`, `mem_limit`, `pids_limit` and `mem_reservation` that docker compose
 * applies, under the place of their twins in `deploy.resources` (see legacyLimits).
 */
type LegacyLimits = Readonly<Record<ResourceTwin['section'], Partial<Record<ResourceTwin['field'], LRef>>>>;

/**
 * The limits docker compose (target compose) also takes from the service's own keys: `cpus`,
 * `mem_limit` and `pids_limit` limit and `mem_reservation` reserves as `deploy.resources` does.
 * compose refuses a file where one of them is set and `deploy.resources.limits` (or `reservations`)
 * exists without the same value (compose-go, loader/validate.go: "can't set distinct values"), so a
 * fix that writes that mapping writes their twins too. `docker stack deploy` has none of them
 * (swarm-compat reports them).
 */
function legacyLimits(stack: Stack, svc: Service): LegacyLimits {
  const out: LegacyLimits = { limits: {}, reservations: {} };
  if (stackTarget(stack) !== 'compose') return out;
  // set: written, and not null, empty or a value that reads as 0 (`0`, `"0"`, `0m`: compose-go
  // applies no limit there, and composeConsistency sees no twin); a value that reads as no size
  // counts as set (compose refuses the file, and a schema error says so)
  for (const { key, section, field, parse } of RESOURCE_TWINS) {
    const ref = child(svc.ref, key);
    if (ref === undefined) continue;
    const n = ref.node;
    if (n.kind === 'scalar' && (n.value === null || n.value === '' || parse(n.value) === 0)) continue;
    out[section][field] = ref;
  }
  return out;
}

/**
 * The largest Java heap the service's own command or environment states (`-Xmx4g`, `-Xms4g`, in
 * `command`, `entrypoint` or a variable such as JAVA_OPTS or ES_JAVA_OPTS), in bytes, with its text;
 * null when it states none. A memory limit below it (and the JVM's memory besides the heap) kills
 * a service that ran.
 */
function statedHeap(svc: Service): { bytes: number; text: string } | null {
  // only what the file wrote: a value a set variable gave would be written into the file for good
  // (and quoted in the fix's description)
  const texts: string[] = [];
  const written = (ref: LRef | undefined) => ref && writtenWhenSet(ref) === null;
  for (const key of ['entrypoint', 'command']) {
    const ref = child(svc.ref, key);
    if (ref?.node.kind === 'seq') for (const it of items(ref)) written(it) && texts.push(String(scalarValue(it) ?? ''));
    else if (written(ref)) texts.push(String(scalarValue(ref) ?? ''));
  }
  for (const v of svc.environment.values()) if (typeof v.value === 'string' && written(v)) texts.push(v.value);
  let best: { bytes: number; text: string } | null = null;
  for (const t of texts) {
    for (const m of t.matchAll(/-Xm[xs](\d{1,9}[kKmMgGtT]?)(?![\w.])/g)) {
      const bytes = parseBytes(m[1]);
      // a heap beyond a machine's memory is no size to copy into a limit
      if (bytes === null || bytes > MAX_STATED_HEAP) continue;
      if (!best || bytes > best.bytes || (bytes === best.bytes && m[0].startsWith('-Xmx'))) best = { bytes, text: m[0] };
    }
  }
  return best;
}

/** The largest stated heap taken as a size: 1 TiB. */
const MAX_STATED_HEAP = 1024 ** 4;

/** What a JVM needs besides its heap (metaspace, threads, code cache, buffers): the limit is at least the heap by this. */
const HEAP_HEADROOM = 1.5;

/** The value of a legacy key written again under deploy.resources, as written; a string when it comes from a variable (null: the fix cannot copy it). */
function twin(ref: LRef): YamlValue | null {
  const n = ref.node;
  if (n.kind !== 'scalar' || n.raw !== undefined) return null;
  return typeof n.value === 'number' || typeof n.value === 'string' ? n.value : null;
}

/**
 * The limits the service lacks, and reservations where none is set: from what it used when a usage
 * profile has enough history for it (each value with its evidence as a trailing comment), else
 * sized by its class (reservations at the configured ratio of the limits). A limit is never set
 * below a reservation already written.
 */
function addLimits(svc: Service, sizing: Sizing, sizer: UsageSizer | null, legacy: LegacyLimits): FixBuilder | null {
  const { cls, size } = sizeFor(svc, sizing);
  const usage = sizer?.of(svc) ?? null;
  const rec = usage?.rec ?? null;
  const limitsRef = at(svc.ref, 'deploy', 'resources', 'limits');
  const reservationsRef = at(svc.ref, 'deploy', 'resources', 'reservations');
  const limits: Record<string, YamlValue> = {};
  const reservations: Record<string, YamlValue> = {};
  const parts: string[] = [];
  const resParts: string[] = [];
  const evidence: string[] = [];
  const b = new FixBuilder('');
  // an override fixed on its own: limits written here would replace the ones of the file it completes
  const partial = completesAnotherFile(svc);
  if (partial) return b.fail(partial);
  const keys = [
    ['cpus', formatCpus, (n: number) => `cpus '${formatCpus(n)}'`, 'is not a CPU count'],
    ['memory', formatMemory, (n: number) => `memory ${formatMemory(n)}`, 'is not a size'],
  ] as const;
  const copied: string[] = [];
  // a JVM's stated heap: the memory limit never below it
  const heap = statedHeap(svc);
  let heapNote = '';
  for (const [key, format, show, notA] of keys) {
    if (svc.limits[key] || legacy.limits[key]) continue;
    if (child(limitsRef, key)) return b.fail(`deploy.resources.limits.${key} is set but ${notA}; correct it by hand`);
    const legacyReservation = key === 'memory' && legacy.reservations.memory ? parseBytes(scalarValue(legacy.reservations.memory)) : null;
    const written = svc.reservations[key]?.value ?? legacyReservation ?? 0;
    const hasReservation = Boolean(svc.reservations[key] || child(reservationsRef, key) || legacy.reservations[key]);
    if (rec) {
      const want = rec.limits[key];
      const value = Math.max(want.value, written);
      limits[key] = commented(format(value), value === want.value ? want.evidence : `= the reservation written (${want.evidence})`);
      parts.push(show(value));
      evidence.push(`${key === 'cpus' ? 'CPU' : 'memory'} ${want.evidence}`);
      const r = rec.reservations[key];
      if (!hasReservation && r) {
        const rv = Math.min(r.value, value);
        reservations[key] = commented(format(rv), r.evidence);
        resParts.push(show(rv));
      }
      continue;
    }
    const heapFloor = key === 'memory' && heap ? Math.ceil(heap.bytes * HEAP_HEADROOM) : 0;
    const value = Math.max(size[key], written, heapFloor);
    limits[key] = format(value);
    parts.push(show(value));
    if (heapFloor > size[key] && value === heapFloor) heapNote = ` (1.5 x the heap ${heap!.text} the service sets)`;
    if (!hasReservation) {
      const r = reservationOf(key === 'cpus' ? { cpus: value, memory: size.memory } : { cpus: size.cpus, memory: value }, sizing.reservationRatio)[key];
      reservations[key] = format(r);
      resParts.push(show(r));
    }
  }
  // compose's own keys: each one written again under deploy.resources with its value (see
  // legacyLimits), a reservation only where the fix writes reservations
  for (const { key, section, field } of RESOURCE_TWINS) {
    const ref = legacy[section][field];
    const into = section === 'limits' ? limits : reservations;
    if (!ref || (section === 'reservations' && Object.keys(reservations).length === 0)) continue;
    if (child(section === 'limits' ? limitsRef : reservationsRef, field)) continue;
    const v = twin(ref);
    if (v === null) return b.fail(`${key} is set by a variable, and compose refuses deploy.resources without the same value: add deploy.resources by hand`);
    into[field] = v;
    copied.push(`${section}.${field} from ${key}`);
  }
  const value: Record<string, YamlValue> = { limits };
  if (Object.keys(reservations).length > 0) value.reservations = reservations;
  const added = `added limits ${parts.join(', ')}${heapNote}${resParts.length ? ` and reservations ${resParts.join(', ')}` : ''}${copied.length ? ` (with ${copied.join(', ')}: compose wants the same value in both)` : ''}`;
  if (rec) b.description = `${added} from ${usage!.file}: ${evidence.join('; ')}${rec.notes.length ? `; ${rec.notes.join('; ')}` : ''}`;
  else b.description = `${added} (class ${cls}, preset ${sizing.preset}${usage ? `; not from usage: ${usage.why}` : ''})`;
  return b.add(svc.ref, ['deploy', 'resources'], value);
}

/** Lower a reservation above its limit to the limit, written as the limit is. */
function lowerReservation(stack: Stack, svc: Service, key: 'cpus' | 'memory'): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const limit = s.limits[key];
    const reserved = s.reservations[key];
    const b = new FixBuilder(`lowered reservations.${key} to the limit`);
    if (!limit || !reserved || reserved.value <= limit.value) return b.fail('the reservation is not above the limit here');
    const limitNode = limit.node;
    if (limitNode.kind !== 'scalar') return b.fail('the limit is not a scalar');
    if (limitNode.raw !== undefined) return b.fail(`the limit comes from a variable (${limitNode.raw}); lower the reservation by hand`);
    const resNode = (reserved as LRef).node;
    let value: string | number;
    if (resNode.kind === 'scalar' && typeof resNode.value === 'number') value = limit.value;
    else value = typeof limitNode.value === 'string' ? limitNode.value : key === 'cpus' ? formatCpus(limit.value) : formatBytes(limit.value);
    b.description = `lowered deploy.resources.reservations.${key} to the limit (${value})`;
    return b.replace(reserved, value);
  });
}
