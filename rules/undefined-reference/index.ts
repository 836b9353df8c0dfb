import { child, items, scalarValue, type LRef } from '../../src/model/access.js';
import type { Service, Stack, TopLevelObject } from '../../src/model/types.js';
import { closest } from '../../src/parse/validate-schema.js';
import { defineRule } from '../../src/engine/types.js';
import { reportUnsetName, UNSET_NAME_ADVICE } from '../unset-name.js';

type Kind = 'network' | 'volume' | 'secret' | 'config';

interface Reference {
  kind: Kind;
  name: string;
  /** the node that names it (underlined) */
  ref: LRef;
  /** point at the key rather than the value (networks written as a mapping) */
  atKey: boolean;
}

function declared(stack: Stack, kind: Kind): Map<string, TopLevelObject> {
  return kind === 'network' ? stack.networks : kind === 'volume' ? stack.volumes : kind === 'secret' ? stack.secrets : stack.configs;
}

/** Every network, named volume, secret and config a service uses. */
export function serviceReferences(svc: Service): Reference[] {
  const out: Reference[] = [];
  for (const n of svc.networks) out.push({ kind: 'network', name: n.name, ref: n.ref, atKey: n.ref.entry !== undefined });

  for (const m of svc.volumes) {
    if (m.type !== 'volume' || m.source === null || m.source === '') continue;
    const src = m.syntax === 'long' ? child(m.ref, 'source') : m.ref;
    if (src) out.push({ kind: 'volume', name: m.source, ref: src, atKey: false });
  }

  for (const kind of ['secret', 'config'] as const) {
    for (const it of items(child(svc.ref, `${kind}s`))) {
      if (it.node.kind === 'scalar' && it.node.value !== null) out.push({ kind, name: String(it.node.value), ref: it, atKey: false });
      else if (it.node.kind === 'map') {
        const src = child(it, 'source');
        const v = scalarValue(src);
        if (src && v !== undefined && v !== null) out.push({ kind, name: String(v), ref: src, atKey: false });
      }
    }
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'undefined-reference',
    description:
      'Every network, named volume, secret and config a service uses is declared at the top level of the file; otherwise docker compose and docker stack deploy refuse the file.',
    severity: 'error',
    category: 'references',
    messages: {
      undefined:
        'service "{{service}}" uses {{kind}} "{{name}}", which is not declared under the top-level {{kind}}s key{{hint}}; declare it there ({{kind}}s: {{name}}: ...) or fix the name',
      unsetName: `service "{{service}}" uses {{kind}} "{{written}}", ${UNSET_NAME_ADVICE}`,
    },
  },
  create(ctx) {
    return {
      service(svc) {
        for (const r of serviceReferences(svc)) {
          const decl = declared(ctx.stack, r.kind);
          if (decl.has(r.name)) continue;
          if (r.kind === 'network' && r.name === 'default') continue;
          // a name a variable should give, unset here: that is the problem, not an undeclared ""
          if (reportUnsetName(ctx, svc, r.name, r.ref, { kind: r.kind })) continue;
          const guess = closest(r.name, [...decl.keys()]);
          const hint = guess ? ` (did you mean "${guess}"?)` : decl.size === 0 ? ` (the file declares no ${r.kind}s)` : '';
          ctx.report({
            messageId: 'undefined',
            data: { service: svc.name, kind: r.kind, name: r.name, hint },
            at: r.ref,
            loc: r.atKey && r.ref.entry ? r.ref.entry.keyLoc : r.ref.node.loc,
            service: svc,
          });
        }
      },
    };
  },
});
