/**
 * Values docker compose cannot decode although the compose-spec schema takes them: it types these
 * fields as strings or numbers (to allow `${VAR}`), and compose-go reads the string only when it
 * loads the file (types/bytes.go, duration.go, cpus.go, loader/mapstructure.go):
 * - byte sizes: strconv.ParseInt, else go-units' RAMInBytes (`512m`, `1GB`; not `1 gigabyte`);
 * - durations: go-str2duration (Go's units, and `d`, `w`);
 * - CPU counts: strconv.ParseFloat;
 * - `replicas` and `scale`: strconv.Atoi.
 * A number written as one is read as it is. `docker stack deploy` reads these its own way
 * (src/engine/swarm-schema.ts).
 */
import { at, child, entries, items, rootRef, type LRef } from './access.js';
import { isComposeDuration, isGoFloat, isGoInt, sizeRefusal } from '../parse/go-values.js';
import type { LMap } from '../parse/located.js';
import { formatPath } from '../parse/location.js';
import type { ConsistencyIssue } from './compose-consistency.js';

type Kind = 'size' | 'duration' | 'cpus' | 'count';

/** What docker compose says of a string of that kind it cannot read, or null. */
function refusal(kind: Kind, s: string): string | null {
  if (kind === 'size') return isGoInt(s) ? null : sizeRefusal(s);
  if (kind === 'duration') {
    if (isComposeDuration(s)) return null;
    return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(s) ? `time: missing unit in duration ${JSON.stringify(s)}` : `time: invalid duration ${JSON.stringify(s)}`;
  }
  if (kind === 'cpus') return isGoFloat(s) ? null : `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`;
  return isGoInt(s) ? null : `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
}

const ADVICE: Record<Kind, string> = {
  size: 'write a number of bytes, or a number with a unit such as 512m, 1g or 1GB',
  duration: 'write a number with a unit, such as 10s, 1m30s, 500ms or 1d',
  cpus: 'write a number of CPUs, such as 0.5 or 2',
  count: 'write a whole number, such as 2',
};
const WHAT: Record<Kind, string> = { size: 'a size', duration: 'a duration', cpus: 'a number of CPUs', count: 'a whole number' };

/** [where in a service, as keys; `[]` stands for every item of a list there] */
const FIELDS: ReadonlyArray<[Kind, readonly string[]]> = [
  ...['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'shm_size'].map((k) => ['size', [k]] as [Kind, string[]]),
  ['size', ['build', 'shm_size']],
  ['size', ['deploy', 'resources', 'limits', 'memory']],
  ['size', ['deploy', 'resources', 'reservations', 'memory']],
  ['size', ['volumes', '[]', 'tmpfs', 'size']],
  ['size', ['blkio_config', 'device_read_bps', '[]', 'rate']],
  ['size', ['blkio_config', 'device_write_bps', '[]', 'rate']],
  ...['interval', 'timeout', 'start_period', 'start_interval'].map((k) => ['duration', ['healthcheck', k]] as [Kind, string[]]),
  ['duration', ['stop_grace_period']],
  ...['update_config', 'rollback_config'].flatMap((c) => ['delay', 'monitor'].map((k) => ['duration', ['deploy', c, k]] as [Kind, string[]])),
  ['duration', ['deploy', 'restart_policy', 'delay']],
  ['duration', ['deploy', 'restart_policy', 'window']],
  ['cpus', ['cpus']],
  ['cpus', ['deploy', 'resources', 'limits', 'cpus']],
  ['cpus', ['deploy', 'resources', 'reservations', 'cpus']],
  ['count', ['deploy', 'replicas']],
  ['count', ['scale']],
];

/** Every string value at one of FIELDS that docker compose cannot read, at the value. */
export function composeValueIssues(root: LMap): ConsistencyIssue[] {
  const out: ConsistencyIssue[] = [];
  for (const { key: name, ref: svc } of entries(child(rootRef(root), 'services'))) {
    if (svc.node.kind !== 'map') continue;
    for (const [kind, path] of FIELDS) {
      for (const { ref, keys } of reach(svc, path)) {
        const n = ref.node;
        if (n.kind !== 'scalar' || typeof n.value !== 'string') continue;
        // a value a set variable gives is the deploy's: not judged here, and never shown
        if (n.fromEnv) continue;
        // an unset variable (an empty value) is told where the variable is
        if (n.raw !== undefined && n.value === '') continue;
        const why = refusal(kind, n.value);
        if (!why) continue;
        const written = n.raw ?? n.value;
        out.push({
          message: `service "${name}" sets ${formatPath(keys)} ${JSON.stringify(written)}, which docker compose cannot read as ${WHAT[kind]} (${why}); ${ADVICE[kind]}`,
          loc: n.loc,
          path: ['services', name, ...keys],
        });
      }
    }
  }
  return out;
}

/** The values at `path` under `ref`, each with its keys (a list's items by index). */
function reach(ref: LRef, path: readonly string[]): Array<{ ref: LRef; keys: string[] }> {
  let found: Array<{ ref: LRef; keys: string[] }> = [{ ref, keys: [] }];
  for (const seg of path) {
    const next: Array<{ ref: LRef; keys: string[] }> = [];
    for (const f of found) {
      if (seg === '[]') items(f.ref).forEach((r, i) => next.push({ ref: r, keys: [...f.keys, String(i)] }));
      else {
        const c = f.ref.node.kind === 'map' ? at(f.ref, seg) : undefined;
        if (c) next.push({ ref: c, keys: [...f.keys, seg] });
      }
    }
    found = next;
    if (found.length === 0) break;
  }
  return found;
}
