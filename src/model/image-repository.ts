/**
 * The key under which the fixes look an image up in their tables of known images (the health
 * command, the user, the capabilities an image needs): its repository without registry, tag,
 * digest or `library/`, so that `postgres:16`, `docker.io/library/postgres` and the mirror
 * `mirror.gcr.io/library/postgres` are all `postgres`.
 */
import { parseImageReference } from './service-class.js';

/** `bitnami/redis:7` → `bitnami/redis`; null when there is no image or a variable names it (`${IMAGE}`). */
export function imageRepository(image: string | null | undefined): string | null {
  if (!image || image.includes('$')) return null;
  return parseImageReference(image).repository.replace(/^library\//, '');
}
