import { child, items, scalarValue, type LRef } from '../../src/model/access.js';
import type { Loc } from '../../src/parse/location.js';
import { InfixIndex } from '../../src/parse/wildcard.js';
import { valueSpanLoc, type LVal } from '../../src/parse/located.js';
import { defineRule } from '../../src/engine/types.js';

export type SecretsInEnvironmentOptions = {
  /** words that make a variable name look like a secret (case-insensitive, matched as parts of the name) */
  secretWords: string[];
  /** variable names never reported */
  ignoreKeys: string[];
};

export const DEFAULT_SECRET_WORDS = ['PASSWORD', 'PASSWD', 'PASS', 'PWD', 'SECRET', 'TOKEN', 'API_KEY', 'APIKEY', 'ACCESS_KEY', 'PRIVATE_KEY', 'SECRET_KEY', 'CREDENTIALS', 'AUTH_KEY', 'ENCRYPTION_KEY', 'SIGNING_KEY'];

/**
 * Name endings that say the variable holds something about a secret, not the secret itself: where it
 * is kept, a switch or a limit, and a kind (`..._CREDENTIALS_PROVIDER=OAUTHBEARER`,
 * `..._SASL_MECHANISM=PLAIN`, `..._SECURITY_PROTOCOL=SASL_SSL`, `PASS_SCHEME=BLF-CRYPT`), a class
 * (`..._SECRET_CLASS=<a Java class>`), a place (`..._SECRET_PARAM_BOOTSTRAP_SERVERS=broker:9095`,
 * `..._CREDENTIALS_AWS_REGION=us-east-1`, `HTPASSWD_REALM=Registry Realm`) or a count or duration
 * (`..._SECRET_PARAM_REPLICATION_FACTOR=1`, `ACCESS_TOKEN_EXPIRE_MINUTES=30`).
 */
const NOT_A_SECRET =
  /_(?:FILE|FILEPATH|FILENAME|PATH|DIR|LENGTH|MIN_LENGTH|MAX_LENGTH|EXPIRY|EXPIRES|EXPIRATION|TTL|LIFETIME|TIMEOUT|INTERVAL|ENABLED|DISABLED|REQUIRED|POLICY|ALGORITHM|ALGO|ALG|HEADER|URL|URI|ENDPOINT|HOST|PORT|USER|USERNAME|NAME|TYPE|MODE|METHOD|PREFIX|FIELD|PARAM|COOKIE_NAME|ISSUER|AUDIENCE|VERSION|ROTATION|RESET|HASH_ROUNDS|ROUNDS|STRENGTH|LIMIT|RATE|COUNT|SIZE|RETRIES|ATTEMPTS|PROVIDERS?|SOURCES?|MECHANISMS?|PROTOCOLS?|SCHEMES?|FORMAT|STRATEGY|BACKEND|CLASS|CLASSES|CLASSNAME|FACTORY|SERVERS?|HOSTS|HOSTNAME|PORTS|URLS|ENDPOINTS|ADDR|ADDRESS|ADDRESSES|REGION|ZONE|REALM|DOMAIN|LOCATION|NAMESPACE|FACTOR|REPLICAS|PARTITIONS|THREADS|NUM|NUMBER|BITS|BYTES|AGE|DURATION|DELAY|PERIOD|MS|SECONDS|SECS|MINUTES|MINS|HOURS|DAYS)$/i;

/**
 * The same endings glued to the word before them (`..._TOKENS_READYPORT`, `MESSAGEBUS_SECRETNAME`,
 * `KEYFILE`): a name that ends in a port, host, name, path or file is a setting.
 */
const NOT_A_SECRET_GLUED = /(?:FILE|FILEPATH|FILENAME|PATH|DIR|URL|URI|HOST|PORT|NAME)$/i;

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
    // the user may be empty: `redis://:password@host` is how Redis URLs carry a password
    if (text[i] !== ':' || (i === userStart && text[i + 1] === '@')) continue;
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
  const name = normalizeName(key);
  // `PWD` alone is the shell's working directory; `MYSQL_PWD`, `POSTGRES_PWD` are passwords
  if (name === 'PWD' || NOT_A_SECRET.test(name) || NOT_A_SECRET_GLUED.test(name)) return false;
  const known = normalizedWords(words);
  if (known.index) return hasIndexedWord(name, known.index);
  const joined = `_${name}_`;
  const list = known.list;
  for (let i = 0; i < list.length; i++) {
    const w = list[i]!;
    if (joined.includes(w.whole) || (w.glued && joined.includes(w.word))) return true;
  }
  return false;
}

/**
 * Whether the name holds one of the indexed words: the index holds each word as `_WORD_` (a run of
 * whole parts) and, long enough, as `WORD` (glued to other letters), and one walk of `_NAME_`
 * finds every one that occurs, whatever the number and the lengths of the words.
 */
function hasIndexedWord(name: string, index: InfixIndex): boolean {
  const found: number[] = [];
  index.collect(`_${name}_`, found);
  return found.length > 0;
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

/** A long list of words by length: the whole words, and those that count when glued. */
/** Lists longer than this are looked up in one automaton (hasIndexedWord); shorter ones are searched word by word. */
const INDEX_AFTER = 32;

const normalized = new WeakMap<readonly string[], { list: SecretWord[]; index: InfixIndex | null }>();
/** The word list normalised once per list (a rule's options), not once per variable; a long one indexed. */
function normalizedWords(words: readonly string[]): { list: SecretWord[]; index: InfixIndex | null } {
  let out = normalized.get(words);
  if (!out) {
    const list = words.map(normalizeName).map((word) => ({ word, whole: `_${word}_`, glued: word.length >= 6 }));
    let index: InfixIndex | null = null;
    if (list.length > INDEX_AFTER) {
      index = new InfixIndex();
      for (const w of list) {
        index.add(w.whole.split(''), 0);
        if (w.glued) index.add(w.word.split(''), 0);
      }
    }
    normalized.set(words, (out = { list, index }));
  }
  return out;
}

/**
 * `${VAR:-literal}` / `${VAR-literal}` with a literal default that could be a secret: the default is
 * written in the file. Defaults that are variables, paths or yes/no settings are not secrets.
 */
function literalDefault(raw: string): boolean {
  // the innermost `${...}` with a default of its own (a default that holds a variable is not a literal)
  for (const m of raw.matchAll(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}$]*)\}/g)) if (couldBeSecret(m[1]!)) return true;
  return false;
}

/** A path (`/keys/private_key.pem`, `./certs/key.pem`, `/run/secrets/db`): where a secret is, not the secret. */
const PATH_VALUE = /^(?:\/|\.{1,2}\/|~\/)[^\s]*$/;
/** Booleans and switches as compose users write them. */
const SWITCH_VALUE = /^(?:true|false|yes|no|on|off)$/i;

/** Whether a literal value could hold a secret: not empty, not a path or a switch. */
function couldBeSecret(value: string): boolean {
  const v = value.trim();
  return v !== '' && !PATH_VALUE.test(v) && !SWITCH_VALUE.test(v);
}


interface Candidate {
  key: string;
  value: LVal;
  /** where to point: the variable's name, never its value */
  loc: Loc;
  /** the value itself, masked where the source line is printed */
  valueLoc: Loc;
}

function candidates(env: LRef | undefined): Candidate[] {
  const out: Candidate[] = [];
  if (!env) return out;
  if (env.node.kind === 'map') {
    for (const e of env.node.entries) out.push({ key: e.key, value: e.value, loc: e.keyLoc, valueLoc: e.value.loc });
    return out;
  }
  for (const it of items(env)) {
    const v = scalarValue(it);
    if (typeof v !== 'string' || !v.includes('=')) continue;
    const key = v.slice(0, v.indexOf('='));
    // the name part of a `KEY=value` item, mapped through the scalar's own node range (as written:
    // interpolation changes what follows the name, not the name)
    const raw = it.node.kind === 'scalar' ? it.node.raw : undefined;
    const written = raw !== undefined && raw.startsWith(`${key}=`) ? raw : v;
    out.push({ key, value: it.node, loc: valueSpanLoc(it.node.loc, written, 0, key.length), valueLoc: valueSpanLoc(it.node.loc, written, key.length + 1, written.length) });
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
      liveLiteral:
        'service "{{service}}" has a value for {{key}} in its spec, which looks like a secret: anyone who can run `docker service inspect {{service}}` reads it; put it in a docker secret (`docker secret create`), attach it to the service and point {{key}}_FILE at /run/secrets/... (the value is not shown)',
      liveUrl:
        'service "{{service}}" has a URL with a password in {{key}} in its spec: anyone who can run `docker service inspect {{service}}` reads it; move the password to a docker secret (`docker secret create`) attached to the service (the value is not shown)',
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
    // each variable name judged once per stack (a project linted, a swarm audited): services repeat
    // the same names (PORT, LOG_LEVEL, ...), and judging one takes two replacements and two regular
    // expressions
    const judged = new Map<string, boolean>();
    const secretName = (key: string): boolean => {
      let secret = judged.get(key);
      if (secret === undefined) judged.set(key, (secret = looksSecret(key, words)));
      return secret;
    };
    return {
      service(svc) {
        for (const c of candidates(child(svc.ref, 'environment'))) {
          if (ignore.has(c.key) || reported.has(c.value)) continue;
          const node = c.value;
          if (node.kind !== 'scalar' || node.value === null || typeof node.value === 'boolean') continue;
          let text = String(node.value);
          if (node.raw === undefined && typeof node.value === 'string' && node.value.startsWith(`${c.key}=`)) text = node.value.slice(c.key.length + 1);
          const raw = node.raw;
          let messageId: 'literal' | 'defaultValue' | 'url' | 'liveLiteral' | 'liveUrl' | null = null;
          if (raw !== undefined) {
            if (secretName(c.key) && literalDefault(raw)) messageId = 'defaultValue';
          } else if (couldBeSecret(text)) {
            if (secretName(c.key)) messageId = 'literal';
            else if (text.includes('://')) {
              const password = urlPassword(text);
              if (password !== null && !password.startsWith('$')) messageId = 'url';
            }
          }
          if (!messageId) continue;
          reported.add(node);
          // a live service's environment is in its spec: `${VAR}` is what the file did already
          if (ctx.stack.origin === 'live') messageId = messageId === 'url' ? 'liveUrl' : 'liveLiteral';
          ctx.report({ messageId, data: { service: svc.name, key: c.key }, at: c.loc, path: ['services', svc.name, 'environment', c.key], service: svc, sensitive: c.valueLoc });
        }
      },
    };
  },
});
