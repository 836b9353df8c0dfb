import { child } from '../../src/model/access.js';
import { showValue, writtenWhenSet } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { IGNORE_IMAGES_OPTIONS, isImageIgnored, type IgnoreImagesOptions } from '../../src/engine/rule-options.js';
import { parseImageReference } from '../../src/model/service-class.js';

// ignoreImages: image patterns (`myorg/*`, `localhost:5000/*`) exempt from the rule
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
        ctx.report({ messageId: tag === null ? 'untagged' : 'latest', data: { service: svc.name, image: showValue(image), name }, at: image, loc: image.loc, service: svc });
      },
    };
  },
});
