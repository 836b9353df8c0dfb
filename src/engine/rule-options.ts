/**
 * Rule options that several rules share, declared once: their JSON schema (which ends up in
 * `schemas/config.schema.json`), their defaults and how a rule reads them.
 */
import { findImagePattern } from '../model/service-class.js';
import type { Service } from '../model/types.js';

/** JSON schema of a list of name or image patterns (`traefik`, `bitnami/*`, `name:*gateway*`). */
export const PATTERN_LIST_SCHEMA = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

/** The options of a rule that leaves some images alone. */
export type IgnoreImagesOptions = {
  /** image patterns (`traefik`, `bitnami/*`) exempt from the rule, matched by `findImagePattern` */
  ignoreImages: readonly string[];
};

/** `meta.options` of a rule whose one option is `ignoreImages` (default: no image is ignored). */
export const IGNORE_IMAGES_OPTIONS: { schema: Record<string, unknown>; defaults: IgnoreImagesOptions } = {
  schema: { type: 'object', additionalProperties: false, properties: { ignoreImages: PATTERN_LIST_SCHEMA } },
  defaults: { ignoreImages: [] },
};

/** Whether the service's image matches one of the rule's `ignoreImages` patterns. */
export function isImageIgnored(svc: Pick<Service, 'image'>, options: Partial<IgnoreImagesOptions>): boolean {
  const patterns = options.ignoreImages ?? [];
  return patterns.length > 0 && svc.image !== null && findImagePattern(svc.image.value, patterns) !== null;
}
