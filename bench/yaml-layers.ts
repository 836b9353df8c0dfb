// One layer of reading a compose file, run cold in a fresh process (bench/yaml-layers.mjs builds
// and runs this): the layers of the `yaml` package, and the fast reader with and without the
// located tree built on it.
import { readFileSync } from 'node:fs';
import { Composer, Lexer, Parser } from 'yaml';
import { readFastYaml } from '../src/parse/fast-yaml.js';
import { parseSource } from '../src/parse/read-document.js';
import { SourceFile } from '../src/parse/source-file.js';

export const LAYERS: Record<string, (text: string, file: string) => unknown> = {
  'read the file only': () => null,
  "yaml's Lexer (tokens)": (text) => {
    let n = 0;
    for (const _ of new Lexer().lex(text)) n++;
    return n;
  },
  "yaml's Parser (the CST)": (text) => Array.from(new Parser().parse(text)),
  "yaml's Composer (a Document)": (text) => Array.from(new Composer({ merge: false, uniqueKeys: false, strict: true }).compose(new Parser().parse(text))),
  'yaml Document + located tree (lint before)': (text, file) => parseSource(new SourceFile(file, file, text), new Map(), true, undefined, true),
  'fast reader (its nodes)': (text) => readFastYaml(text),
  'fast reader + located tree (lint now)': (text, file) => parseSource(new SourceFile(file, file, text), new Map(), true, undefined, false),
};

const names = Object.keys(LAYERS);
if (process.argv[2] === '--layers') {
  console.log(JSON.stringify(names));
} else {
  const file = process.argv[2]!;
  const text = readFileSync(file, 'utf8');
  (globalThis as { kept?: unknown }).kept = LAYERS[names[Number(process.argv[3])]!]!(text, file);
  console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
}
