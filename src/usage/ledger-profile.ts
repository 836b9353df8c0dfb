/**
 * Reading a usage profile for the resource ledger: the JSON document, its format, and the parts the
 * ledger and sizing read (per service: samples, first and last sample, the CPU and memory
 * histograms with their maxima). A small reader on its own, so that a complete validating reader
 * can take its place without touching the ledger.
 */
import { readText, ReadTextError } from '../parse/read-text.js';
import { USAGE_PROFILE_FORMAT, type Histogram, type UsageProfile } from '../model/usage-profile.js';

/** A profile that cannot be used: one line, `file[:line:col]: what is wrong`. */
export class ProfileReadError extends Error {}

/** Read and check a profile file; throws ProfileReadError. */
export function readLedgerProfile(path: string, shown: string = path): UsageProfile {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    if (e instanceof ReadTextError) throw new ProfileReadError(`${shown}: cannot read the usage profile: ${e.message}`);
    throw e;
  }
  return parseLedgerProfile(text, shown);
}

/** Check a profile's text; throws ProfileReadError naming the first part that is wrong. */
export function parseLedgerProfile(text: string, shown: string): UsageProfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const at = m ? lineColumn(text, Number(m[1])) : '';
    throw new ProfileReadError(`${shown}${at}: not JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`);
  }
  const fail = (path: string, expected: string): never => {
    throw new ProfileReadError(`${shown}: ${path} must be ${expected}; is this a profile written by \`stackopt usage record\`?`);
  };
  if (!isObject(doc)) return fail('the document', 'a JSON object');
  if (doc.format !== USAGE_PROFILE_FORMAT) {
    const found = typeof doc.format === 'string' ? JSON.stringify(doc.format.slice(0, 40)) : 'missing';
    throw new ProfileReadError(`${shown}: "format" is ${found}; a usage profile has "format": "${USAGE_PROFILE_FORMAT}"`);
  }
  if (!isObject(doc.services)) return fail('"services"', 'an object keyed by service');
  for (const [key, svc] of Object.entries(doc.services)) {
    const where = `services[${JSON.stringify(key.slice(0, 60))}]`;
    if (!isObject(svc)) return fail(where, 'an object');
    if (typeof svc.service !== 'string') fail(`${where}.service`, 'a string');
    if (!(svc.stack === null || svc.stack === undefined || typeof svc.stack === 'string')) fail(`${where}.stack`, 'a string or null');
    if (!isCount(svc.samples)) fail(`${where}.samples`, 'a count');
    for (const t of ['firstSeen', 'lastSeen'] as const) if (typeof svc[t] !== 'string' || Number.isNaN(Date.parse(svc[t]))) fail(`${where}.${t}`, 'an ISO 8601 time');
    for (const h of ['cpu', 'memory'] as const) checkHistogram(svc[h], `${where}.${h}`, fail);
  }
  return doc as unknown as UsageProfile;
}

function checkHistogram(h: unknown, where: string, fail: (path: string, expected: string) => never): void {
  if (!isObject(h)) return fail(where, 'a histogram object');
  if (!(typeof h.start === 'number' && h.start > 0)) fail(`${where}.start`, 'a number above 0');
  if (!(typeof h.ratio === 'number' && h.ratio > 1)) fail(`${where}.ratio`, 'a number above 1');
  if (!(typeof h.max === 'number' && Number.isFinite(h.max) && h.max >= 0)) fail(`${where}.max`, 'a number, 0 or more');
  if (!isCount(h.total)) fail(`${where}.total`, 'a count');
  if (!isObject(h.counts)) return fail(`${where}.counts`, 'an object of bucket → count');
  for (const [k, n] of Object.entries(h.counts)) {
    if (!/^\d{1,5}$/.test(k) || !isCount(n)) fail(`${where}.counts`, 'bucket numbers mapped to counts');
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** `:line:col` of an offset (1-based). */
function lineColumn(text: string, offset: number): string {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return `:${line}:${col}`;
}
