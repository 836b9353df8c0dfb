import { defineRule } from '../../src/engine/types.js';
import { PATTERN_LIST_SCHEMA } from '../../src/engine/rule-options.js';

export type NoHostSystemMountsOptions = {
  /** host paths (and what is under them) never reported */
  allowPaths: string[];
};

/**
 * Host directories a container must not write to, with what they give it. A bind mount of one of
 * them, or of anything under one, is reported. `/run` and `/var/run` (they hold the docker socket)
 * are `no-docker-socket`'s.
 */
export const SYSTEM_PATHS: ReadonlyArray<readonly [string, string]> = [
  ['/', "the host's whole filesystem"],
  ['/etc', "the host's configuration (users, password hashes, sudoers, SSH and service settings)"],
  ['/proc', "the host's kernel settings and every process on it"],
  ['/sys', "the host's kernel and device settings"],
  ['/dev', "the host's devices (its disks among them)"],
  ['/dev/shm', "the host's shared memory (other processes' IPC; set shm_size for the container's own)"],
  ['/boot', "the host's kernel and boot loader"],
  ['/root', "root's home (SSH keys, shell start-up files)"],
  ['/usr', "the host's programs and libraries"],
  ['/bin', "the host's programs"],
  ['/sbin', "the host's system programs"],
  ['/lib', "the host's libraries and kernel modules"],
  ['/lib32', "the host's libraries"],
  ['/lib64', "the host's libraries"],
  ['/var/lib/docker', "docker's data: every container's files, images and volumes"],
  ['/var/lib/containerd', "containerd's data: every container's files and images"],
  ['/var/lib/kubelet', "the kubelet's data: every pod's volumes and secrets"],
];

/**
 * Files under those directories that containers commonly read, and may read: the time zone, CA
 * certificates, the host's identity. Read-only they are not reported; writable they are a warning.
 */
export const READABLE_FILES: readonly string[] = [
  '/etc/localtime',
  '/etc/timezone',
  '/usr/share/zoneinfo',
  '/etc/ssl/certs',
  '/etc/ca-certificates',
  '/etc/pki/ca-trust',
  '/etc/pki/tls/certs',
  '/etc/machine-id',
  '/etc/os-release',
  '/usr/lib/os-release',
  '/etc/hostname',
];

/** Device files that give nothing (a mount of `/dev/null` hides a file): never reported. */
const HARMLESS_DEVICES: readonly string[] = ['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom'];

/** `//etc/./nginx/` → `/etc/nginx`; `..` steps are resolved; a relative path is returned as it is. */
export function normalizeHostPath(source: string): string {
  const s = source.trim();
  if (!s.startsWith('/')) return s;
  const parts: string[] = [];
  for (const p of s.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/** Whether `path` is `dir` or lies under it. */
function within(path: string, dir: string): boolean {
  return dir === '/' ? path.startsWith('/') : path === dir || path.startsWith(`${dir}/`);
}

/**
 * Whether an allowed path is the path (absolute, normalised) or one of its folders (`within`): the
 * path's folders looked up, not each allowed path compared (thousands of allowPaths over thousands
 * of mounts).
 */
function isAllowed(path: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has('/') || allowed.has(path)) return true;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) if (allowed.has(path.slice(0, i))) return true;
  return false;
}

/** What a host path gives a container (the system directory it is, or a part of one), and whether it is a commonly read file. */
export function systemPath(source: string): { dir: string; what: string; readable: boolean } | null {
  const path = normalizeHostPath(source);
  if (!path.startsWith('/')) return null;
  if (within(path, '/run') || within(path, '/var/run')) return null; // no-docker-socket
  if (HARMLESS_DEVICES.includes(path)) return null;
  let best: readonly [string, string] | null = null;
  for (const entry of SYSTEM_PATHS) {
    if (entry[0] === '/' ? path === '/' : within(path, entry[0])) {
      if (!best || entry[0].length > best[0].length) best = entry;
    }
  }
  if (!best) return null;
  const what = path === best[0] ? best[1] : `a part of ${best[0]}, ${best[1]}`;
  return { dir: best[0], what, readable: READABLE_FILES.some((f) => within(path, f)) };
}

export default defineRule<NoHostSystemMountsOptions>({
  meta: {
    id: 'no-host-system-mounts',
    description:
      "No service bind-mounts the host's root or system directories (/, /etc, /proc, /sys, /dev, /boot, /root, /var/lib/docker, ...): writable is an error, read-only a warning.",
    severity: 'error',
    category: 'security',
    messages: {
      writable:
        'service "{{service}}" mounts {{source}} from the host writable at {{target}}, which gives it {{what}}: a process in the container can change the host; mount only the files it needs, read-only ({{source}}:{{target}}:ro)',
      readOnly:
        'service "{{service}}" mounts {{source}} from the host at {{target}}, read-only, which still shows it {{what}}; mount only the files it needs, or add the path to allowPaths if it must read them',
      readableWritable:
        'service "{{service}}" mounts {{source}} from the host writable at {{target}}; a container only needs to read it: add :ro ({{source}}:{{target}}:ro)',
    },
    options: {
      schema: { type: 'object', additionalProperties: false, properties: { allowPaths: PATTERN_LIST_SCHEMA } },
      defaults: { allowPaths: [] },
    },
  },
  create(ctx) {
    const allowed = new Set((ctx.options.allowPaths ?? []).map(normalizeHostPath));
    return {
      service(svc) {
        for (const m of svc.volumes) {
          // a named volume can be called anything; only a bind mount reaches the host's files
          if (m.type !== 'bind' || m.source === null) continue;
          const hit = systemPath(m.source);
          if (!hit) continue;
          const path = normalizeHostPath(m.source);
          if (allowed.size > 0 && isAllowed(path, allowed)) continue;
          if (hit.readable && m.readOnly) continue;
          const messageId = hit.readable ? 'readableWritable' : m.readOnly ? 'readOnly' : 'writable';
          ctx.report({
            messageId,
            data: { service: svc.name, source: m.source, target: m.target, what: hit.what },
            at: m.ref,
            loc: m.ref.node.loc,
            service: svc,
            ...(messageId === 'writable' ? {} : { severity: 'warning' as const }),
          });
        }
      },
    };
  },
});
