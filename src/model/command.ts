/**
 * What a service runs, read from its `entrypoint` and `command` without running anything: the
 * programs named at the start of each command (`sh -c 'while true; do pg_dump ...; sleep 3600; done'`
 * runs `pg_dump` and `sleep`), so that a server image whose own server is replaced by another
 * program is told apart from one that runs it. Pure functions: no I/O.
 */
import { pushAll } from '../parse/collect.js';
import { child, items, scalarValue, type LRef } from './access.js';

/** A service's `entrypoint` and `command` as written (lists of words, or shell strings), null when absent. */
export interface ServiceCommand {
  entrypoint: string[] | string | null;
  command: string[] | string | null;
}

/** Read `entrypoint` and `command` of a service (a list of words, or a string that docker splits like a shell). */
export function readCommand(ref: LRef | undefined): ServiceCommand {
  return { entrypoint: readWords(child(ref, 'entrypoint')), command: readWords(child(ref, 'command')) };
}

function readWords(ref: LRef | undefined): string[] | string | null {
  if (!ref) return null;
  if (ref.node.kind === 'seq') return items(ref).map((i) => String(scalarValue(i) ?? ''));
  const v = scalarValue(ref);
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);
/** Words that run the word after them (`exec nginx`, `gosu postgres postgres`, `tini -- redis-server`). */
const RUNNERS = new Set(['exec', 'nohup', 'time', 'env', 'do', 'then', 'else', '!', 'tini', 'dumb-init', 'command']);
/** Runners that take a user first (`gosu postgres postgres`, `su-exec redis redis-server`). */
const USER_RUNNERS = new Set(['gosu', 'su-exec']);

/** The last path component: `/usr/local/bin/docker-entrypoint.sh` → `docker-entrypoint.sh`. */
function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** Split a shell string into words (quotes removed, no expansion): enough to find program names. */
function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/**
 * The programs a shell command line starts, in order: the first word of every command separated by
 * `;`, `&&`, `||`, `|`, newlines and `$(`/backticks, after `exec`, `do`, variable assignments and
 * the like (`while true; do pg_dump -h db; sleep 60; done` → `true`, `pg_dump`, `sleep`; the host
 * name `db` is an argument, not a program).
 */
export function shellPrograms(script: string): string[] {
  const out: string[] = [];
  for (const segment of script.split(/;|&&|\|\||\||\n|\$\(|`|\(|\)|\{|\}/)) {
    const words = shellWords(segment.trim());
    let i = 0;
    while (i < words.length) {
      const w = words[i]!;
      if (w === '' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || RUNNERS.has(w) || w === 'while' || w === 'until' || w === 'if') i++;
      else if (USER_RUNNERS.has(baseName(w))) i += 2;
      else if (w.startsWith('-') && i > 0) i++; // options of a runner (`tini -- redis-server`)
      else break;
    }
    if (i < words.length) pushAll(out, programsOf(words.slice(i)));
  }
  return out;
}

/** The programs an exec-form list starts: its first word, and what a shell it starts runs (`sh -c '...'`). */
function programsOf(words: readonly string[]): string[] {
  const first = words[0];
  if (first === undefined) return [];
  const name = baseName(first);
  if (SHELLS.has(name)) {
    // `sh -c 'script'` (also `-ec`, `-xc`, `-euc`): the script's programs; `sh script.sh`: the script
    const flag = words.findIndex((w, i) => i > 0 && w.length > 1 && w[0] === '-' && w.includes('c') && /^[a-z]+$/.test(w.slice(1)));
    if (flag > 0 && words[flag + 1] !== undefined) return [name, ...shellPrograms(words[flag + 1]!)];
    const script = words.slice(1).find((w) => !w.startsWith('-'));
    return script ? [name, baseName(script)] : [name];
  }
  return [name];
}

/**
 * The programs the service's container starts, as far as the file says: from `entrypoint` when set
 * (it replaces the image's entrypoint and drops the image's command), then from `command` when the
 * entrypoint is the image's own or a wrapper that runs its arguments. Null when neither is set:
 * the image's own entrypoint and command run.
 */
export function startedPrograms(cmd: ServiceCommand): string[] | null {
  if (cmd.entrypoint === null && cmd.command === null) return null;
  const out: string[] = [];
  for (const part of [cmd.entrypoint, cmd.command]) {
    if (part === null) continue;
    pushAll(out, typeof part === 'string' ? shellPrograms(part) : programsOf(part));
  }
  return out;
}

/**
 * Whether the command is only arguments for the image's entrypoint (`--appendonly yes`, `-c
 * fsync=off`, `agent -server`), with no entrypoint of its own: the image's own program still runs.
 */
export function isArgumentsOnly(cmd: ServiceCommand): boolean {
  if (cmd.entrypoint !== null || cmd.command === null) return false;
  const words = typeof cmd.command === 'string' ? shellWords(cmd.command) : cmd.command;
  return words.length > 0 && words[0]!.startsWith('-');
}

/**
 * Whether a command keeps running by its nature (`sleep infinity`, `top`, `tail -f`, a `while true`
 * loop, a daemon kept in the foreground) rather than doing its work and exiting.
 */
export function keepsRunning(cmd: ServiceCommand): boolean {
  const text = [cmd.entrypoint, cmd.command].map((p) => (p === null ? '' : typeof p === 'string' ? p : p.join(' '))).join(' ');
  // word by word (a program is known by its base name): one pass over the text
  const words = text.split(/[\s;&|()]+/).map((w) => w.slice(w.lastIndexOf('/') + 1));
  const flags = (w: string | undefined) => (w !== undefined && w[0] === '-' ? (/^-([a-zA-Z]*)/.exec(w)?.[1] ?? '') : null);
  let inotify = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (w === 'top' || w === 'socat') return true;
    if (w === 'sleep' && (next === 'inf' || next === 'infinity')) return true;
    if (w === 'tail' && /[fF]/.test(flags(next) ?? '')) return true;
    if (w === 'while' && next !== undefined && (next === 'true' || next === ':' || next[0] === '[')) return true;
    if (w === 'until' && next === 'false') return true;
    if ((w === 'cron' || w === 'crond' || w === 'httpd') && next !== undefined && next.startsWith('-f')) return true;
    if (w === 'nc' && (flags(next) ?? '').includes('l')) return true;
    if (w === 'inotifywait') inotify = true;
    else if (inotify && w === '-m') return true;
  }
  return false;
}

/**
 * The first word of `entrypoint` and `command` that may move the server off its default port: a
 * port option or setting (`--port 6380`, `--port=6380`, `-p 5433`, `-P3307`, `-c port=5433`,
 * `--tls-port`; not `import_data.py` or `--report`, which merely hold the letters) or a
 * configuration file, which may set one (`redis.conf`, `--config`, `-f`, `--defaults-file`); null
 * when there is none. A check that asks the default port would fail on such a server.
 */
export function portMovingWord(cmd: ServiceCommand): string | null {
  for (const part of [cmd.entrypoint, cmd.command]) {
    if (part === null) continue;
    for (const word of typeof part === 'string' ? shellWords(part) : part) {
      if (/^--?(?:[\w-]*-)?port(?:$|=)|(?:^|[.,_-])port=/i.test(word) || /^-[pP]\d*$/.test(word) || /\.(?:conf|cnf)$/.test(word) || /^(?:-f|--config|--defaults-file|--defaults-extra-file)(?:=|$)/.test(word)) return word;
    }
  }
  return null;
}
