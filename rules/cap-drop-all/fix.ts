/**
 * Fix of cap-drop-all (unsafe): `ALL` in `cap_drop`, and for images we know, the `cap_add` entries
 * their entrypoints need to start (taking ownership of a data directory, switching user with
 * gosu / su-exec, binding ports below 1024 as root).
 */
import { shownText } from '../show-value.js';
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, FixBuilder } from '../../src/engine/fixer.js';
import { child, items, scalarValue } from '../../src/model/access.js';
import { imageRepository } from '../../src/model/image-repository.js';
import type { Service, Stack } from '../../src/model/types.js';
import { normalizeCapability } from './capability.js';

/** Entrypoints that chown their data directory as root, then drop to their own user. */
const DATA_OWNER = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'];

/** Image repositories (registry and `library/` dropped) and the capabilities they need back. */
export const KNOWN_CAP_ADD: ReadonlyMap<string, readonly string[]> = new Map([
  ['postgres', DATA_OWNER],
  ['postgis/postgis', DATA_OWNER],
  ['timescale/timescaledb', DATA_OWNER],
  ['pgvector/pgvector', DATA_OWNER],
  ['mysql', DATA_OWNER],
  ['mariadb', DATA_OWNER],
  ['mongo', DATA_OWNER],
  ['rabbitmq', DATA_OWNER],
  ['redis', ['CHOWN', 'SETGID', 'SETUID']],
  ['valkey/valkey', ['CHOWN', 'SETGID', 'SETUID']],
  // the master process binds port 80 as root, chowns its cache directories and runs workers as nginx
  ['nginx', ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID', 'NET_BIND_SERVICE']],
  ['httpd', ['CHOWN', 'SETGID', 'SETUID', 'NET_BIND_SERVICE']],
  // run as root to bind 80 and 443
  ['traefik', ['NET_BIND_SERVICE']],
  ['caddy', ['NET_BIND_SERVICE']],
  ['haproxy', ['NET_BIND_SERVICE']],
]);

export function knownCapAdd(image: string | undefined): readonly string[] {
  const repo = imageRepository(image);
  return repo === null ? [] : (KNOWN_CAP_ADD.get(repo) ?? []);
}

export function fixCapDrop(stack: Stack, svc: Service): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const caps = knownCapAdd(s.image?.value);
    const b = new FixBuilder(`added ALL to cap_drop${caps.length ? ` and ${caps.join(', ')} to cap_add (what image "${shownText(s.image) ?? ''}" needs to start)` : ' (unknown image: no cap_add; test the service)'}`, true);
    const drop = child(s.ref, 'cap_drop');
    if (!drop) b.add(s.ref, ['cap_drop'], ['ALL']);
    else if (drop.node.kind !== 'seq') return b.fail('cap_drop is not a list');
    else {
      const list = items(drop);
      const names = list.map((i) => normalizeCapability(String(scalarValue(i) ?? '')));
      if (names.includes('ALL')) return b.fail('cap_drop already has ALL');
      const capAll = names.indexOf('CAP_ALL');
      if (capAll >= 0) b.replace(list[capAll]!, 'ALL');
      else b.append(drop, ['ALL']);
    }
    if (caps.length === 0) return b;
    const add = child(s.ref, 'cap_add');
    if (!add) return b.add(s.ref, ['cap_add'], [...caps]);
    if (add.node.kind !== 'seq') return b.fail('cap_add is not a list');
    const have = new Set(items(add).map((i) => normalizeCapability(String(scalarValue(i) ?? '')).replace(/^CAP_/, '')));
    if (have.has('ALL')) return b.fail('cap_add has ALL, which gives every capability back');
    const missing = caps.filter((c) => !have.has(c));
    return missing.length ? b.append(add, missing) : b;
  });
}
