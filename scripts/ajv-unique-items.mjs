// `uniqueItems` in the generated validators without time that grows with the square of a list.
//
// ajv compiles `uniqueItems` on a list whose items may be objects or lists (service.ports: a number,
// a string or a mapping; service.volumes) into two nested loops that compare every item with every
// item before it: a file with 20,000 ports in one service spent a second there, 40,000 four. This
// compiles those lists to one pass that keys each item by its value (`duplicatePair`), and gives
// the same error as ajv's: the same keyword, params and message for the same pair of items. Lists
// of scalars keep ajv's own code, which is one pass already. The rule keeps its place among ajv's
// keywords, so errors come out in the same order.
import { getSchemaTypes } from 'ajv/dist/compile/validate/dataType.js';
import { useFunc } from 'ajv/dist/compile/util.js';
import { _ } from 'ajv';

/**
 * The pair ajv's nested loops report for a list, or null when its items are all different: the last
 * item i that equals an item before it, and the last such item j before i (ajv's loops run i down
 * from the end and j down from i). Items are equal as ajv's `equal` (fast-deep-equal) finds JSON
 * values equal: mappings whatever the order of their keys, 1 and "1" not, NaN and NaN equal.
 * Written without any outside name: the build copies its source into every generated validator.
 */
export function duplicatePair(items) {
  const key = (v) => {
    if (v === null) return 'n';
    switch (typeof v) {
      case 'string':
        return `s${JSON.stringify(v)}`;
      case 'number':
        return `d${v !== v ? 'NaN' : String(v)}`;
      case 'boolean':
        return v ? 't' : 'f';
      case 'object': {
        if (Array.isArray(v)) return `[${v.map(key).join(',')}]`;
        const ks = Object.keys(v).sort();
        return `{${ks.map((k) => `${JSON.stringify(k)}:${key(v[k])}`).join(',')}}`;
      }
      default:
        return `?${typeof v}:${String(v)}`;
    }
  };
  const last = new Map();
  let pair = null;
  for (let k = 0; k < items.length; k++) {
    const id = key(items[k]);
    const before = last.get(id);
    if (before !== undefined) pair = [k, before];
    last.set(id, k);
  }
  return pair;
}
duplicatePair.code = `(${duplicatePair.toString()})`;

/** Make `ajv` compile `uniqueItems` on lists of objects or lists with `duplicatePair`. */
export function linearUniqueItems(ajv) {
  const rule = ajv.RULES.all.uniqueItems;
  const original = rule?.definition;
  if (!original || typeof original.code !== 'function') throw new Error('ajv-unique-items: this ajv has no uniqueItems keyword to replace');
  // ajv copies a keyword's definition into each instance's rule: this instance's copy is changed
  const ajvCode = original.code;
  original.code = function code(cxt) {
    const { gen, data, $data, schema, parentSchema } = cxt;
    const itemTypes = parentSchema.items ? getSchemaTypes(parentSchema.items) : [];
    const scalars = itemTypes.length > 0 && !itemTypes.some((t) => t === 'object' || t === 'array');
    if ($data || scalars || !schema) return ajvCode(cxt);
    const valid = gen.let('valid', true);
    const i = gen.let('i', _`${data}.length`);
    const j = gen.let('j');
    cxt.setParams({ i, j });
    gen.if(_`${i} > 1`, () => {
      const pair = gen.const('pair', _`${useFunc(gen, duplicatePair)}(${data})`);
      gen.if(_`${pair} !== null`, () => {
        gen.assign(i, _`${pair}[0]`);
        gen.assign(j, _`${pair}[1]`);
        cxt.error();
        gen.assign(valid, false);
      });
    });
    cxt.ok(valid);
  };
}
