import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, snapshot, withSwarmSettings } from '../../test/helpers/swarm-snapshot.js';

const ID = 'swarm-certificates';
const nodes = [node({ hostname: 'm1', role: 'manager', leader: true })];
/** the recorded root CA was issued 2026-12-05 21:42:00 UTC */
const ISSUED = Date.parse('2026-12-05T21:42:00Z');
const DAY = 24 * 3600 * 1000;
const at = (ms: number) => new Date(ms).toISOString();

describe(ID, () => {
  it('is quiet with docker defaults: 90-day node certificates and a young root CA', () => {
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { takenAt: at(ISSUED + 10 * DAY) })), ID)).toEqual([]);
    expect(findingsOf(audit(snapshot({ nodes })), ID)).toEqual([]);
  });

  it('warns about node certificates valid longer than 90 days (7.7)', () => {
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { certExpiryDays: 365, takenAt: at(ISSUED + DAY) })), ID)).toEqual([
      [
        'warning',
        'swarm',
        "the swarm's node certificates are valid for 365 days (CAConfig.NodeCertExpiry), longer than 90 days: a stolen node certificate stays usable that long; shorten it with `docker swarm update --cert-expiry 2160h` (CIS Docker Benchmark 7.7)",
      ],
    ]);
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { certExpiryDays: 91, takenAt: at(ISSUED + DAY) })), ID)).toHaveLength(1);
    const relaxed = audit(withSwarmSettings(snapshot({ nodes }), { certExpiryDays: 365, takenAt: at(ISSUED + DAY) }), { settings: { [ID]: { options: { maxNodeCertDays: 365 } } } });
    expect(findingsOf(relaxed, ID)).toEqual([]);
  });

  it('warns about a root CA issued more than a year before the audit (7.8), unless a rotation is under way', () => {
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { takenAt: at(ISSUED + 365 * DAY) })), ID)).toEqual([]);
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { takenAt: at(ISSUED + 400 * DAY) })), ID)).toEqual([
      [
        'warning',
        'swarm',
        "the swarm's root CA certificate was issued 400 days before the audit (2026-12-05), longer ago than 365 days: rotate it with `docker swarm ca --rotate` (nodes get new certificates; CIS Docker Benchmark 7.8)",
      ],
    ]);
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { takenAt: at(ISSUED + 400 * DAY), rotating: true })), ID)).toEqual([]);
  });

  it('ignores a trust root that is not a certificate', () => {
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { trustRoot: 'not a certificate', takenAt: at(ISSUED + 400 * DAY) })), ID)).toEqual([]);
  });
});
