import { at, child, entries, items, namesInEarlierCopies, scalarValue, type LRef } from '../../src/model/access.js';
import { stackTarget } from '../../src/engine/target.js';
import type { Service, Stack } from '../../src/model/types.js';
import { closestAmong } from '../../src/parse/validate-schema.js';
import { defineRule } from '../../src/engine/types.js';
import { reportUnsetName, UNSET_NAME_ADVICE } from '../unset-name.js';

type Kind = 'network' | 'volume' | 'secret' | 'config' | 'model';

interface Reference {
  kind: Kind;
  /** how the message names it when not by its kind (`build secret`) */
  what?: string;
  name: string;
  /** the node that names it (underlined) */
  ref: LRef;
  /** point at the key rather than the value (networks written as a mapping) */
  atKey: boolean;
}

function declared(stack: Stack, kind: Kind): ReadonlyMap<string, unknown> {
  if (kind === 'model') return new Map(entries(child(stack.root, 'models')).map((e) => [e.key, e.ref]));
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

/**
 * What only docker compose reads (docker stack deploy ignores build and has no models): the secrets
 * a build uses and the models a service uses (compose-go, loader/validate.go).
 */
function composeReferences(svc: Service): Reference[] {
  const out: Reference[] = [];
  for (const it of items(at(svc.ref, 'build', 'secrets'))) {
    const src = it.node.kind === 'map' ? child(it, 'source') : it;
    const v = scalarValue(src);
    if (src && typeof v === 'string') out.push({ kind: 'secret', what: 'build secret', name: v, ref: src, atKey: false });
  }
  const models = child(svc.ref, 'models');
  if (models?.node.kind === 'seq') {
    for (const it of items(models)) if (typeof scalarValue(it) === 'string') out.push({ kind: 'model', name: String(scalarValue(it)), ref: it, atKey: false });
  } else if (models?.node.kind === 'map') {
    for (const e of entries(models)) out.push({ kind: 'model', name: e.key, ref: e.ref, atKey: true });
  }
  return out;
}

export default defineRule({
  meta: {
    id: 'undefined-reference',
    description:
      'Every network, named volume, secret and config a service uses (and, for docker compose, every secret its build uses and every model) is declared at the top level of the file; otherwise docker compose and docker stack deploy refuse the file.',
    severity: 'error',
    category: 'references',
    messages: {
      undefined:
        'service "{{service}}" uses {{what}} "{{name}}", which is not declared under the top-level {{kind}}s key{{hint}}; declare it there ({{kind}}s: {{name}}: ...) or fix the name',
      unsetName: `service "{{service}}" uses {{what}} "{{written}}", ${UNSET_NAME_ADVICE}`,
    },
  },
  create(ctx) {
    // what each kind declares and the suggestions among it, made once for every reference of the file
    const byKind = new Map<Kind, { decl: ReadonlyMap<string, unknown>; earlier: ReadonlySet<string>; suggest: (name: string) => string | null }>();
    const declaredOf = (kind: Kind) => {
      let k = byKind.get(kind);
      if (!k) {
        const decl = declared(ctx.stack, kind);
        // a top-level key written twice: what its earlier copy declares is not missing (the
        // duplicate key is the error, reported by yaml-syntax), though the checks read the last copy
        const earlier = namesInEarlierCopies(ctx.stack.root, `${kind}s`);
        byKind.set(kind, (k = { decl, earlier, suggest: closestAmong([...decl.keys()]) }));
      }
      return k;
    };
    return {
      service(svc) {
        const refs = stackTarget(ctx.stack) === 'compose' ? [...serviceReferences(svc), ...composeReferences(svc)] : serviceReferences(svc);
        for (const r of refs) {
          const { decl, earlier, suggest } = declaredOf(r.kind);
          if (decl.has(r.name) || earlier.has(r.name)) continue;
          if (r.kind === 'network' && r.name === 'default') continue;
          // a name a variable should give, unset here: that is the problem, not an undeclared ""
          if (reportUnsetName(ctx, svc, r.name, r.ref, { kind: r.kind, what: r.what ?? r.kind })) continue;
          const guess = suggest(r.name);
          const hint = guess ? ` (did you mean "${guess}"?)` : decl.size === 0 ? ` (the file declares no ${r.kind}s)` : '';
          ctx.report({
            messageId: 'undefined',
            data: { service: svc.name, kind: r.kind, what: r.what ?? r.kind, name: r.name, hint },
            at: r.ref,
            loc: r.atKey && r.ref.entry ? r.ref.entry.keyLoc : r.ref.node.loc,
            service: svc,
          });
        }
      },
    };
  },
});
