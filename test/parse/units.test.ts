import { describe, expect, it } from 'vitest';
import { parseShortPort } from '../../src/parse/stack-formats.js';
import { formatBytes, formatDuration, parseBytes, parseCpus, parseDuration } from '../../src/model/units.js';
import { lintFiles } from './helpers.js';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('parseBytes', () => {
  it.each([
    ['512M', 512 * MiB],
    ['512m', 512 * MiB],
    ['1g', GiB],
    ['1G', GiB],
    ['256MB', 256 * MiB],
    ['256mb', 256 * MiB],
    ['1.5GiB', 1.5 * GiB],
    ['1gb', GiB],
    ['512Mi', 512 * MiB],
    ['2Gi', 2 * GiB],
    ['64k', 64 * KiB],
    ['64KB', 64 * KiB],
    ['100b', 100],
    ['100B', 100],
    ['268435456', 268435456],
    ['0', 0],
    ['2T', 2 * 1024 ** 4],
    ['512 M', 512 * MiB],
  ])('%s → %d', (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
  });

  it('numbers are bytes', () => {
    expect(parseBytes(268435456)).toBe(268435456);
    expect(parseBytes(0)).toBe(0);
    expect(parseBytes(1.5)).toBe(1);
  });

  it.each(['', ' ', 'abc', 'M', '-1', '1x', '1e3', '.5g', '1.g', 'Infinity', '1_000', '12 MB extra', '1KiBB'])('%j is not a size → null', (input) => {
    expect(parseBytes(input)).toBeNull();
  });

  it('non-strings and non-finite numbers are not sizes', () => {
    for (const v of [null, undefined, true, [], {}, -1, NaN, Infinity]) expect(parseBytes(v)).toBeNull();
  });

  it('formatBytes writes the shortest exact unit', () => {
    expect(formatBytes(512 * MiB)).toBe('512M');
    expect(formatBytes(GiB)).toBe('1G');
    expect(formatBytes(1.5 * GiB)).toBe('1536M');
    expect(formatBytes(1536)).toBe('1536');
    expect(formatBytes(1000)).toBe('1000');
    for (const n of [512 * MiB, GiB, 3 * KiB, 12345]) expect(parseBytes(formatBytes(n))).toBe(n);
  });
});

describe('parseDuration (seconds)', () => {
  it.each([
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1h', 3600],
    ['10', 10],
    ['10s', 10],
    ['1.5h', 5400],
    ['2h45m', 9900],
    ['0', 0],
    ['0s', 0],
    ['1us', 1e-6],
    ['1µs', 1e-6],
    ['1ns', 1e-9],
    ['.5s', 0.5],
    ['1.s', 1],
  ])('%s → %d', (input, seconds) => {
    expect(parseDuration(input)).toBeCloseTo(seconds, 12);
  });

  it('numbers are seconds', () => {
    expect(parseDuration(10)).toBe(10);
    expect(parseDuration(0.25)).toBe(0.25);
  });

  it.each(['', 'abc', '1m30', 's', '1d', '-1s', '10 s', '1m 30s', 'ms'])('%j is not a duration → null', (input) => {
    expect(parseDuration(input)).toBeNull();
  });

  it('formatDuration writes a compact Go duration that parses back', () => {
    expect(formatDuration(90)).toBe('1m30s');
    expect(formatDuration(0.5)).toBe('500ms');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(30)).toBe('30s');
    for (const s of [90, 0.5, 3600, 30, 3661]) expect(parseDuration(formatDuration(s))).toBeCloseTo(s, 9);
  });
});

describe('parseCpus', () => {
  it.each([
    ['0.5', 0.5],
    ['2', 2],
    ['.5', 0.5],
    ['1.0', 1],
    [' 0.25 ', 0.25],
  ])('%j → %d', (input, cpus) => {
    expect(parseCpus(input)).toBe(cpus);
  });

  it('numbers are CPUs', () => {
    expect(parseCpus(2)).toBe(2);
    expect(parseCpus(0.5)).toBe(0.5);
  });

  it.each(['', 'abc', '-1', '0.5.1', '1 cpu', '50%'])('%j is not a CPU count → null', (input) => {
    expect(parseCpus(input)).toBeNull();
  });

  it('non-strings and negative numbers are not CPU counts', () => {
    for (const v of [null, undefined, true, [], -0.5, NaN]) expect(parseCpus(v)).toBeNull();
  });
});

describe('units in the model', () => {
  it('limits, reservations and healthcheck timings are numbers in the built model', () => {
    const r = lintFiles({
      'compose.yaml': [
        'services:',
        '  web:',
        '    image: a',
        '    deploy:',
        '      resources:',
        '        limits: {cpus: "0.5", memory: 512M}',
        '        reservations: {cpus: 2, memory: "268435456"}',
        '    healthcheck:',
        '      test: [CMD, "true"]',
        '      interval: 1m30s',
        '      timeout: 500ms',
        '      start_period: ${SP:-1h}',
        '',
      ].join('\n'),
    });
    expect(r.findings).toEqual([]);
    const svc = r.stack!.services[0]!;
    expect(svc.limits.cpus?.value).toBe(0.5);
    expect(svc.limits.memory?.value).toBe(512 * MiB);
    expect(svc.reservations.cpus?.value).toBe(2);
    expect(svc.reservations.memory?.value).toBe(268435456);
    expect(svc.healthcheck?.interval?.value).toBe(90);
    expect(svc.healthcheck?.timeout?.value).toBe(0.5);
    expect(svc.healthcheck?.startPeriod?.value).toBe(3600);
  });

  it('a value that is not a size is absent from the model (null), not a crash', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: a\n    deploy:\n      resources:\n        limits: {cpus: lots, memory: huge}\n' });
    const svc = r.stack!.services[0]!;
    expect(svc.limits.cpus).toBeNull();
    expect(svc.limits.memory).toBeNull();
  });
});

describe('parseShortPort: split as docker splits it', () => {
  const port = (hostIp: string | null, published: string | null, target: string, protocol = 'tcp') => ({ hostIp, published, target, protocol, mode: null });
  it('target, published, host ip and protocol', () => {
    expect(parseShortPort('80')).toEqual(port(null, null, '80'));
    expect(parseShortPort('8080:80/udp')).toEqual(port(null, '8080', '80', 'udp'));
    expect(parseShortPort('127.0.0.1:8080:80')).toEqual(port('127.0.0.1', '8080', '80'));
    expect(parseShortPort('1.2.3.4::80')).toEqual(port('1.2.3.4', null, '80'));
  });
  it('an IPv6 host address, in brackets or not', () => {
    expect(parseShortPort('[::1]:8080:80')).toEqual(port('::1', '8080', '80'));
    expect(parseShortPort('::1:8080:80')).toEqual(port('::1', '8080', '80'));
    expect(parseShortPort('2001:db8::1:8080:80/tcp')).toEqual(port('2001:db8::1', '8080', '80'));
  });
});
