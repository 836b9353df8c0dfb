import { at, child, deepest, keyLoc, type LRef } from '../../src/model/access.js';
import { formatBytes } from '../../src/model/units.js';
import { defineRule, type Fix } from '../../src/engine/types.js';
import type { Service, Stack } from '../../src/model/types.js';
import { buildSharedFix, FixBuilder, noFix, type YamlValue } from '../../src/engine/fixer.js';
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
    return {
      service(svc) {
        const missing: string[] = [];
        if (!svc.limits.cpus) missing.push('cpus');
        if (!svc.limits.memory) missing.push('memory');
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
            fix: () => (typeof sizing === 'string' ? noFix(sizing) : buildSharedFix(ctx.stack, svc, (s) => addLimits(s, sizing as Sizing))),
          });
        }
        const pairs = [
          ['cpus', 'CPU', svc.limits.cpus, svc.reservations.cpus, (n: number) => `${n} CPUs`],
          ['memory', 'memory', svc.limits.memory, svc.reservations.memory, formatBytes],
        ] as const;
        for (const [key, what, limit, reserved, show] of pairs) {
          if (!limit || !reserved || reserved.value <= limit.value) continue;
          ctx.report({
            messageId: 'reservationAboveLimit',
            data: { service: svc.name, what, reserved: show(reserved.value), limit: show(limit.value), key },
            at: reserved,
            loc: reserved.loc,
            service: svc,
            fix: () => lowerReservation(ctx.stack, svc, key),
          });
        }
      },
    };
  },
});

/**
 * The limits the service lacks, sized by its class, and reservations at the configured ratio of
 * the limits added (where none is set). A limit is never set below a reservation already written.
 */
function addLimits(svc: Service, sizing: Sizing): FixBuilder | null {
  const { cls, size } = sizeFor(svc, sizing);
  const limitsRef = at(svc.ref, 'deploy', 'resources', 'limits');
  const limits: Record<string, YamlValue> = {};
  const reservations: Record<string, YamlValue> = {};
  const parts: string[] = [];
  const resParts: string[] = [];
  const reserve = reservationOf(size, sizing.reservationRatio);
  const b = new FixBuilder('');
  if (!svc.limits.cpus) {
    if (child(limitsRef, 'cpus')) return b.fail('deploy.resources.limits.cpus is set but is not a CPU count; correct it by hand');
    const cpus = Math.max(size.cpus, svc.reservations.cpus?.value ?? 0);
    limits.cpus = formatCpus(cpus);
    parts.push(`cpus '${formatCpus(cpus)}'`);
    if (!svc.reservations.cpus && !child(at(svc.ref, 'deploy', 'resources', 'reservations'), 'cpus')) {
      const r = cpus === size.cpus ? reserve.cpus : reservationOf({ cpus, memory: size.memory }, sizing.reservationRatio).cpus;
      reservations.cpus = formatCpus(r);
      resParts.push(`cpus '${formatCpus(r)}'`);
    }
  }
  if (!svc.limits.memory) {
    if (child(limitsRef, 'memory')) return b.fail('deploy.resources.limits.memory is set but is not a size; correct it by hand');
    const memory = Math.max(size.memory, svc.reservations.memory?.value ?? 0);
    limits.memory = formatMemory(memory);
    parts.push(`memory ${formatMemory(memory)}`);
    if (!svc.reservations.memory && !child(at(svc.ref, 'deploy', 'resources', 'reservations'), 'memory')) {
      const r = reservationOf({ cpus: size.cpus, memory }, sizing.reservationRatio).memory;
      reservations.memory = formatMemory(r);
      resParts.push(`memory ${formatMemory(r)}`);
    }
  }
  const value: Record<string, YamlValue> = { limits };
  if (Object.keys(reservations).length > 0) value.reservations = reservations;
  b.description = `added limits ${parts.join(', ')}${resParts.length ? ` and reservations ${resParts.join(', ')}` : ''} (class ${cls}, preset ${sizing.preset})`;
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
