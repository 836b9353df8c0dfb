import { child } from '../../src/model/access.js';
import { showValue, writtenWhenSet } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { IGNORE_IMAGES_OPTIONS, isImageIgnored, type IgnoreImagesOptions } from '../../src/engine/rule-options.js';
import { parseImageReference } from '../../src/model/service-class.js';

// ignoreImages: image patterns (`myorg/*`, `localhost:5000/*`) exempt from the rule
/** A tag written as a variable whose default is latest, at the end of the image: `:${TAG:-latest}`, `:${TAG-latest}`. */
const LATEST_DEFAULT = /:\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-)latest\}\s*$/;

export default defineRule<IgnoreImagesOptions>({
  meta: {
    id: 'image-tag-pinned',
    description:
      'Every image names a version: no image without a tag or with latest, which change under you on the next pull; a tag like 1.27.2 or a digest (@sha256:...) is pinned.',
    severity: 'warning',
    category: 'policy',
    messages: {
      untagged: 'service "{{service}}" uses image {{image}} without a tag, which means latest and changes on every pull; pin a version tag (such as {{name}}:1.2.3) or a digest (@sha256:...)',
      latest: 'service "{{service}}" uses image {{image}}, whose latest tag changes on every pull; pin a version tag (such as {{name}}:1.2.3) or a digest (@sha256:...)',
      latestDefault:
        'service "{{service}}" uses image {{image}}, whose latest tag, the default of ${{{variable}}}, changes on every pull; make the default a version ({{pinned}}), and set {{variable}} where another one is wanted',
    },
    options: IGNORE_IMAGES_OPTIONS,
  },
  create(ctx) {
    return {
      service(svc) {
        const image = svc.image;
        if (!image || image.value.trim() === '') return;
        // an image built from this file is named by `image`: it is not pulled
        if (child(svc.ref, 'build')) return;
        if (isImageIgnored(svc, ctx.options)) return;
        const ref = parseImageReference(image.value);
        if (ref.digest) return;
        const tag = ref.tag === null || ref.tag === '' ? null : ref.tag;
        if (tag !== null && tag !== 'latest') return;
        // an image a variable set is not spelled out, in any form (it may be a CI secret)
        const name = writtenWhenSet(image) !== null ? 'IMAGE' : ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
        // `:${TAG:-latest}` with TAG unset: the default is what to change, not the image
        const raw = image.node.kind === 'scalar' ? image.node.raw : undefined;
        const byDefault = tag === 'latest' && raw !== undefined && writtenWhenSet(image) === null ? LATEST_DEFAULT.exec(raw) : null;
        if (byDefault) {
          const pinned = `\${${byDefault[1]}${byDefault[2]}1.2.3}`;
          ctx.report({ messageId: 'latestDefault', data: { service: svc.name, image: showValue(image), variable: byDefault[1]!, pinned }, at: image, loc: image.loc, service: svc });
          return;
        }
        ctx.report({ messageId: tag === null ? 'untagged' : 'latest', data: { service: svc.name, image: showValue(image), name }, at: image, loc: image.loc, service: svc });
      },
    };
  },
});
