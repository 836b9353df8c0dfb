import { defineRule } from '../../src/engine/types.js';

/**
 * Whether a bind-mount source is the docker engine's socket or a folder that holds it:
 * `/var/run/docker.sock`, `/run/docker.sock`, a rootless `/run/user/1000/docker.sock`, any path
 * ending in `/docker.sock`, the folders `/var/run` and `/run`, or the Windows named pipe
 * `\\.\pipe\docker_engine`.
 */
export function dockerSocketSource(source: string): 'socket' | 'folder' | null {
  const s = source.trim();
  if (/^(?:\\\\|\/\/)\.[\\/]pipe[\\/]docker_engine$/i.test(s)) return 'socket';
  let norm = s.replace(/\/{2,}/g, '/');
  if (norm.endsWith('/')) norm = norm.slice(0, -1); // one left after the collapse above
  if (/(?:^|\/)docker\.sock$/.test(norm)) return 'socket';
  if (norm === '/var/run' || norm === '/run') return 'folder';
  return null;
}

export default defineRule({
  meta: {
    id: 'no-docker-socket',
    description:
      'No service mounts the docker socket (short or long syntax, read-only too): whoever talks to the socket controls the engine, and so the host.',
    severity: 'error',
    category: 'security',
    messages: {
      socket:
        'service "{{service}}" mounts the docker socket ({{source}} at {{target}}){{ro}}; access to the socket is root on the host: use a socket proxy that allows only the API calls needed, or remove the mount',
      folder:
        'service "{{service}}" mounts {{source}}, which holds the docker socket, at {{target}}{{ro}}; access to the socket is root on the host: mount only what it needs, or remove the mount',
    },
  },
  create(ctx) {
    return {
      service(svc) {
        for (const m of svc.volumes) {
          if (m.source === null || m.type === 'tmpfs') continue;
          const kind = dockerSocketSource(m.source);
          if (!kind) continue;
          // a named volume can be called anything: only a bind mount or a named pipe reaches the engine
          if (m.type !== 'bind' && m.type !== 'npipe' && !/pipe[\\/]docker_engine$/i.test(m.source)) continue;
          ctx.report({
            messageId: kind,
            data: { service: svc.name, source: m.source, target: m.target, ro: m.readOnly ? ', read-only, which does not make the API read-only' : '' },
            at: m.ref,
            loc: m.ref.node.loc,
            service: svc,
          });
        }
      },
    };
  },
});
