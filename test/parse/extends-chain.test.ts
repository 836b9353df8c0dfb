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
