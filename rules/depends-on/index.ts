import { child, entries, items, scalarValue, type LRef } from '../../src/model/access.js';
import type { Service } from '../../src/model/types.js';
import { closest } from '../../src/parse/validate-schema.js';
import { defineRule } from '../../src/engine/types.js';

interface Dependency {
  name: string;
  ref: LRef;
  atKey: boolean;
  required: boolean;
}

/** depends_on as a list of names or a mapping of name → {condition, required, restart}. */
export function dependencies(svc: Service): Dependency[] {
  const d = child(svc.ref, 'depends_on');
  if (!d) return [];
  if (d.node.kind === 'seq') {
    return items(d).flatMap((it) => {
      const v = scalarValue(it);
      return typeof v === 'string' ? [{ name: v, ref: it, atKey: false, required: true }] : [];
    });
  }
  return entries(d).map(({ key, ref }) => {
    const req = scalarValue(child(ref, 'required'));
    return { name: key, ref, atKey: true, required: !(req === false || req === 'false') };
  });
}

export default defineRule({
  meta: {
    id: 'depends-on',
    description: 'depends_on names only services of the file and forms no cycle: compose refuses a file where it does.',
    severity: 'error',
    category: 'references',
    messages: {
      unknown: 'service "{{service}}" depends on "{{name}}", which is not a service of this file{{hint}}; fix the name or remove the dependency',
      cycle: 'depends_on forms a cycle ({{cycle}}): no service of it can start first; remove one of the dependencies',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const byName = new Map(stack.services.map((s) => [s.name, s]));
        const deps = new Map<string, Dependency[]>();
        for (const svc of stack.services) {
          const list = dependencies(svc);
          deps.set(svc.name, list.filter((d) => byName.has(d.name)));
          for (const d of list) {
            if (byName.has(d.name) || !d.required) continue;
            const guess = closest(d.name, [...byName.keys()]);
            ctx.report({
              messageId: 'unknown',
              data: { service: svc.name, name: d.name, hint: guess ? ` (did you mean "${guess}"?)` : '' },
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
        const frames: Array<{ name: string; deps: Dependency[]; next: number }> = [];
        const seenCycles = new Set<string>();
        const open = (name: string) => {
          state.set(name, 'open');
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
              state.set(frame.name, 'done');
              continue;
            }
            const st = state.get(d.name);
            if (st === 'open') {
              const cycle = [...stackPath.slice(stackPath.indexOf(d.name)), d.name];
              const id = [...new Set(cycle)].sort().join('\u0000');
              if (!seenCycles.has(id)) {
                seenCycles.add(id);
                const svc = byName.get(frame.name)!;
                ctx.report({
                  messageId: 'cycle',
                  data: { cycle: cycle.join(' -> ') },
                  at: d.ref,
                  loc: d.atKey && d.ref.entry ? d.ref.entry.keyLoc : d.ref.node.loc,
                  service: svc,
                });
              }
            } else if (st === undefined) open(d.name);
          }
        }
      },
    };
  },
});
