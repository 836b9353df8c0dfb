import { SLEEP_POLICY_LABEL_PREFIX } from '../../src/model/labels.js';
import type { ErrorObject } from 'ajv';
import { child, keyLoc, scalarValue, type LRef } from '../../src/model/access.js';
import type { Loc } from '../../src/parse/location.js';
import type { Service, SleepPolicy } from '../../src/model/types.js';
import { formatBytes, parseBytes } from '../../src/model/units.js';
import { defineRule } from '../../src/engine/types.js';
import { validateSleepPolicy } from '../../src/generated/validators.js';
import { makeMap, type LEntry, type LMap, type LVal } from '../../src/parse/located.js';
import { checkSchema, type CompiledValidator } from '../../src/parse/validate-schema.js';
import { fixHighPrioritySleeps, fixPlainKey } from './fix.js';

/** Defaults of the standard's SleepPolicy class (seed 000, "Sleep Policy Configuration"). */
export const SLEEP_POLICY_DEFAULTS = {
  enabled: true,
  idle_timeout: 300,
  min_sleep_time: 60,
  memory_reservation: '128MB',
  priority: 'normal',
  warm_cache_enabled: false,
} as const;

export default defineRule({
  meta: {
    id: 'sleep-policy',
    description:
      'A service sleep policy (x-sleep-policy) is well-formed and consistent: high-priority services never sleep, min_sleep_time does not exceed idle_timeout, memory_reservation fits the memory limit.',
    severity: 'error',
    category: 'policy',
    fixable: 'unsafe',
    messages: {
      plainKey:
        'service "{{service}}" uses the key sleep_policy, which docker compose and docker stack deploy reject as an unknown service key, so this file cannot be deployed as it is; rename it to x-sleep-policy',
      bothKeys: 'service "{{service}}" sets both sleep_policy and x-sleep-policy; only sleep_policy is read, remove one of them',
      invalid: 'service "{{service}}" has an invalid sleep policy: {{problem}}',
      highPrioritySleeps:
        'service "{{service}}" has {{key}}.priority "high" but {{key}}.enabled {{found}}; high-priority services never sleep: set enabled: false or lower the priority',
      minSleepAboveIdle:
        'service "{{service}}" sets {{key}}.min_sleep_time {{min}} above idle_timeout {{idle}}; the service cannot sleep before min_sleep_time seconds without activity, so idle_timeout has no effect: set min_sleep_time to at most {{idle}}',
      reservationAboveLimit:
        'service "{{service}}" reserves {{reserved}} while asleep ({{key}}.memory_reservation {{value}}) but is limited to {{limit}} of memory; memory_reservation must not exceed the memory limit',
    },
  },
  create(ctx) {
    /** schema problems of a policy shared through an anchor are reported once, not once per service */
    const reported = new Set<string>();
    return {
      service(svc) {
        const policy = svc.sleepPolicy;
        if (!policy) return;
        if (policy.key === 'sleep_policy') {
          ctx.report({ messageId: 'plainKey', data: { service: svc.name }, at: policy.ref, severity: 'warning', service: svc, fix: () => fixPlainKey(ctx.stack, svc) });
          const ext = child(svc.ref, 'x-sleep-policy');
          if (ext) ctx.report({ messageId: 'bothKeys', data: { service: svc.name }, at: ext, severity: 'warning', service: svc });
        }
        const name = policy.key === 'labels' ? SLEEP_POLICY_LABEL_PREFIX.slice(0, -1) : policy.key;
        const node = policy.key === 'labels' ? coerceLabels(policy.ref.node) : policy.ref.node;
        checkShape(svc, policy, name, node);
        if (node.kind !== 'map') return;
        checkSemantics(svc, policy.ref, name, node);
      },
    };

    function checkShape(svc: Service, policy: SleepPolicy, name: string, node: LVal) {
      const entry: LEntry = { key: name, keyLoc: keyLoc(policy.ref), value: node };
      const root = makeMap(policy.ref.node.loc, [entry]);
      const issues = checkSchema(root, underKey(name, validateSleepPolicy), {
        schema: () => ({ properties: { [name]: { properties: Object.fromEntries(Object.keys(SLEEP_POLICY_DEFAULTS).map((k) => [k, {}])) } } }),
        // an integer of bytes is fine; a string that is not a size gets a message of its own below
        ignore: (e, path) => e.keyword === 'pattern' && path[path.length - 1] === 'memory_reservation',
      });
      const base = policy.ref.path.slice(0, -1);
      const report = (problem: string, loc: Loc, path: readonly string[]) => {
        const id = `${locKey(loc)}|${problem}`;
        if (reported.has(id)) return;
        reported.add(id);
        ctx.report({ messageId: 'invalid', data: { service: svc.name, problem }, at: loc, path: [...base, ...path], service: svc });
      };
      // the schema's hint about extension keys is about service keys, not keys of the policy
      for (const is of issues) report(is.message.replace(/ \(extension keys must start with "x-"\)$/, ''), is.loc, is.path);
      const mem = node.kind === 'map' ? node.index.get('memory_reservation') : undefined;
      if (mem && mem.value.kind === 'scalar' && typeof mem.value.value === 'string' && parseBytes(mem.value.value) === null) {
        report(
          `${name}.memory_reservation must be a size such as "256MB" (a number and one of the units b, k, kb, m, mb, g, gb, with an optional i: MB means MiB), not the string ${JSON.stringify(mem.value.value)}`,
          mem.value.loc,
          [name, 'memory_reservation'],
        );
      }
    }

    function checkSemantics(svc: Service, ref: LRef, name: string, node: LMap) {
      const get = (k: string) => {
        const e = node.index.get(k);
        return e && e.value.kind === 'scalar' ? { entry: e, value: e.value.value } : undefined;
      };
      const path = (k: string) => [...ref.path, k];
      const enabled = get('enabled');
      const priority = get('priority');
      const sleeps = node.index.has('enabled') ? enabled?.value === true : SLEEP_POLICY_DEFAULTS.enabled;
      if (priority?.value === 'high' && sleeps) {
        const at = enabled ?? priority;
        ctx.report({
          messageId: 'highPrioritySleeps',
          data: { service: svc.name, key: name, found: enabled ? 'is true' : 'is not set and defaults to true' },
          at: at.entry.value.loc,
          path: path(at.entry.key),
          service: svc,
          fix: () => fixHighPrioritySleeps(ctx.stack, svc),
        });
      }
      const idle = get('idle_timeout');
      const min = get('min_sleep_time');
      const idleS = isPositiveInt(idle?.value) ? idle!.value : idle === undefined ? SLEEP_POLICY_DEFAULTS.idle_timeout : null;
      const minS = isPositiveInt(min?.value) ? min!.value : min === undefined ? SLEEP_POLICY_DEFAULTS.min_sleep_time : null;
      if ((idle || min) && idleS !== null && minS !== null && minS > idleS) {
        const at = min ?? idle!;
        ctx.report({
          messageId: 'minSleepAboveIdle',
          data: {
            service: svc.name,
            key: name,
            min: min ? `${minS}` : `${minS} (the default)`,
            idle: idle ? `${idleS}` : `${idleS} (the default)`,
          },
          at: at.entry.value.loc,
          path: path(at.entry.key),
          severity: 'warning',
          service: svc,
        });
      }
      const mem = get('memory_reservation');
      const limit = memoryLimit(svc);
      const reserved = mem ? parseBytes(mem.value) : null;
      if (mem && limit !== null && reserved !== null && reserved > limit) {
        ctx.report({
          messageId: 'reservationAboveLimit',
          data: { service: svc.name, key: name, reserved: formatBytes(reserved), value: JSON.stringify(mem.value), limit: formatBytes(limit) },
          at: mem.entry.value.loc,
          path: path('memory_reservation'),
          service: svc,
        });
      }
    }
  },
});

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** `deploy.resources.limits.memory`, else the service-level `mem_limit`. */
function memoryLimit(svc: Service): number | null {
  if (svc.limits.memory) return svc.limits.memory.value;
  return parseBytes(scalarValue(child(svc.ref, 'mem_limit')));
}

function locKey(loc: Loc): string {
  return loc.kind === 'file' ? `${loc.source.path}:${loc.start}:${loc.end}` : `${loc.object}:${loc.path}`;
}

/** Validate `{[key]: policy}` with a validator of the policy alone, so that error paths start at the key. */
function underKey(key: string, validate: CompiledValidator): CompiledValidator {
  const prefix = `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const wrapped: CompiledValidator = (data: unknown) => {
    const ok = validate((data as Record<string, unknown>)[key]);
    wrapped.errors = ok ? null : (validate.errors ?? []).map((e: ErrorObject) => ({ ...e, instancePath: `${prefix}${e.instancePath}` }));
    return ok;
  };
  return wrapped;
}

/**
 * A live service carries its policy as labels, all strings: `true`/`false` become booleans and
 * digit strings integers, so that the labels are checked against the same schema as a file's policy.
 */
function coerceLabels(node: LVal): LVal {
  if (node.kind !== 'map') return node;
  return makeMap(
    node.loc,
    node.entries.map((e) => {
      const v = e.value;
      if (v.kind !== 'scalar' || typeof v.value !== 'string') return e;
      const s = v.value.trim();
      const typed = s === 'true' ? true : s === 'false' ? false : /^\d+$/.test(s) && e.key !== 'memory_reservation' ? Number(s) : v.value;
      return typed === v.value ? e : { ...e, value: { ...v, value: typed } };
    }),
  );
}
