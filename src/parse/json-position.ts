/**
 * Positions in JSON text, for messages about a JSON document that point at the value at fault
 * (`usage.json:12:7: ...`): where a value given by its path starts, where a text stops being
 * JSON. One iterative pass over the text, linear in it, so that deep nesting cannot overflow the
 * stack.
 */

/** A path into a JSON document: object keys and array indexes. */
export type JsonPath = Array<string | number>;

/** `services["shop/web"].daily[2].samples` (the whole document: `the usage profile`). */
export function showPath(p: JsonPath): string {
  if (p.length === 0) return 'the usage profile';
  let s = '';
  for (const k of p) {
    if (typeof k === 'number') s += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) s += s ? `.${k}` : k;
    else s += `[${JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}\u2026` : k)}]`;
  }
  return s;
}

/** `line:col` of the value at `p` (or of the deepest part of it that exists) in valid JSON. */
export function locate(text: string, p: JsonPath): string {
  if (p.length === 0) return firstContent(text);
  for (let n = p.length; n > 0; n--) {
    const at = scanJson(text, p.slice(0, n));
    if (at.found !== null) return lineCol(text, at.found);
  }
  return firstContent(text);
}

function firstContent(text: string): string {
  const m = /\S/.exec(text);
  return lineCol(text, m ? m.index : 0);
}

export function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

export function describeChar(text: string, at: number): string {
  const c = text[at]!;
  return /[\x21-\x7e]/.test(c) ? `"${c}"` : `character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `name:line:col: <what> is not valid JSON (...)`, at the first character that makes `text`
 * invalid JSON, for a reader's error. The character is named where `showChar` (a printable one
 * quoted), else only said to be unexpected: a text that may hold secrets is not quoted at all.
 */
export function notJsonMessage(text: string, name: string, what: string, showChar = true): string {
  const at = jsonErrorOffset(text);
  const why = at >= text.length ? 'it ends too early' : showChar ? `unexpected ${describeChar(text, at)}` : 'unexpected character';
  return `${name}:${lineCol(text, at)}: ${what} is not valid JSON (${why})`;
}

/**
 * The offset of the first character that makes `text` invalid JSON (its length when it ends too
 * early).
 */
export function jsonErrorOffset(text: string): number {
  return scanJson(text, null).error ?? text.length;
}

/**
 * One pass over JSON text: where the value at `target` starts (`found`), and where the text stops
 * being JSON (`error`). Iterative, so that deep nesting cannot overflow the stack; linear in the
 * text.
 */
function scanJson(text: string, target: JsonPath | null): { found: number | null; error: number | null } {
  let i = 0;
  const n = text.length;
  /** the open containers (true: an object), and the key or index of the value being read in each */
  const objects: boolean[] = [];
  const ats: Array<string | number> = [];
  const isTarget = (): boolean => {
    if (!target || target.length !== ats.length) return false;
    for (let k = 0; k < ats.length; k++) if (ats[k] !== target[k]) return false;
    return true;
  };
  const fail = (at: number) => ({ found: null, error: Math.min(at, n) });
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** a string at i (i moves past it): whether it is one */
  const str = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  /** a key and its colon: the key is where the next value goes */
  const key = (): boolean => {
    const from = i;
    if (!str()) return false;
    // only a search needs the key's value
    if (target) ats[ats.length - 1] = JSON.parse(text.slice(from, i)) as string;
    ws();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  const scalar = (): boolean => {
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  let wantValue = true;
  for (;;) {
    ws();
    if (wantValue) {
      if (i >= n) return fail(n);
      if (isTarget()) return { found: i, error: null };
      const c = text[i];
      if (c === '{' || c === '[') {
        objects.push(c === '{');
        ats.push(c === '[' ? 0 : '');
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) {
          objects.pop();
          ats.pop();
          i++;
          wantValue = false;
          continue;
        }
        if (c === '{' && !key()) return fail(i);
        continue;
      }
      if (c === '"' ? !str() : !scalar()) return fail(i);
      wantValue = false;
      continue;
    }
    const depth = objects.length;
    if (depth === 0) return i < n ? fail(i) : { found: null, error: null };
    if (i >= n) return fail(n);
    const inObject = objects[depth - 1]!;
    const c = text[i];
    if (c === ',') {
      i++;
      ws();
      if (inObject) {
        if (!key()) return fail(i);
      } else ats[depth - 1] = (ats[depth - 1] as number) + 1;
      wantValue = true;
    } else if (c === (inObject ? '}' : ']')) {
      objects.pop();
      ats.pop();
      i++;
    } else return fail(i);
  }
}
