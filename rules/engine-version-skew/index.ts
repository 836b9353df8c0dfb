import { defineRule } from '../../src/engine/types.js';
import { swarmLoc } from '../../src/parse/location.js';
import { compareNames } from '../../src/model/collate.js';
import { listing } from '../../src/model/describe.js';
import type { LiveNode } from '../../src/model/live-facts.js';

/**
 * The nodes of a swarm run one Docker Engine version. Managers and workers of different versions
 * speak the same API only as far as the oldest one goes: features (job services, tmpfs options,
 * CSI volumes) silently do not apply on older nodes, and bugs fixed on one node remain on another.
 * A skew in major or minor version is a warning; one in patch level only is information.
 */
export default defineRule({
  meta: {
    id: 'engine-version-skew',
    description: "The swarm's nodes run the same Docker Engine version, so that every node supports what the services ask for.",
    severity: 'warning',
    category: 'cluster',
    live: true,
    messages: {
      skew: "the swarm's nodes run {{count}} Docker Engine versions: {{versions}}; {{advice}}",
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const nodes = stack.live?.nodes ?? [];
        const byVersion = new Map<string, LiveNode[]>();
        for (const n of nodes) {
          if (!n.engineVersion) continue;
          const list = byVersion.get(n.engineVersion) ?? [];
          list.push(n);
          byVersion.set(n.engineVersion, list);
        }
        if (byVersion.size < 2) return;
        const versions = [...byVersion.keys()].sort(compareVersions);
        const minors = new Set(versions.map((v) => v.split(/[.+-]/).slice(0, 2).join('.')));
        const shown = versions.map((v) => {
          const list = byVersion.get(v)!;
          return `${v} on ${list.length === nodes.length ? 'all' : listing(list.map((n) => `"${n.name}"`), 3)}`;
        });
        ctx.report({
          messageId: 'skew',
          data: {
            count: versions.length,
            versions: shown.join('; '),
            advice:
              minors.size > 1
                ? `upgrade the older nodes to ${versions[versions.length - 1]} (managers first, one at a time: \`docker node update --availability drain\`, upgrade, then \`--availability active\`)`
                : 'they differ in patch level only: bring them to the newest when convenient',
          },
          at: swarmLoc('Description.Engine.EngineVersion'),
          severity: minors.size > 1 ? 'warning' : 'info',
        });
      },
    };
  },
});

/** Versions in numeric order (`20.10.9` before `20.10.24`); what is not a number sorts as text. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const d = Number.isFinite(nx) && Number.isFinite(ny) && x !== '' && y !== '' ? nx - ny : compareNames(x, y);
    if (d !== 0) return d;
  }
  return 0;
}
