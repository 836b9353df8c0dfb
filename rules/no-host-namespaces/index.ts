import { child, scalarValue } from '../../src/model/access.js';
import type { Stack } from '../../src/model/types.js';
import { defineRule } from '../../src/engine/types.js';

/** Service keys that share a host namespace when set to `host`, and what that exposes. */
const NAMESPACE_KEYS: Record<string, string> = {
  network_mode: "the host's network stack: every host interface and every port on localhost",
  pid: "the host's processes: it can see and signal every process on the host",
  ipc: "the host's shared memory and IPC objects",
  userns_mode: "the host's user namespace: root in the container is root on the host",
  uts: "the host's hostname and domain name, which it can change",
};
const NAMESPACE_ENTRIES = Object.entries(NAMESPACE_KEYS);

/** Whether a top-level network is docker's predefined `host` network (swarm's way to host networking). */
function isHostNetwork(stack: Stack, name: string): boolean {
  const net = stack.networks.get(name);
  if (!net) return false;
  const external = child(net.ref, 'external');
  const ext = scalarValue(external);
  const extName = scalarValue(child(external, 'name'));
  const declared = scalarValue(child(net.ref, 'name'));
  const isExternal = ext === true || ext === 'true' || external?.node.kind === 'map';
  const realName = typeof extName === 'string' ? extName : typeof declared === 'string' ? declared : name;
  return isExternal && realName === 'host';
}

export default defineRule({
  meta: {
    id: 'no-host-namespaces',
    description:
      "No service shares a host namespace (network_mode, pid, ipc, userns_mode or uts set to host, or swarm's host network): it removes the isolation between the container and the host.",
    severity: 'error',
    category: 'security',
    messages: {
      hostNamespace: 'service "{{service}}" sets {{key}}: host, so it shares {{what}}; remove it and {{instead}}',
      hostNetwork:
        'service "{{service}}" is attached to network "{{network}}", which is the host network, so it shares {{what}}; attach it to an overlay network and publish only the ports it serves',
    },
  },
  create(ctx) {
    return {
      service(svc) {
        for (let i = 0; i < NAMESPACE_ENTRIES.length; i++) {
          const [key, what] = NAMESPACE_ENTRIES[i]!;
          const ref = child(svc.ref, key);
          if (scalarValue(ref) !== 'host') continue;
          const instead = key === 'network_mode' ? 'attach it to a network and publish only the ports it serves' : 'keep the default private namespace';
          ctx.report({ messageId: 'hostNamespace', data: { service: svc.name, key, what, instead }, at: ref!, loc: ref!.node.loc, service: svc });
        }
        for (const { name, ref } of svc.networks) {
          if (!isHostNetwork(ctx.stack, name)) continue;
          ctx.report({ messageId: 'hostNetwork', data: { service: svc.name, network: name, what: NAMESPACE_KEYS.network_mode! }, at: ref, loc: ref.entry ? ref.entry.keyLoc : ref.node.loc, service: svc });
        }
      },
    };
  },
});
