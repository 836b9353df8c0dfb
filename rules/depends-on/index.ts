import { child, entries, items, namesInEarlierCopies, scalarValue, type LRef } from '../../src/model/access.js';
import type { Service } from '../../src/model/types.js';
import { closestAmong } from '../../src/parse/validate-schema.js';
import { defineRule } from '../../src/engine/types.js';
import { shownText, writtenWhenSet } from '../show-value.js';
import { reportUnsetName, UNSET_NAME_ADVICE } from '../unset-name.js';
import { stackTarget } from '../../src/engine/target.js';

interface Dependency {
  name: string;
  ref: LRef;
  atKey: boolean;
  /** how a dependency that is not in depends_on comes about: `links`, `network_mode: service:vpn`, ... */
  via?: string;
  /** the name as messages show it: what the file wrote when a set variable gave it */
  shown?: string;
}

/** depends_on as a list of names or a mapping of name → {condition, required, restart}. */
export function dependencies(svc: Service): Dependency[] {
  const d = child(svc.ref, 'depends_on');
  if (!d) return [];
  if (d.node.kind === 'seq') {
    return items(d).flatMap((it) => {
      const v = scalarValue(it);
      return typeof v === 'string' ? [{ name: v, ref: it, atKey: false }] : [];
    });
  }
  return entries(d).map(({ key, ref }) => ({ name: key, ref, atKey: true }));
}

/**
 * The dependencies docker compose adds to depends_on (compose-go, loader/normalize.go): the service of
 * each `links` entry (`db` or `db:alias`), of `network_mode`, `ipc`, `pid`, `uts` or `cgroup` set to
 * `service:NAME`, and of each `volumes_from` entry that is not `container:...`; a name depends_on
 * already holds keeps its own entry.
 */
export function derivedDependencies(svc: Service, declared: readonly Dependency[]): Dependency[] {
  const out: Dependency[] = [];
  // the names depends_on and the entries before hold (a search of both lists per entry grew with
  // the square of the entries)
  const named = new Set(declared.map((d) => d.name));
  // a value a set variable gave is shown as the file wrote it, never cut out of the value
  const add = (name: string, ref: LRef, via: (written: string) => string) => {
    if (name === '' || named.has(name)) return;
    named.add(name);
    out.push({ name, ref, atKey: false, via: via(shownText(ref) ?? name), shown: writtenWhenSet(ref) ?? name });
  };
  for (const it of items(child(svc.ref, 'links'))) {
    const v = scalarValue(it);
    if (typeof v === 'string') add(v.split(':').length === 2 ? v.split(':')[0]! : v, it, (w) => `links to "${w}"`);
  }
  for (const key of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const ref = child(svc.ref, key);
    const v = scalarValue(ref);
    if (ref && typeof v === 'string' && v.startsWith('service:')) add(v.slice('service:'.length), ref, (w) => `uses ${key}: ${w}`);
  }
  for (const it of items(child(svc.ref, 'volumes_from'))) {
    const v = scalarValue(it);
    if (typeof v === 'string' && !v.startsWith('container:')) add(v.split(':')[0]!, it, (w) => `takes volumes_from "${w}"`);
  }
  return out;
}

/** The cycles spelled out, one finding each; more are counted in one finding. */
const MAX_CYCLES = 20;

export default defineRule({
  meta: {
    id: 'depends-on',
    description: 'depends_on names only services of the file and forms no cycle: compose refuses a file where it does.',
    severity: 'error',
    category: 'references',
    messages: {
      unknown: 'service "{{service}}" depends on "{{name}}", which is not a service of this file{{hint}}; fix the name or remove the dependency',
      unsetName: `service "{{service}}" depends on "{{written}}", ${UNSET_NAME_ADVICE}`,
      unknownVia: 'service "{{service}}" {{via}}, but "{{name}}" is not a service of this file{{hint}}, and docker compose refuses the file; fix the name or remove it',
      unknownSwarm:
        'service "{{service}}" depends on "{{name}}", which is not a service of this file{{hint}}: docker compose refuses the file, and docker stack deploy ignores depends_on; fix the name or remove the dependency',
      cycle: 'depends_on forms a cycle ({{cycle}}): no service of it can start first; remove one of the dependencies',
      cycleSwarm: 'depends_on forms a cycle ({{cycle}}): docker compose refuses the file, and docker stack deploy ignores depends_on; remove one of the dependencies',
      moreCycles: 'depends_on closes {{count}} more cycles (not listed: remove the dependencies of the cycles above, then lint again)',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const byName = new Map(stack.services.map((s) => [s.name, s]));
        const deps = new Map<string, Dependency[]>();
        const compose = stackTarget(stack) === 'compose';
        // docker stack deploy ignores depends_on: it deploys a file whose depends_on names no
        // service, or an empty name, or closes a cycle (`docker stack config` prints such a file
        // back unchanged); only docker compose refuses it, so under swarm each is a warning
        const severity = compose ? undefined : ('warning' as const);
        const report: typeof ctx.report = (d) => ctx.report(severity ? { ...d, severity } : d);
        const suggest = closestAmong([...byName.keys()]);
        // services of an earlier copy of a `services:` key written twice: not unknown (the
        // duplicate key is the error, reported by yaml-syntax), though the checks read the last copy
        const earlier = namesInEarlierCopies(stack.root, 'services');
        for (const svc of stack.services) {
          const declared = dependencies(svc);
          const derived = compose ? derivedDependencies(svc, declared) : [];
          const list = derived.length ? [...declared, ...derived] : declared;
          deps.set(svc.name, list.filter((d) => byName.has(d.name)));
          for (const d of list) {
            // `required: false` spares only a service its profiles leave out, not a name the file lacks
            if (byName.has(d.name) || earlier.has(d.name)) continue;
            // a name a variable should give, unset here: that is the problem, not an unknown ""
            if (!d.atKey && reportUnsetName({ report }, svc, d.name, d.ref)) continue;
            const guess = suggest(d.name);
            report({
              messageId: d.via ? 'unknownVia' : compose ? 'unknown' : 'unknownSwarm',
              data: { service: svc.name, name: d.shown ?? d.name, hint: guess && (d.shown ?? d.name) === d.name ? ` (did you mean "${guess}"?)` : '', via: d.via ?? '' },
              at: d.ref,
              loc: d.atKey && d.ref.entry ? d.ref.entry.keyLoc : d.ref.node.loc,
              service: svc,
            });
          }
        }
        // cycles: depth-first search in file order; each cycle is reported once, at the edge that closes it.
        // Iterative (a frame per service on the path, with the next dependency to look at): a chain of
        // thousands of services overflowed the call stack.
        const state = new Map<string, 'open' | 'done'>();
        const stackPath: string[] = [];
        /** where each open service is on the path */
        const onPath = new Map<string, number>();
        const frames: Array<{ name: string; deps: Dependency[]; next: number }> = [];
        const seenCycles = new Set<string>();
        // a file can close as many cycles as it has dependencies, each as long as the file (every
        // service of a chain also depending on its first): past MAX_CYCLES they are counted, not
        // spelled out, and a long one is shown by its ends
        let more = 0;
        let moreAt: Dependency | null = null;
        const open = (name: string) => {
          state.set(name, 'open');
          onPath.set(name, stackPath.length);
          stackPath.push(name);
          frames.push({ name, deps: deps.get(name) ?? [], next: 0 });
        };
        for (const root of stack.services) {
          if (state.has(root.name)) continue;
          open(root.name);
          while (frames.length > 0) {
            const frame = frames[frames.length - 1]!;
            const d = frame.deps[frame.next++];
            if (d === undefined) {
              frames.pop();
              stackPath.pop();
              onPath.delete(frame.name);
              state.set(frame.name, 'done');
              continue;
            }
            const st = state.get(d.name);
            if (st === 'open' && seenCycles.size >= MAX_CYCLES) {
              more++;
              moreAt ??= d;
            } else if (st === 'open') {
              const cycle = [...stackPath.slice(onPath.get(d.name)), d.name];
              const id = [...new Set(cycle)].sort().join('\u0000');
              if (!seenCycles.has(id)) {
                seenCycles.add(id);
                const svc = byName.get(frame.name)!;
                const shown = cycle.length > 12 ? `${cycle.slice(0, 5).join(' -> ')} -> ... -> ${cycle.slice(-5).join(' -> ')}, ${cycle.length - 1} services` : cycle.join(' -> ');
                report({
                  messageId: compose ? 'cycle' : 'cycleSwarm',
                  data: { cycle: shown },
                  at: d.ref,
                  loc: d.atKey && d.ref.entry ? d.ref.entry.keyLoc : d.ref.node.loc,
                  service: svc,
                });
              }
            } else if (st === undefined) open(d.name);
          }
        }
        if (moreAt) {
          report({ messageId: 'moreCycles', data: { count: more }, at: moreAt.ref, loc: moreAt.atKey && moreAt.ref.entry ? moreAt.ref.entry.keyLoc : moreAt.ref.node.loc });
        }
      },
    };
  },
});
