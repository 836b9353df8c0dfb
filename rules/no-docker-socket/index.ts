import { defineRule } from '../../src/engine/types.js';
import { imageRepository } from '../../src/model/image-repository.js';
import { writtenWhenSet } from '../show-value.js';

/**
 * Images whose job is to hold the socket and pass on only the API calls allowed to it (their
 * environment turns each API section on): the socket mount is their purpose.
 */
const SOCKET_PROXIES = new Set(['tecnativa/docker-socket-proxy', 'linuxserver/socket-proxy', 'wollomatic/socket-proxy']);

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
      proxy:
        'service "{{service}}" is a docker socket proxy ({{image}}) and mounts the socket ({{source}} at {{target}}): that is its job, and whoever reaches it gets the API calls it allows; publish no port of it, keep it on an internal network with only its clients, and allow only the API sections they need (read-only ones where possible)',
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
          // from the image as written: a value a set variable gave is not quoted (writtenWhenSet)
          const repository = kind === 'socket' && svc.image && writtenWhenSet(svc.image) === null ? imageRepository(svc.image.value) : null;
          if (repository !== null && SOCKET_PROXIES.has(repository)) {
            // the mount is the proxy's purpose: a warning about what keeps it safe, not an error
            ctx.report({ messageId: 'proxy', data: { service: svc.name, image: repository, source: m.source, target: m.target }, at: m.ref, loc: m.ref.node.loc, severity: 'warning', service: svc });
            continue;
          }
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
