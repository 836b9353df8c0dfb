import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../src/parse/json-position.js';
import { parseUsageProfile, UsageProfileError } from '../src/usage/profile-file.js';
import { USAGE_FIXTURES } from './helpers/usage-fixtures.js';

const long = readFileSync(join(USAGE_FIXTURES, 'long.json'), 'utf8');

/** The one-line error a text gives. */
function errorOf(text: string): string {
  try {
    parseUsageProfile(text, 'usage.json');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageProfileError);
    const m = (e as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('no error');
}

describe('parseUsageProfile', () => {
  it('reads every committed profile', () => {
    for (const f of ['long.json', 'short.json', 'oom.json', 'throttled.json', 'disappeared.json', 'idle.json']) {
      const p = parseUsageProfile(readFileSync(join(USAGE_FIXTURES, f), 'utf8'), f);
      expect(Object.keys(p.services).length, f).toBeGreaterThan(0);
    }
  });

  it('JSON syntax errors: file:line:col of the first bad character', () => {
    expect(errorOf('{\n  "format": "stackopt-usage/1",\n  "services": {,}\n}')).toBe('usage.json:3:16: the usage profile is not valid JSON (unexpected ",")');
    expect(errorOf('{"format": "stackopt-usage/1"')).toBe('usage.json:1:30: the usage profile is not valid JSON (it ends too early)');
    expect(errorOf('')).toBe('usage.json:1:1: the usage profile is not valid JSON (it ends too early)');
    expect(errorOf('{"a": 1}\n\u0000')).toBe('usage.json:2:1: the usage profile is not valid JSON (unexpected character U+0000)');
  });

  it('the format: missing, another version', () => {
    expect(errorOf('{"services": {}}')).toBe('usage.json:1:1: the usage profile has no "format"; expected "stackopt-usage/1" (record a profile with `stackopt usage record`)');
    expect(errorOf('[1]')).toBe('usage.json:1:1: the usage profile must be a JSON object (a stackopt usage profile)');
    expect(errorOf('{\n  "format": "stackopt-usage/9"\n}')).toBe('usage.json:2:13: format is "stackopt-usage/9"; expected "stackopt-usage/1" (a profile of another version or another tool)');
  });

  it('shapes: the path and the position of the value at fault', () => {
    const bad = long.replace('"max": 0.45467', '"max": "high"');
    expect(bad).not.toBe(long);
    const line = bad.split('\n').findIndex((l) => l.includes('"max": "high"')) + 1;
    const col = bad.split('\n')[line - 1]!.indexOf('"high"') + 1;
    expect(errorOf(bad)).toBe(`usage.json:${line}:${col}: services["shop/web"].cpu.max must be a number`);
    const total = long.replace(/"total": 40320/, '"total": 5');
    expect(errorOf(total)).toMatch(/^usage\.json:\d+:\d+: services\["shop\/web"\]\.cpu\.total is 5 but its counts add up to 40320$/);
    const bucket = long.replace('"counts": {', '"counts": {"-1": 3, ');
    expect(errorOf(bucket)).toMatch(/^usage\.json:\d+:\d+: services\["shop\/web"\]\.cpu\.counts\["-1"\] is not a bucket index \(a whole number from 0 to 1000\)$/);
    const time = long.replace(/"firstSeen": "[^"]+"/, '"firstSeen": "yesterday"');
    expect(errorOf(time)).toMatch(/^usage\.json:\d+:\d+: services\["shop\/web"\]\.firstSeen must be an ISO 8601 time in UTC, such as 2026-11-01T00:00:00Z$/);
    const stack = long.replace(/("shop\/web": \{\s*"stack": )"shop"/, '$13');
    const at = stack.split('\n').findIndex((l) => l.includes('"stack": 3')) + 1;
    expect(errorOf(stack)).toBe(`usage.json:${at}:${stack.split('\n')[at - 1]!.indexOf('3') + 1}: services["shop/web"].stack must be a string or null`);
    const missing = long.replace(/"kind": "swarm",/, '');
    expect(errorOf(missing)).toMatch(/^usage\.json:\d+:\d+: services\["shop\/web"\] has no "kind"$/);
  });

  it('a service key such as __proto__ is data', () => {
    const p = JSON.parse(long) as { services: Record<string, unknown> };
    const text = long.replace('"shop/web": {', '"__proto__": {');
    const parsed = parseUsageProfile(text, 'usage.json');
    expect(Object.keys(parsed.services)).toContain('__proto__');
    expect(Object.keys(p.services)).toContain('shop/web');
  });

  it('deep nesting is reported, not a stack overflow', () => {
    const deep = '['.repeat(200_000);
    expect(jsonErrorOffset(deep)).toBe(deep.length);
    const head = '{"format": "stackopt-usage/1", "generator": "stackopt 0.1.0", "createdAt": "2026-11-01T00:00:00Z", "updatedAt": "2026-11-01T00:00:00Z", "recordings": [], "services": ';
    const nested = `${head}${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(errorOf(nested)).toBe(`usage.json:1:${head.length + 1}: services must be an object`);
  });
});
