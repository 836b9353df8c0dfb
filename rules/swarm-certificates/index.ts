import { defineRule } from '../../src/engine/types.js';
import { formatAge } from '../../src/model/describe.js';

export type SwarmCertificatesOptions = {
  /** the longest node certificate lifetime accepted, in days (the benchmark's 90) */
  maxNodeCertDays: number;
  /** the oldest root CA certificate accepted, in days */
  maxRootCaAgeDays: number;
};

const DAY_MS = 24 * 3600 * 1000;

/**
 * CIS Docker Benchmark 7.7 and 7.8: node certificates expire soon enough (the benchmark: 90 days,
 * docker's default) and the swarm's root CA is rotated (here: at least once a year). A stolen node
 * certificate works until it expires; a root CA that never changes keeps every leaked key useful.
 */
export default defineRule<SwarmCertificatesOptions>({
  meta: {
    id: 'swarm-certificates',
    description:
      "The swarm's node certificates expire within 90 days and its root CA is younger than a year (CIS Docker Benchmark 7.7, 7.8), so that a stolen certificate or key does not stay useful.",
    severity: 'warning',
    category: 'security',
    live: true,
    messages: {
      longExpiry:
        "the swarm's node certificates are valid for {{expiry}} (CAConfig.NodeCertExpiry), longer than {{max}}: a stolen node certificate stays usable that long; shorten it with `docker swarm update --cert-expiry {{hours}}h` (CIS Docker Benchmark 7.7)",
      oldRootCa:
        "the swarm's root CA certificate was issued {{age}} before the audit ({{date}}), longer ago than {{max}}: rotate it with `docker swarm ca --rotate` (nodes get new certificates; CIS Docker Benchmark 7.8)",
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { maxNodeCertDays: { type: 'integer', minimum: 1 }, maxRootCaAgeDays: { type: 'integer', minimum: 1 } },
      },
      defaults: { maxNodeCertDays: 90, maxRootCaAgeDays: 365 },
    },
  },
  create(ctx) {
    const maxCertDays = ctx.options.maxNodeCertDays ?? 90;
    const maxCaDays = ctx.options.maxRootCaAgeDays ?? 365;
    return {
      stack(stack) {
        const live = stack.live;
        const swarm = live?.swarm;
        if (!live || !swarm) return;
        const expiry = swarm.nodeCertExpiryMs;
        if (expiry !== null && expiry > maxCertDays * DAY_MS) {
          ctx.report({
            messageId: 'longExpiry',
            data: { expiry: days(expiry), max: `${maxCertDays} days`, hours: maxCertDays * 24 },
            at: swarm.loc('Swarm.Cluster.Spec.CAConfig.NodeCertExpiry'),
          });
        }
        // a rotation under way replaces the root CA already
        if (swarm.rootCa && !swarm.rootRotationInProgress && live.takenAt - swarm.rootCa.notBefore > maxCaDays * DAY_MS) {
          ctx.report({
            messageId: 'oldRootCa',
            data: { age: formatAge(live.takenAt - swarm.rootCa.notBefore), date: new Date(swarm.rootCa.notBefore).toISOString().slice(0, 10), max: `${maxCaDays} days` },
            at: swarm.loc('Swarm.Cluster.TLSInfo.TrustRoot'),
          });
        }
      },
    };
  },
});

/** `90 days`, `1 year (365 days)`, `36 h` */
function days(ms: number): string {
  const d = ms / DAY_MS;
  if (d < 2) return `${Math.round(ms / 3600_000)} h`;
  const shown = Number.isInteger(d) ? String(d) : d.toFixed(1);
  return `${shown} days`;
}
