/**
 * The custom JSON-schema formats `docker stack config` / `docker stack deploy` check when they
 * validate a stack file (docker CLI 28, cli/compose/schema): `duration` is Go's
 * `time.ParseDuration`, `ports` is `nat.ParsePortSpec` from go-connections; `expose` is accepted
 * as anything. The generated stack validator (scripts/build-schemas.mjs) calls these by name.
 */
import { isGoDuration } from './go-values.js';

/** Go's time.ParseDuration: `1m30s`, `1.5h`, `300ms`, `0`; a bare number other than 0 has no unit. */
export function duration(value: string): boolean {
  return isGoDuration(value);
}

/** Split `[ip:][host:]container` the way nat's splitParts does (IPv6 keeps its colons in the ip). */
export function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  if (n === 1) return ['', '', container];
  if (n === 2) return ['', parts[0]!, container];
  if (n === 3) return [parts[0]!, parts[1]!, container];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, container];
}

/** nat.ParsePortRange: `80` or `8000-8010`, each a 16-bit unsigned decimal, start ≤ end. */
function portRange(s: string): [number, number] | null {
  if (s === '') return null;
  const dash = s.indexOf('-');
  const parts = dash < 0 ? [s] : [s.slice(0, dash), s.slice(dash + 1)];
  const nums: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return null;
    const n = Number(p);
    if (n > 65535) return null;
    nums.push(n);
  }
  const start = nums[0]!;
  const end = nums[1] ?? start;
  return end < start ? null : [start, end];
}

/** Go's net.ParseIP: a dotted IPv4 address or an IPv6 address (optionally with an IPv4 tail). */
export function isIp(s: string): boolean {
  return isIpv4(s) || isIpv6(s);
}

function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255 && !(p.length > 1 && p.startsWith('0')));
}

function isIpv6(s: string): boolean {
  if (!s.includes(':')) return false;
  let groups = s.split(':');
  let max = 8;
  const last = groups[groups.length - 1]!;
  if (last.includes('.')) {
    if (!isIpv4(last)) return false;
    groups = groups.slice(0, -1);
    max = 6;
    if (groups[groups.length - 1] === '') groups.push(''); // `::1.2.3.4`
  }
  const text = groups.join(':');
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const hex = (h: string) => (h === '' ? [] : h.split(':'));
  const head = hex(halves[0]!);
  const tail = halves.length === 2 ? hex(halves[1]!) : [];
  const all = [...head, ...tail];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < max : all.length === max;
}

/** nat.ParsePortSpec: `[ip:][hostPort[-end]:]containerPort[-end][/proto]`. */
export function ports(value: string): boolean {
  let [ip, host, container] = splitParts(value);
  let proto = 'tcp';
  // nat.SplitProtoPort on the container part
  const slash = container.split('/');
  if (container === '' || slash[0] === '') return false;
  if (slash.length > 1 && slash[1] !== '') proto = slash[1]!;
  container = slash[0]!;
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && !isIp(ip)) return false;
  const c = portRange(container);
  if (!c) return false;
  if (host !== '') {
    const h = portRange(host);
    if (!h) return false;
    const hostLen = h[1] - h[0];
    const contLen = c[1] - c[0];
    // a host range maps onto a container range of the same length, or a single container port
    if (contLen !== hostLen && contLen !== 0) return false;
  }
  return ['tcp', 'udp', 'sctp'].includes(proto.toLowerCase());
}

/** `expose` is not checked by docker. */
export function expose(): boolean {
  return true;
}

/** A port as the short syntax writes it, split into its parts. */
export interface ShortPort {
  target: string;
  published: string | null;
  hostIp: string | null;
  protocol: string;
  mode: string | null;
}

/** `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]`, split as docker splits it (an IPv6 address with or without brackets). */
export function parseShortPort(s: string): ShortPort {
  let rest = s;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = rest.slice(slash + 1);
    rest = rest.slice(0, slash);
  }
  let [hostIp, published, target] = splitParts(rest);
  if (hostIp.startsWith('[') && hostIp.endsWith(']')) hostIp = hostIp.slice(1, -1);
  return { target, published: published === '' ? null : published, hostIp: hostIp === '' ? null : hostIp, protocol, mode: null };
}
