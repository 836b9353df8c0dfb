/** Text edits as the fixer API builds them: which may share a pass, and in which order they apply. */
import type { TextEdit } from './types.js';

/**
 * An edit built by the YAML-aware helpers. An insertion (an empty range) may say which mapping it
 * adds keys to and how deep that mapping sits, so that two problems inserting at the same offset
 * can be applied in one pass when they cannot collide (different keys, deeper mapping first).
 */
export interface YamlTextEdit extends TextEdit {
  insert?: {
    /** identifies the mapping or sequence the text is added to (file offset of its node) */
    container: string;
    /** keys added to that mapping (empty for sequence items) */
    keys: string[];
    /** indentation of the added lines: deeper insertions go first at a shared offset */
    indent: number;
  };
}

/** Two edits cannot be applied in the same pass: their ranges overlap, or they insert at one point. */
export function editsConflict(a: TextEdit, b: TextEdit): boolean {
  if (a.start < b.end && b.start < a.end) return true;
  const aEmpty = a.start === a.end;
  const bEmpty = b.start === b.end;
  if (aEmpty && b.start < a.start && a.start < b.end) return true;
  if (bEmpty && a.start < b.start && b.start < a.end) return true;
  if (a.start === b.start && (aEmpty || bEmpty)) return !insertionsCompatible(a as YamlTextEdit, b as YamlTextEdit);
  return false;
}

/** Two insertions at one offset may share a pass when both add distinct keys (or items) and say where. */
function insertionsCompatible(a: YamlTextEdit, b: YamlTextEdit): boolean {
  if (a.start !== a.end || b.start !== b.end || !a.insert || !b.insert) return false;
  if (a.insert.container !== b.insert.container) return a.insert.indent !== b.insert.indent;
  return a.insert.keys.length > 0 && b.insert.keys.length > 0 && !a.insert.keys.some((k) => b.insert!.keys.includes(k));
}

/**
 * Order edits for application: by offset; insertions at one offset deeper mapping first, then in
 * the order given (the sort is stable).
 */
export function sortEdits<T extends TextEdit>(edits: readonly T[]): T[] {
  return [...edits].sort((a, b) => {
    if (a.start !== b.start) return a.start - b.start;
    const ai = (a as YamlTextEdit).insert?.indent ?? -1;
    const bi = (b as YamlTextEdit).insert?.indent ?? -1;
    const aEmpty = a.start === a.end;
    const bEmpty = b.start === b.end;
    // an insertion before a replacement that starts at the same offset
    if (aEmpty !== bEmpty) return aEmpty ? -1 : 1;
    return bi - ai;
  });
}
