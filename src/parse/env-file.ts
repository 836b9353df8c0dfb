/**
 * The `.env` file format compose reads: `KEY=VALUE` lines, `#` comments, an optional `export `
 * prefix, single quotes (literal), double quotes (with \n, \t, \\ and \" escapes), and inline
 * comments after an unquoted value when preceded by white space.
 */
export interface EnvFileError {
  line: number;
  column: number;
  message: string;
}

export function parseEnvFile(text: string): { values: Map<string, string>; errors: EnvFileError[] } {
  const values = new Map<string, string>();
  const errors: EnvFileError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    line = line.replace(/^\s*export\s+/, '');
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      errors.push({ line: n + 1, column: 1, message: `"${key}" is not a valid variable name` });
      continue;
    }
    if (eq < 0) continue; // `KEY` alone takes its value from the environment: nothing to set here
    let raw = line.slice(eq + 1).trimStart();
    let value: string;
    if (raw.startsWith("'")) {
      const endQ = raw.indexOf("'", 1);
      value = endQ < 0 ? raw.slice(1) : raw.slice(1, endQ);
    } else if (raw.startsWith('"')) {
      let i = 1;
      value = '';
      for (; i < raw.length && raw[i] !== '"'; i++) {
        if (raw[i] === '\\' && i + 1 < raw.length) {
          const c = raw[++i]!;
          value += c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c;
        } else value += raw[i];
      }
    } else {
      const hash = raw.search(/\s#/);
      if (hash >= 0) raw = raw.slice(0, hash);
      value = raw.trim();
    }
    values.set(key, value);
  }
  return { values, errors };
}
