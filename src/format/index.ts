import { formatJson } from './json.js';
import { formatStylish } from './stylish.js';
import type { Formatter } from './types.js';

/** Output formats by name. Add one by adding a module and a line here. */
export const formatters: Record<string, Formatter> = {
  stylish: formatStylish,
  json: formatJson,
};

export const formatNames = (): string[] => Object.keys(formatters);
