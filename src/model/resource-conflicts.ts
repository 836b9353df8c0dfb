/**
 * Top-level volumes, networks, secrets and configs whose keys contradict each other, which docker
 * refuses when it loads the file although the schema takes each key:
 * - docker compose (compose-go, validation/external.go, validation.go, transform/external.go): an
 *   external volume with any key but `name` and `x-` ones ("conflicting parameters"); `name` and a
 *   different `external.name`; a secret or config with more than one
 *   of `file`, `environment` (and `content` for a config) ("mutually exclusive"), or with none of
 *   them, no `driver` and not external ("one of ... must be set");
 * - docker stack deploy (docker/cli, cli/compose/loader/loader.go): an external volume with
 *   `driver`, `driver_opts` or `labels`; `external.name` beside `name` (volumes, networks, secrets,
 *   configs); a secret with `driver` and `file`.
 */
import { formatPath, type Loc } from '../parse/location.js';
import type { LEntry, LMap, LVal } from '../parse/located.js';

export interface ResourceConflict {
  message: string;
  loc: Loc;
  path: string[];
}

const KINDS = ['volumes', 'networks', 'secrets', 'configs'] as const;
type Kind = (typeof KINDS)[number];
const NOUN: Record<Kind, string> = { volumes: 'volume', networks: 'network', secrets: 'secret', configs: 'config' };

/** Whether a value is set as docker reads it: a mapping or list with items, a scalar other than null and "". */
function isSet(v: LVal): boolean {
  if (v.kind === 'map') return v.entries.length > 0;
  if (v.kind === 'seq') return v.items.length > 0;
  return v.value !== null && v.value !== '';
}

/** The conflicts of a project's top-level resources for `target`, each at the key that conflicts. */
export function resourceConflicts(root: LMap, target: 'compose' | 'swarm'): ResourceConflict[] {
  const out: ResourceConflict[] = [];
  for (const kind of KINDS) {
    const section = root.index.get(kind)?.value;
    if (section?.kind !== 'map') continue;
    for (const res of section.entries) {
      if (res.value.kind !== 'map') continue;
      const own = res.value;
      const at = (e: LEntry, message: string) => out.push({ message, loc: e.keyLoc, path: [kind, res.key, e.key] });
      const external = own.index.get('external');
      const isExternal = external !== undefined && (external.value.kind === 'map' || (external.value.kind === 'scalar' && external.value.value === true));
      const noun = NOUN[kind];
      const where = formatPath([kind, res.key]);
      const legacyName = external?.value.kind === 'map' ? external.value.index.get('name') : undefined;
      const name = own.index.get('name');
      if (target === 'compose') {
        // compose-go, transform/external.go: only a different name conflicts
        if (legacyName && name && legacyName.value.kind === 'scalar' && name.value.kind === 'scalar' && String(legacyName.value.value) !== String(name.value.value)) {
          at(name, `${noun} "${res.key}" sets name and external.name to different names, which docker compose refuses ("${where}: name and external.name conflict; only use name"); keep name and set external: true`);
        }
        if (kind === 'volumes' && isExternal) {
          const other = own.entries.find((e) => e.key !== 'name' && e.key !== 'external' && !e.key.startsWith('x-'));
          if (other) at(other, `${noun} "${res.key}" is external and sets ${other.key}, which docker compose refuses ("${where}: conflicting parameters "external" and "${other.key}" specified"); docker creates an external volume outside the project: remove ${other.key}, or external`);
        }
        if (kind === 'secrets' || kind === 'configs') {
          const keys = kind === 'configs' ? ['file', 'environment', 'content'] : ['file', 'environment'];
          const given = own.entries.filter((e) => keys.includes(e.key));
          if (given.length > 1) at(given[1]!, `${noun} "${res.key}" sets ${given.map((e) => e.key).join(' and ')}, which docker compose refuses ("${where}: ${keys.join('|')} attributes are mutually exclusive"); keep one of them`);
          else if (given.length === 0 && !own.index.has('driver') && !external) {
            out.push({ message: `${noun} "${res.key}" sets none of ${keys.join(', ')}, no driver and is not external, which docker compose refuses ("${where}: one of ${keys.join('|')} must be set"); say where its content comes from`, loc: res.keyLoc, path: [kind, res.key] });
          }
        }
        continue;
      }
      if (kind === 'volumes' && isExternal) {
        const other = ['driver', 'driver_opts', 'labels'].map((k) => own.index.get(k)).find((e) => e !== undefined && isSet(e.value));
        if (other) at(other, `conflicting parameters "external" and "${other.key}" specified for volume "${res.key}"; remove ${other.key}, or external`);
      }
      if (isExternal && legacyName && isSet(legacyName.value) && name && isSet(name.value)) {
        at(name, `${noun} ${res.key}: ${noun}.external.name and ${noun}.name conflict; only use ${noun}.name`);
      }
      // (a config has no driver in docker's stack schema: that is an unknown key)
      if (kind === 'secrets' && !isExternal) {
        const driver = own.index.get('driver');
        const file = own.index.get('file');
        if (driver && isSet(driver.value) && file && isSet(file.value)) at(file, `${noun} ${res.key}: ${noun}.driver and ${noun}.file conflict; only use ${noun}.driver`);
      }
    }
  }
  return out;
}
