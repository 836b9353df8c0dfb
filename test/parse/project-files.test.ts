import { describe, expect, it } from 'vitest';
import { isInside } from '../../src/parse/project-files.js';

describe('isInside: the one test of "a path within a folder" (the project boundary, configurations, shown paths)', () => {
  it('takes the folder itself and what is below it, and a name that starts with ".." as a file of the folder', () => {
    expect(isInside('/repo', '/repo')).toBe(true);
    expect(isInside('/repo', '/repo/app/compose.yaml')).toBe(true);
    expect(isInside('/repo', '/repo/..shared.yaml')).toBe(true);
    expect(isInside('/repo', '/repo/..d/x')).toBe(true);
  });

  it('refuses its parent, a sibling and a folder whose name only starts like it', () => {
    expect(isInside('/repo', '/')).toBe(false);
    expect(isInside('/repo', '/other/x')).toBe(false);
    expect(isInside('/repo', '/repo2/x')).toBe(false);
    expect(isInside('/repo/app', '/repo/..')).toBe(false);
  });
});
