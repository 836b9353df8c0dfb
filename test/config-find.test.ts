import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clearConfigCache, configFor, findConfigFile, readFoundConfig } from '../src/config/find-config.js';
import { InputError } from '../src/parse/read-document.js';

/** configFor: the nearest configuration of a file, cached per folder until clearConfigCache. */
const root = mkdtempSync(join(tmpdir(), 'stackopt-find-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const p = join(root, path);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

describe('configFor', () => {
  it('the nearest file from the file\'s folder upward; the same object for files of one configuration', () => {
    const top = write('a/.stackopt.yaml', 'target: swarm\n');
    const deep = write('a/b/c/.stackopt.yml', 'target: compose\nfailOn: warning\nbaseline: ../base.json\n');
    expect(configFor(join(root, 'a/compose.yaml'))?.path).toBe(top);
    expect(configFor(join(root, 'a/b/compose.yaml'))?.target).toBe('swarm');
    const c = configFor(join(root, 'a/b/c/d/compose.yaml'));
    expect(c?.path).toBe(deep);
    expect(c).toMatchObject({ target: 'compose', failOn: 'warning', baseline: join(root, 'a/b/base.json') });
    // a path that does not exist (a buffer not saved yet) is looked up from its folder all the same
    expect(configFor(join(root, 'a/b/c/new/stack.yml'))).toBe(c);
    // a repository of its own, so that the search stops there and not at a stray file above the temporary folder
    mkdirSync(join(root, 'elsewhere/.git'), { recursive: true });
    expect(configFor(join(root, 'elsewhere/compose.yaml'))).toBe(null);
  });

  it('stops at the folder holding .git, whose own configuration counts', () => {
    write('r/.stackopt.yaml', 'target: swarm\n');
    mkdirSync(join(root, 'r/repo/.git'), { recursive: true });
    expect(configFor(join(root, 'r/repo/x/compose.yaml'))).toBe(null);
    const own = write('r/repo/.stackopt.yaml', 'target: compose\n');
    clearConfigCache();
    expect(configFor(join(root, 'r/repo/x/compose.yaml'))?.path).toBe(own);
  });

  it('is cached until clearConfigCache: a new or changed file is read after it', () => {
    const file = join(root, 'cache/svc/compose.yaml');
    expect(configFor(file)).toBe(null);
    const created = write('cache/svc/.stackopt.yaml', 'target: swarm\n');
    expect(configFor(file)).toBe(null);
    expect(findConfigFile(join(root, 'cache/svc'))).toBe(null);
    clearConfigCache();
    expect(configFor(file)?.target).toBe('swarm');
    write('cache/svc/.stackopt.yaml', 'target: compose\n');
    expect(configFor(file)?.target).toBe('swarm');
    clearConfigCache();
    expect(configFor(file)).toMatchObject({ path: created, target: 'compose' });
  });

  it('a configuration that is a loop of links: the same line for a lint under it and for the file opened itself', () => {
    mkdirSync(join(root, 'loop/.git'), { recursive: true });
    const p = join(root, 'loop/.stackopt.yaml');
    symlinkSync('.stackopt.yaml', p);
    clearConfigCache();
    const under = (() => {
      try {
        configFor(join(root, 'loop/compose.yaml'));
      } catch (e) {
        return (e as Error).message;
      }
    })();
    clearConfigCache();
    expect(() => readFoundConfig(p)).toThrow(new InputError(under!, p));
    expect(under).toMatch(/\.stackopt\.yaml: a loop of symbolic links$/);
  });

  it('a bad configuration throws the same InputError each time it is asked for', () => {
    write('bad/.stackopt.yaml', 'targt: swarm\n');
    let first: unknown;
    try {
      configFor(join(root, 'bad/compose.yaml'));
    } catch (e) {
      first = e;
    }
    expect(first).toBeInstanceOf(InputError);
    expect((first as Error).message).toMatch(/^invalid configuration: .*\.stackopt\.yaml:1:1: unknown key "targt" in the document; did you mean "target"\?$/);
    expect(() => configFor(join(root, 'bad/sub/compose.yaml'))).toThrow(first as Error);
  });
});
