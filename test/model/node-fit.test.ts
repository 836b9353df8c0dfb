import { describe, expect, it } from 'vitest';
import { countNodesNeeded, packTasks, type TaskGroup } from '../../src/model/node-fit.js';

const G = 1024 ** 3;
const task = (service: string, count: number, cpus: number, memory = 0): TaskGroup => ({ service, count, cpus, memory });
const node = (name: string, cpus: number, memory: number) => ({ name, free: { cpus, memory } });

describe('countNodesNeeded (first-fit decreasing)', () => {
  it('one resource: the classic example packs into two bins', () => {
    // 0.7 + 0.3 | 0.5 + 0.3 + 0.2: first-fit decreasing, largest first
    const tasks = [task('a', 1, 0.2), task('b', 1, 0.5), task('c', 2, 0.3), task('d', 1, 0.7)];
    expect(countNodesNeeded(tasks, { cpus: 1, memory: G })).toEqual({ nodes: 2 });
  });

  it('tasks of one service: as many per node as fit', () => {
    expect(countNodesNeeded([task('api', 3, 0.6)], { cpus: 1, memory: G })).toEqual({ nodes: 3 });
    expect(countNodesNeeded([task('api', 4, 0.5)], { cpus: 1, memory: G })).toEqual({ nodes: 2 });
    // 0.1 + 0.2 CPUs fit in 0.3 (no floating-point miss)
    expect(countNodesNeeded([task('a', 1, 0.1), task('b', 1, 0.2)], { cpus: 0.3, memory: G })).toEqual({ nodes: 1 });
  });

  it('two resources: memory is what runs out', () => {
    // 6 tasks of 0.1 CPUs and 3 GiB on 4-CPU, 8-GiB nodes: two per node
    expect(countNodesNeeded([task('db', 6, 0.1, 3 * G)], { cpus: 4, memory: 8 * G })).toEqual({ nodes: 3 });
    // a CPU-heavy and a memory-heavy service share nodes
    expect(countNodesNeeded([task('cpu', 2, 1.5, 1 * G), task('mem', 2, 0.25, 6 * G)], { cpus: 2, memory: 8 * G })).toEqual({ nodes: 2 });
  });

  it('global services take their reservation on every node first', () => {
    expect(countNodesNeeded([task('api', 4, 0.5)], { cpus: 1, memory: G }, { cpus: 0.5, memory: 0 })).toEqual({ nodes: 4 });
    // nothing else to place: one node still runs the global services
    expect(countNodesNeeded([], { cpus: 1, memory: G }, { cpus: 0.5, memory: 0 })).toEqual({ nodes: 1 });
    expect(countNodesNeeded([], { cpus: 1, memory: G }, { cpus: 2, memory: 0 })).toMatchObject({ nodes: null, tooLarge: { service: 'global services' } });
  });

  it('a task no node of that size holds: null, naming it', () => {
    expect(countNodesNeeded([task('small', 2, 0.5), task('huge', 1, 3)], { cpus: 2, memory: G })).toEqual({ nodes: null, tooLarge: task('huge', 1, 3) });
  });

  it('tasks without reservations fit anywhere; no tasks need one node', () => {
    expect(countNodesNeeded([task('free', 1000, 0, 0)], { cpus: 1, memory: G })).toEqual({ nodes: 1 });
    expect(countNodesNeeded([], { cpus: 1, memory: G })).toEqual({ nodes: 1 });
  });

  it('work grows with services, not replicas: a million replicas are counted at once', () => {
    // 0.3 first, three a node (333,333 nodes, 0.1 left on each), then 0.1: one on each of those, the
    // other 666,667 ten a node (66,667 nodes): 400,000, the fewest possible (399,999.7 CPUs in all)
    expect(countNodesNeeded([task('many', 1_000_000, 0.1), task('more', 999_999, 0.3)], { cpus: 1, memory: G })).toEqual({ nodes: 400_000 });
  });
});

describe('packTasks', () => {
  it('fits: every task placed, what is left per node', () => {
    const p = packTasks([task('api', 3, 0.5, G), task('db', 1, 1, 4 * G)], [node('n1', 2, 8 * G), node('n2', 2, 8 * G)]);
    expect(p.fits).toBe(true);
    expect(p.unplaced).toEqual([]);
    // db first (the larger share of a node), then api first fit: two beside db on n1, one on n2
    expect(p.nodes).toEqual([
      { name: 'n1', free: { cpus: 0, memory: 2 * G }, tasks: 3 },
      { name: 'n2', free: { cpus: 1.5, memory: 7 * G }, tasks: 1 },
    ]);
  });

  it('does not fit: the tasks left over, per service', () => {
    const p = packTasks([task('api', 5, 1)], [node('n1', 2, G), node('n2', 2, G)]);
    expect(p.fits).toBe(false);
    expect(p.unplaced).toEqual([{ service: 'api', count: 1 }]);
  });

  it('nodes of different sizes: first fit in the order given', () => {
    const p = packTasks([task('a', 1, 3), task('b', 2, 1)], [node('small', 1, G), node('big', 4, G)]);
    expect(p.fits).toBe(true);
    expect(p.nodes.map((n) => n.tasks)).toEqual([1, 2]);
  });
});
