import { describe, expect, it } from 'vitest';
import type { ExtendsChain, LMap } from '../../src/parse/located.js';
import { loadFiles } from './helpers.js';

/**
 * What a service inherits through `extends` is known by the services merged into it (`extendsFrom`,
 * nearest first). Each link held a copy of its base's list: a chain of n links held n²/2
 * locations (16,000 links: 1.4 GB and 5 s to lint; 32,000 ran out of memory). A link now shares the
 * rest of the chain with its base.
 */
describe('an extends chain of 16,000 links', () => {
  const n = 16_000;
  let text = 'services:\n';
  for (let i = 0; i < n; i++) text += `  s${i}:\n    image: x:1\n    extends: s${i + 1}\n`;
  text += `  s${n}:\n    image: x:1\n`;
  const project = loadFiles({ 'compose.yaml': text });
  const services = (project.root!.get('services')!.value as LMap).entries.map((e) => e.value as LMap);

  it('holds one link of the chain per service, shared by the services that extend it', () => {
    const links = new Set<ExtendsChain>();
    for (const svc of services) for (let c = svc.extendsFrom; c; c = c.rest) {
      if (links.has(c)) break;
      links.add(c);
    }
    expect(links.size).toBe(n);
    let shared = 0;
    for (let i = 0; i < n; i++) if (services[i]!.extendsFrom!.rest === services[i + 1]!.extendsFrom) shared++;
    expect(shared).toBe(n);
    expect(project.issues).toEqual([]);
  });

  it('lists every base of the first service, nearest first', () => {
    const bases: number[] = [];
    for (let c = services[0]!.extendsFrom; c; c = c.rest) bases.push(c.loc.kind === 'file' ? c.loc.start : -1);
    expect(bases).toHaveLength(n);
    expect(bases).toEqual(services.slice(1).map((s) => (s.loc.kind === 'file' ? s.loc.start : -2)));
    expect(services[n]!.extendsFrom).toBeUndefined();
  });
});

describe('extends chains whose lists repeat without bound', () => {
  // Lists merge by appending: each link repeats its bases' items. 1,500 links of one item each
  // would hold 1.1 million items (3,000 services on such a chain: 9 million from 520 KB, and a fix
  // ran out of memory). Past a million items in all, a link is read without its base: one error.
  it('past 1,000,000 list items: one extends error at the link where the bound passed, the links before it merged', () => {
    const n = 1_500;
    let text = 'services:\n';
    for (let i = 0; i < n; i++) text += `  s${i}:\n    image: x:1\n    security_opt: [label=s${i}]\n${i < n - 1 ? `    extends: s${i + 1}\n` : ''}`;
    const project = loadFiles({ 'compose.yaml': text });
    const errors = project.issues.filter((i) => i.ruleId === 'extends');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^service "s(\d+)" extends "s\d+", and the project's extends chains repeat more than 1,000,000 keys and list items in all \(each service holds its bases' again\); it is read without its base, as are the services after it$/);
    const services = project.root!.get('services')!.value as LMap;
    const items = (name: string) => ((services.get(name)!.value as LMap).get('security_opt')!.value as { items: unknown[] }).items.length;
    // the root's bases merged in full; the service named in the error holds its own item only
    const cut = /"s(\d+)"/.exec(errors[0]!.message)![1]!;
    expect(items(`s${n - 2}`)).toBe(2);
    expect(items(`s${cut}`)).toBe(1);
    expect(items('s0')).toBe(1);
  });

  it('many services extending one base of many keys: the same bound (8,000 x 8,000 labels ran out of memory)', () => {
    let text = 'services:\n  base:\n    image: x:1\n    labels:\n';
    for (let i = 0; i < 1_100; i++) text += `      k${i}: v\n`;
    for (let i = 0; i < 1_000; i++) text += `  s${i}:\n    extends: base\n`;
    const project = loadFiles({ 'compose.yaml': text });
    const errors = project.issues.filter((i) => i.ruleId === 'extends');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^service "s9\d\d" extends "base", and the project's extends chains repeat more than 1,000,000 keys and list items/);
  });

  it('a chain of one-item lists under the bound merges every link', () => {
    let text = 'services:\n';
    for (let i = 0; i < 1_000; i++) text += `  s${i}:\n    image: x:1\n    security_opt: [label=s${i}]\n${i < 999 ? `    extends: s${i + 1}\n` : ''}`;
    const project = loadFiles({ 'compose.yaml': text });
    expect(project.issues).toEqual([]);
    const s0 = (project.root!.get('services')!.value as LMap).get('s0')!.value as LMap;
    expect((s0.get('security_opt')!.value as { items: unknown[] }).items).toHaveLength(1_000);
  });
});
