import { describe, expect, it } from 'vitest';
import { child, rootRef } from '../src/model/access.js';
import type { ReportDescriptor } from '../src/engine/types.js';
import type { Service } from '../src/model/types.js';
import type { LMap } from '../src/parse/located.js';
import { parseText } from '../test/parse/helpers.js';
import { reportUnsetName } from './unset-name.js';

const FILE = ['unset: "${NET}"', 'set: "${DB}"', 'plain: ""', 'named: db', ''].join('\n');
const svc = { name: 'web' } as Service;

/** The reports reportUnsetName makes for the name under `key` (DB set, NET not), and what it answered. */
function run(key: string, data?: Record<string, string>): { reported: boolean; reports: ReportDescriptor[] } {
  const doc = parseText(FILE, { DB: 'postgres' });
  const ref = child(rootRef(doc.root as LMap), key)!;
  const reports: ReportDescriptor[] = [];
  const name = ref.node.kind === 'scalar' ? String(ref.node.value) : '';
  const reported = reportUnsetName({ report: (d) => reports.push(d) }, svc, name, ref, data);
  return { reported, reports };
}

describe('reportUnsetName', () => {
  it('reports a name an unset variable left empty, as the file wrote it, at the value', () => {
    const { reported, reports } = run('unset', { kind: 'network' });
    expect(reported).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.messageId).toBe('unsetName');
    expect(reports[0]!.data).toEqual({ service: 'web', kind: 'network', written: '${NET}' });
    expect(reports[0]!.service).toBe(svc);
  });

  it('leaves alone a name a set variable gave, an empty name the file wrote and a plain name', () => {
    for (const key of ['set', 'plain', 'named']) expect(run(key), key).toEqual({ reported: false, reports: [] });
  });
});
