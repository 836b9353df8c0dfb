/**
 * Fixes of tmpfs-hardening (see README, "Fix behaviour"): a size equal to the memory limit and the
 * options noexec and nosuid are safe; a guessed size or replacing an explicit exec/suid is unsafe.
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, FixBuilder } from '../../src/engine/fixer.js';
import { child, scalarValue } from '../../src/model/access.js';
import type { Mount, Service, Stack } from '../../src/model/types.js';
import { formatBytes, parseBytes } from '../../src/model/units.js';
import { normaliseTarget, withOptions, withSize } from './tmpfs-entry.js';

/** The size given to a tmpfs of a service without a memory limit (an unsafe guess). */
export const GUESSED_SIZE = '64m';

/** Each service's mounts by their node, made once per service: a fix per mount searched them all (n tmpfs entries took n times n). */
const mountsByNode = new WeakMap<Service, Map<unknown, Mount>>();

function sameMount(s: Service, m: Mount): Mount | undefined {
  let byNode = mountsByNode.get(s);
  if (!byNode) {
    byNode = new Map();
    // the first of a node written twice, as find() took it
    for (const x of [...s.tmpfs, ...s.volumes]) if (!byNode.has(x.ref.node)) byNode.set(x.ref.node, x);
    mountsByNode.set(s, byNode);
  }
  return byNode.get(m.ref.node);
}

/** The memory limit written as a number (not through a variable), in bytes. */
function memoryLimit(s: Service): number | null {
  const l = s.limits.memory;
  if (!l || l.node.kind !== 'scalar' || l.node.raw !== undefined) return null;
  return l.value;
}

/** `536870912` → `512m`: the kernel's tmpfs size syntax, the shortest exact unit. */
export function tmpfsSize(bytes: number): string {
  return formatBytes(bytes).toLowerCase();
}

/** Short entry without a size (or `size=0`): add the memory limit as its size (safe), else 64m (unsafe). */
export function fixShortSize(stack: Stack, svc: Service, mount: Mount): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const m = sameMount(s, mount);
    const limit = memoryLimit(s);
    const size = limit !== null ? tmpfsSize(limit) : GUESSED_SIZE;
    const b = new FixBuilder(
      limit !== null ? `set size=${size} on tmpfs "${mount.target}" (the service's memory limit)` : `set size=${size} on tmpfs "${mount.target}" (a guess: the service has no memory limit)`,
      limit === null,
    );
    if (!m) return b.fail('the mount is not found');
    const value = scalarValue(m.ref);
    if (typeof value !== 'string') return b.fail('the tmpfs entry is not a string');
    return b.replace(m.ref, withSize(value, size));
  });
}

/**
 * Short entry without noexec/nosuid: add the missing ones that the entry does not contradict
 * (safe: docker mounts --tmpfs that way already); replacing an explicit exec or suid is unsafe.
 */
export function fixShortOptions(stack: Stack, svc: Service, mount: Mount): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const m = sameMount(s, mount);
    const b = new FixBuilder('');
    if (!m) return b.fail('the mount is not found');
    const value = scalarValue(m.ref);
    if (typeof value !== 'string') return b.fail('the tmpfs entry is not a string');
    const opts = m.options.map((o) => o.toLowerCase());
    const missing = (['noexec', 'nosuid'] as const).filter((o) => !opts.includes(o));
    const safe = missing.filter((o) => !opts.includes(o.slice(2)));
    if (safe.length > 0) {
      b.description = `added ${safe.join(',')} to tmpfs "${mount.target}"`;
      return b.replace(m.ref, withOptions(value, safe));
    }
    // every missing option is contradicted by an explicit exec / suid: replace it (unsafe)
    const unsafe = new FixBuilder(`replaced ${missing.map((o) => o.slice(2)).join(' and ')} with ${missing.join(' and ')} on tmpfs "${mount.target}"`, true);
    const colon = value.indexOf(':');
    const head = value.slice(0, colon + 1);
    const replaced = value
      .slice(colon + 1)
      .split(',')
      .map((o) => (missing.some((x) => x.slice(2) === o.trim().toLowerCase()) ? `no${o.trim().toLowerCase()}` : o))
      .join(',');
    return unsafe.replace(m.ref, head + replaced);
  });
}

/** Long `type: tmpfs` mount without tmpfs.size (or size 0): the memory limit in bytes (safe), else 64 MiB (unsafe). */
export function fixLongSize(stack: Stack, svc: Service, mount: Mount): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const m = sameMount(s, mount);
    const limit = memoryLimit(s);
    const bytes = limit ?? parseBytes(GUESSED_SIZE)!;
    // docker stack accepts only an integer here; compose accepts both
    const b = new FixBuilder(
      limit !== null ? `set tmpfs.size ${bytes} (${tmpfsSize(bytes)}, the service's memory limit) on "${mount.target}"` : `set tmpfs.size ${bytes} (${GUESSED_SIZE}, a guess: the service has no memory limit) on "${mount.target}"`,
      limit === null,
    );
    if (!m) return b.fail('the mount is not found');
    const sizeRef = child(child(m.ref, 'tmpfs'), 'size');
    if (sizeRef) return b.replace(sizeRef, bytes);
    return b.add(m.ref, ['tmpfs', 'size'], bytes);
  });
}

/**
 * A read_only service without a writable /tmp: add a /tmp tmpfs (safe: nothing could be written
 * there before). Under swarm (`swarm`), where docker stack deploy makes only `volumes:` mounts, a
 * `type: tmpfs` volume with the size in bytes (docker mounts it noexec, nosuid, nodev).
 */
export function fixReadOnlyTmp(stack: Stack, svc: Service, size: string, swarm = false): Fix {
  return buildSharedFix(stack, svc, (s) => {
    if (swarm) return addTmpVolume(s, size);
    const entry = `/tmp:size=${size},noexec,nosuid`;
    const b = new FixBuilder(`added tmpfs ${entry}`);
    if (s.readOnly?.value !== true) return b.fail(`service "${s.name}" is not read_only`);
    if ([...s.tmpfs, ...s.volumes].some((m) => normaliseTarget(m.target) === '/tmp')) {
      return b.fail('/tmp is already mounted read-only; make that mount writable by hand');
    }
    const tmpfs = child(s.ref, 'tmpfs');
    if (!tmpfs) return b.add(s.ref, ['tmpfs'], [entry]);
    if (tmpfs.node.kind === 'seq') return b.append(tmpfs, [entry]);
    return b.fail('tmpfs is a single string; turn it into a list and add the /tmp entry by hand');
  });
}

function addTmpVolume(s: Service, size: string): FixBuilder {
  const bytes = parseBytes(size)!;
  const b = new FixBuilder(`added a tmpfs volume at /tmp of ${bytes} bytes (${size}), which docker stack deploy mounts`);
  if (s.readOnly?.value !== true) return b.fail(`service "${s.name}" is not read_only`);
  if (s.volumes.some((m) => normaliseTarget(m.target) === '/tmp')) return b.fail('/tmp is already mounted read-only; make that mount writable by hand');
  const mount = { type: 'tmpfs', target: '/tmp', tmpfs: { size: bytes } };
  const volumes = child(s.ref, 'volumes');
  if (!volumes) return b.add(s.ref, ['volumes'], [mount]);
  if (volumes.node.kind === 'seq') return b.append(volumes, [mount]);
  return b.fail('volumes is not a list; add the /tmp tmpfs volume by hand');
}
