/**
 * Which tagged values docker's YAML readers refuse. Docker stack deploy (docker/cli, yaml.v3) and
 * docker compose (compose-go, yaml/v4) take any tag on a mapping or a sequence, and read a scalar
 * with a tag they do not know (`!custom "x"`, `!!org.example.Bean '{a: b}'`, `!!map x`) as its text:
 * resolve.go `resolve` returns the text of a tag that is not `resolvableTag`. They refuse a scalar
 * only when its tag is `!!null`, `!!bool`, `!!int`, `!!float` or `!!timestamp` and its text is not
 * of that type (`cannot decode !!str \`x\` as a !!int`; an integer is a float), or when it is tagged
 * `!!binary` and is no base64 (decode.go `scalar`: "!!binary value contains invalid base64 data").
 * A quoted or block scalar is read the same way once it has such a tag (node.go `indicatedString`).
 */
import { isScalar, visit, type CST, type Document } from 'yaml';
import { goYamlType, shortTag, TYPED_TAGS, type GoYamlType } from './go-yaml-keys.js';

/** A value that a tag makes docker refuse: where its tag is, and why. */
export interface TagRefusal {
  start: number;
  end: number;
  message: string;
  /** the one of docker's readers that refuses it, when the other reads it */
  only?: 'stack' | 'compose';
}

/** What a typed tag's text must be, and what to write instead, by the type the tag asks for. */
const WANTED: Record<Exclude<GoYamlType, 'str'>, [string, string]> = {
  null: ['not null', 'null, ~ or nothing'],
  bool: ['no boolean', 'true or false'],
  int: ['no integer', 'a whole number'],
  float: ['no number', 'a number'],
  timestamp: ['no timestamp', 'a date such as 2001-12-14'],
};

/** Base64 as Go's base64.StdEncoding decodes it once line breaks are dropped: padded to groups of four. */
export const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether a scalar of Go type `type` is read under a tag that asks for `wanted` (an integer is a float). */
function fits(wanted: Exclude<GoYamlType, 'str'>, type: GoYamlType): boolean {
  return type === wanted || (wanted === 'float' && type === 'int');
}

/**
 * The values of the first document of a parsed stream that docker refuses for their tag, each at
 * its tag. `tags` are the stream's tag tokens in document order (docker-yaml.ts `tagTokens`): a
 * composed node keeps its tag but not where it is written, which is the last tag before the node.
 * Keys are left to go-yaml-keys.ts.
 */
export function tagRefusals(doc: Document.Parsed, tags: readonly CST.SourceToken[]): TagRefusal[] {
  const out: TagRefusal[] = [];
  if (tags.length === 0) return out;
  let at = 0;
  visit(doc, {
    Node(key, node) {
      const tag = (node as { tag?: string }).tag;
      const start = node.range?.[0];
      if (tag === undefined || start === undefined) return;
      // nodes come in document order, as their tags do
      while (at + 1 < tags.length && tags[at + 1]!.offset < start) at++;
      const token = tags[at]!;
      if (key === 'key' || !isScalar(node) || token.offset >= start) return;
      const short = shortTag(tag)!;
      const text = typeof node.source === 'string' ? node.source : String(node.value ?? '');
      const r = refusal(short, text);
      if (r) out.push({ start: token.offset, end: token.offset + token.source.length, ...r });
    },
  });
  return out;
}

/** Why docker refuses the scalar `text` tagged `tag` (Go's short form), and which reader, or null when both read it. */
function refusal(tag: string, text: string): Pick<TagRefusal, 'message' | 'only'> | null {
  if (tag === '!!binary') {
    if (BASE64.test(text.replace(/[\r\n]/g, ''))) return null;
    return { message: 'the value tagged !!binary is no base64, and docker refuses the file ("!!binary value contains invalid base64 data"); remove the tag, or write base64 text' };
  }
  const wanted = TYPED_TAGS.get(tag);
  if (wanted === undefined) return null;
  const stack = !fits(wanted, goYamlType(text));
  const compose = !fits(wanted, goYamlType(text, true));
  if (!stack && !compose) return null;
  const who = stack && compose ? 'docker refuses the file ("cannot decode' : stack ? 'docker stack deploy refuses the file ("cannot decode' : 'docker compose refuses the file ("cannot construct';
  const [what, how] = WANTED[wanted];
  return { message: `the value tagged ${tag} is ${what}, and ${who} ... as a ${tag}"); remove the tag, or write ${how}`, only: stack && compose ? undefined : stack ? 'stack' : 'compose' };
}
