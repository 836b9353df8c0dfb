/**
 * What docker compose refuses in a service although each key is valid alone (compose-go,
 * loader/validate.go): a service with neither an image nor a build; and ("can't set distinct
 * values") `scale` and `deploy.replicas` both set to
 * different numbers, and `cpus`, `mem_limit`, `pids_limit` or `mem_reservation` set where
 * `deploy.resources.limits` (or `reservations`) exists without the same value (a `limits` mapping
 * without `cpus` has 0 there, which differs from `cpus: 2`). `docker stack deploy` has no
 * `scale` nor these keys (swarm-compat reports them).
 */
import { at, child, entries, keyLoc, rootRef, scalarValue, type LRef } from './access.js';
import { parseBytes, parseCpus } from './units.js';
import type { Loc } from '../parse/location.js';
import type { LMap } from '../parse/located.js';
import { closest } from '../parse/validate-schema.js';

export interface ConsistencyIssue {
  message: string;
  loc: Loc;
  path: string[];
  /** a warning where the schema's errors are errors (a service a file linted alone may not complete) */
  warning?: true;
}

/** What composeConsistency is told of the project besides its tree. */
export interface ConsistencyContext {
  /** services whose reading failed (their error tells them): the image check leaves them alone */
  failed?: ReadonlySet<string>;
  /**
   * one file linted alone under another name than docker compose's defaults (`compose.prod.yaml`,
   * `docker-compose.override.yml` without its base): most such files complete another one (`-f base
   * -f this`), so a service with nothing to run is a warning there
   */
  fragment?: boolean;
}

type Parse = (v: unknown) => number | null;
const whole: Parse = (v) => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : null);

/** A service's own key that docker compose applies as its twin under `deploy.resources` does. */
export interface ResourceTwin {
  /** the service's own key */
  readonly key: 'cpus' | 'mem_limit' | 'pids_limit' | 'mem_reservation';
  /** the mapping of `deploy.resources` that holds the twin */
  readonly section: 'limits' | 'reservations';
  /** the twin's key in that mapping */
  readonly field: 'cpus' | 'memory' | 'pids';
  /** how both are read (null: not a value) */
  readonly parse: Parse;
}

/**
 * The service's own keys and their twins, in this order. Which of them counts as set is the
 * caller's: composeConsistency reads one as compose-go does (a value other than 0).
 */
export const RESOURCE_TWINS: readonly ResourceTwin[] = [
  { key: 'cpus', section: 'limits', field: 'cpus', parse: parseCpus },
  { key: 'mem_limit', section: 'limits', field: 'memory', parse: parseBytes },
  { key: 'pids_limit', section: 'limits', field: 'pids', parse: whole },
  { key: 'mem_reservation', section: 'reservations', field: 'memory', parse: parseBytes },
];

/** The services' consistency issues. */
export function composeConsistency(root: LMap, context: ConsistencyContext = {}): ConsistencyIssue[] {
  const out: ConsistencyIssue[] = [];
  for (const { key: name, ref: svc } of entries(child(rootRef(root), 'services'))) {
    const noImage = context.failed?.has(name) ? null : imageless(name, svc, context.fragment === true);
    if (noImage) out.push(noImage);
    const deploy = child(svc, 'deploy');
    if (!deploy || deploy.node.kind !== 'map') continue;
    const scale = child(svc, 'scale');
    const replicas = child(deploy, 'replicas');
    const s = whole(scalarValue(scale));
    const r = whole(scalarValue(replicas));
    if (scale && replicas && s !== null && r !== null && s !== r) {
      out.push(issue(name, replicas, ['deploy', 'replicas'], `scale: ${shown(scale)}`, `deploy.replicas: ${shown(replicas)}`, 'scale', 'deploy.replicas'));
    }
    for (const { key, section, field, parse } of RESOURCE_TWINS) {
      const own = child(svc, key);
      const value = parse(scalarValue(own));
      if (!own || value === null || value === 0) continue;
      const mapping = at(deploy, 'resources', section);
      if (!mapping || mapping.node.kind !== 'map') continue;
      const twin = child(mapping, field);
      const twinValue = twin ? parse(scalarValue(twin)) : 0;
      if (twin && twinValue === null) continue; // not a value: the schema says so
      if (twinValue === value) continue;
      const where = `deploy.resources.${section}.${field}`;
      out.push(issue(name, twin ?? mapping, ['deploy', 'resources', section, ...(twin ? [field] : [])], `${key}: ${shown(own)}`, `${where}: ${shown(twin)}`, key, where));
    }
  }
  return out;
}

/**
 * A service with neither an image nor a build (compose-go, loader/validate.go: "service %q has
 * neither an image nor a build context specified"), nor a `provider`: an image that interpolates to
 * nothing counts as none. Checked, as compose checks it, on the services the default profiles
 * enable: a service with `profiles` is left alone. At the image's value when there is one, else at
 * the service's key.
 */
function imageless(name: string, svc: LRef, fragment: boolean): ConsistencyIssue | null {
  if (svc.node.kind !== 'map') return null;
  const image = child(svc, 'image');
  // an image that is no string (`image:` alone, a number) is the schema's to report
  if (image && scalarValue(image) !== '') return null;
  const given = (key: string) => {
    const v = child(svc, key);
    return v !== undefined && !(v.node.kind === 'scalar' && v.node.value === null);
  };
  if (given('build') || given('provider') || given('profiles') || misspeltImage(svc)) return null;
  const what = !image ? 'names neither an image nor a build' : image.node.kind === 'scalar' && image.node.raw !== undefined ? `has an empty image (${image.node.raw}: a variable it names is not set) and no build` : 'has an empty image and no build';
  const issue: ConsistencyIssue = {
    message: fragment
      ? `service "${name}" ${what}: docker compose refuses this file on its own ("has neither an image nor a build context specified"); if it completes another one, lint the two together (-f base.yml -f this.yml), else give the service an image or a build`
      : `service "${name}" ${what}, and docker compose refuses the file ("has neither an image nor a build context specified"); give it an image or a build, or, if this file completes another one, lint the two together (-f base.yml -f this.yml)`,
    loc: image ? image.node.loc : keyLoc(svc),
    path: ['services', name, ...(image ? ['image'] : [])],
  };
  if (fragment) issue.warning = true;
  return issue;
}

/**
 * Whether a key of the service is a misspelt `image` or `build` (`imagee: api:1`): the schema
 * reports it with the right name, and the service has its image once that is mended.
 */
export function misspeltImage(svc: LRef): boolean {
  if (svc.node.kind !== 'map') return false;
  for (const e of svc.node.entries) if (e.key !== 'image' && e.key !== 'build' && closest(e.key, IMAGE_KEYS) !== null) return true;
  return false;
}
const IMAGE_KEYS = ['image', 'build'];

/** A value as written where a set variable gave it (its value is never shown); `not set` for none. */
function shown(r: LRef | undefined): string {
  if (!r) return 'not set';
  const n = r.node;
  return n.kind === 'scalar' && n.fromEnv && n.raw !== undefined ? n.raw : String(scalarValue(r));
}

/** At the twin's value, or at the key of the mapping that lacks it. */
function issue(service: string, ref: LRef, path: string[], a: string, b: string, keyA: string, keyB: string): ConsistencyIssue {
  return {
    message: `service "${service}" sets ${a} and ${b}, which docker compose refuses ("can't set distinct values on '${keyA}' and '${keyB}'"); keep one of them, or give both the same value`,
    loc: ref.node.kind === 'map' ? keyLoc(ref) : ref.node.loc,
    path: ['services', service, ...path],
  };
}
