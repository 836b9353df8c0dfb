import { defineRule } from '../../src/engine/types.js';

/**
 * CIS Docker Benchmark 7.5: the managers of a swarm are auto-locked. Without autolock, the key that
 * decrypts the managers' Raft logs (and with them every secret) lies on each manager's disk, so a
 * copy of `/var/lib/docker/swarm` is enough to read the secrets.
 */
export default defineRule({
  meta: {
    id: 'swarm-autolock',
    description: "The swarm's managers are auto-locked (CIS Docker Benchmark 7.5), so that a copy of a manager's disk does not hand out the Raft key and every secret.",
    severity: 'warning',
    category: 'security',
    live: true,
    messages: {
      notLocked:
        "the swarm's managers are not auto-locked (EncryptionConfig.AutoLockManagers is false): the key that decrypts the Raft logs, and with them every secret, lies on each manager's disk; turn autolock on with `docker swarm update --autolock=true` and keep the unlock key it prints somewhere safe (CIS Docker Benchmark 7.5)",
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const swarm = stack.live?.swarm;
        if (!swarm || swarm.autoLockManagers !== false) return;
        ctx.report({ messageId: 'notLocked', data: {}, at: swarm.loc('Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers') });
      },
    };
  },
});
