import { child, items, scalarValue, type LRef } from '../../src/model/access.js';
import type { Loc } from '../../src/parse/location.js';
import { valueSpanLoc, type LVal } from '../../src/parse/located.js';
import { defineRule } from '../../src/engine/types.js';

export type SecretsInEnvironmentOptions = {
  /** words that make a variable name look like a secret (case-insensitive, matched as parts of the name) */
  secretWords: string[];
  /** variable names never reported */
  ignoreKeys: string[];
};

export const DEFAULT_SECRET_WORDS = ['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'API_KEY', 'APIKEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'CREDENTIALS', 'AUTH_KEY', 'ENCRYPTION_KEY', 'SIGNING_KEY'];

/** Name endings that say the variable holds something about a secret, not the secret itself. */
const NOT_A_SECRET = /_(?:FILE|PATH|DIR|LENGTH|MIN_LENGTH|MAX_LENGTH|EXPIRY|EXPIRES|EXPIRATION|TTL|LIFETIME|TIMEOUT|ENABLED|DISABLED|REQUIRED|POLICY|ALGORITHM|ALG|HEADER|URL|URI|ENDPOINT|HOST|PORT|USER|USERNAME|NAME|TYPE|MODE|METHOD|PREFIX|FIELD|PARAM|COOKIE_NAME|ISSUER|AUDIENCE|VERSION|ROTATION|RESET|HASH_ROUNDS|ROUNDS|STRENGTH)$/i;

/**
 * The password of the first URL that carries one (`scheme://user:password@host`), else null. A
 * scan, one step per character: each `://` is tried once, its scheme read backwards and its user
 * and password forwards (a regular expression for this retried from every letter of a long value).
 */
export function urlPassword(text: string): string | null {
  const schemeChar = (c: string | undefined) => c !== undefined && /[a-z0-9+.-]/i.test(c);
  const wordChar = (c: string | undefined) => c !== undefined && /\w/.test(c);
  const stops = (c: string, extra: string) => /\s/.test(c) || extra.includes(c);
  for (let k = text.indexOf('://'); k >= 0; k = text.indexOf('://', k + 1)) {
    // the scheme: a letter at a word boundary, then letters, digits, + . -
    let p = k;
    while (schemeChar(text[p - 1])) p--;
    while (p < k && !(/[a-z]/i.test(text[p]!) && !wordChar(text[p - 1]))) p++;
    if (p === k) continue;
    let i = k + 3;
    const userStart = i;
    while (i < text.length && !stops(text[i]!, ':/@')) i++;
    if (i === userStart || text[i] !== ':') continue;
    const passStart = ++i;
    while (i < text.length && !stops(text[i]!, '@/')) i++;
    if (i > passStart && text[i] === '@') return text.slice(passStart, i);
  }
  return null;
}

/**
 * Whether a variable name contains one of the words as whole parts (`MYSQL_ROOT_PASSWORD` has
 * `PASSWORD`, `X_API_KEY` has `API_KEY`), or glued to other letters when the word is long enough
 * not to be a coincidence (`DBPASSWORD`, `SECRETKEY`).
 */
export function looksSecret(key: string, words: readonly string[]): boolean {
  if (NOT_A_SECRET.test(key)) return false;
  const joined = `_${normalizeName(key)}_`;
  for (const w of normalizedWords(words)) if (joined.includes(w.whole) || (w.glued && joined.includes(w.word))) return true;
  return false;
}

/** `x-api.key` → `X_API_KEY`: upper case, every run of other characters one underscore. */
function normalizeName(s: string): string {
  return s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

interface SecretWord {
  word: string;
  /** the word as a whole part of a name: `_WORD_` */
  whole: string;
  /** long enough to count when glued to other letters */
  glued: boolean;
}

const normalized = new WeakMap<readonly string[], SecretWord[]>();
/** The word list normalised once per list (a rule's options), not once per variable. */
function normalizedWords(words: readonly string[]): SecretWord[] {
  let out = normalized.get(words);
  if (!out) {
    out = words.map(normalizeName).map((word) => ({ word, whole: `_${word}_`, glued: word.length >= 6 }));
    normalized.set(words, out);
  }
  return out;
}

/** `${VAR:-literal}` / `${VAR-literal}` with a literal default: the secret is written in the file. */
function literalDefault(raw: string): boolean {
  const lastBrace = raw.lastIndexOf('}');
  for (let i = raw.indexOf('${'); i >= 0 && i < lastBrace; i = raw.indexOf('${', i + 2)) {
    const m = /^[A-Za-z_][A-Za-z0-9_]*:?-/.exec(raw.slice(i + 2, i + 2 + NAME_WINDOW));
    if (!m) continue;
    const j = i + 2 + m[0].length;
    // a default that is not a variable, closed by a later }
    if (raw[j] !== '$' && raw[j] !== '}' && j < lastBrace) return true;
  }
  return false;
}

/** How much of a value is read for one variable name (names are short; the window keeps each try bounded). */
const NAME_WINDOW = 256;

interface Candidate {
  key: string;
  value: LVal;
  /** where to point: the variable's name, never its value */
  loc: Loc;
}

function candidates(env: LRef | undefined): Candidate[] {
  const out: Candidate[] = [];
  if (!env) return out;
  if (env.node.kind === 'map') {
    for (const e of env.node.entries) out.push({ key: e.key, value: e.value, loc: e.keyLoc });
    return out;
  }
  for (const it of items(env)) {
    const v = scalarValue(it);
    if (typeof v !== 'string' || !v.includes('=')) continue;
    const key = v.slice(0, v.indexOf('='));
    // the name part of a `KEY=value` item, mapped through the scalar's own node range
    out.push({ key, value: it.node, loc: valueSpanLoc(it.node.loc, v, 0, key.length) });
  }
  return out;
}


export default defineRule<SecretsInEnvironmentOptions>({
  meta: {
    id: 'secrets-in-environment',
    description:
      'No secret is written in the file: a variable named like a password, token or key gets its value from ${VAR}, a *_FILE variable or a secret, not a literal (which ends up in version control, docker inspect and logs).',
    severity: 'warning',
    category: 'security',
    messages: {
      literal:
        'service "{{service}}" writes a literal value for {{key}}, which looks like a secret; pass it from the environment (${{{key}}}), or use a secret and {{key}}_FILE=/run/secrets/... (the value is not shown)',
      defaultValue:
        'service "{{service}}" writes a literal default for {{key}} (${VAR:-...}), which looks like a secret; drop the default (${VAR:?set it}) so that nothing secret is in the file (the value is not shown)',
      url: 'service "{{service}}" writes a URL with a password in {{key}}; pass the password from the environment or a secret (the value is not shown)',
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          secretWords: { type: 'array', items: { type: 'string', minLength: 1 } },
          ignoreKeys: { type: 'array', items: { type: 'string' } },
        },
      },
      defaults: { secretWords: DEFAULT_SECRET_WORDS, ignoreKeys: [] },
    },
  },
  create(ctx) {
    const words = ctx.options.secretWords ?? DEFAULT_SECRET_WORDS;
    const ignore = new Set(ctx.options.ignoreKeys ?? []);
    const reported = new Set<LVal>();
    return {
      service(svc) {
        for (const c of candidates(child(svc.ref, 'environment'))) {
          if (ignore.has(c.key) || reported.has(c.value)) continue;
          const node = c.value;
          if (node.kind !== 'scalar' || node.value === null || typeof node.value === 'boolean') continue;
          let text = String(node.value);
          if (node.raw === undefined && typeof node.value === 'string' && node.value.startsWith(`${c.key}=`)) text = node.value.slice(c.key.length + 1);
          const raw = node.raw;
          let messageId: 'literal' | 'defaultValue' | 'url' | null = null;
          if (raw !== undefined) {
            if (looksSecret(c.key, words) && literalDefault(raw)) messageId = 'defaultValue';
          } else if (text.trim() !== '' && !/^(?:true|false)$/i.test(text) && !text.startsWith('/run/secrets/')) {
            if (looksSecret(c.key, words)) messageId = 'literal';
            else if (text.includes('://')) {
              const password = urlPassword(text);
              if (password !== null && !password.startsWith('$')) messageId = 'url';
            }
          }
          if (!messageId) continue;
          reported.add(node);
          ctx.report({ messageId, data: { service: svc.name, key: c.key }, at: c.loc, path: ['services', svc.name, 'environment', c.key], service: svc });
        }
      },
    };
  },
});
