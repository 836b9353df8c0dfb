import { child } from '../../src/model/access.js';
import { defineRule } from '../../src/engine/types.js';
import { findImagePattern, parseImageReference } from '../../src/model/service-class.js';

export type ImageTagPinnedOptions = {
  /** image patterns (`myorg/*`, `localhost:5000/*`) exempt from the rule */
  ignoreImages: string[];
};

export default defineRule<ImageTagPinnedOptions>({
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
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { ignoreImages: { type: 'array', items: { type: 'string', minLength: 1 } } },
      },
      defaults: { ignoreImages: [] },
    },
  },
  create(ctx) {
    const ignore = ctx.options.ignoreImages ?? [];
    return {
      service(svc) {
        const image = svc.image;
        if (!image || image.value.trim() === '') return;
        // an image built from this file is named by `image`: it is not pulled
        if (child(svc.ref, 'build')) return;
        if (ignore.length > 0 && findImagePattern(image.value, ignore)) return;
        const ref = parseImageReference(image.value);
        if (ref.digest) return;
        const tag = ref.tag === null || ref.tag === '' ? null : ref.tag;
        if (tag !== null && tag !== 'latest') return;
        const raw = image.node.kind === 'scalar' ? image.node.raw : undefined;
        const shown = raw !== undefined ? `"${raw}" ("${image.value}")` : `"${image.value}"`;
        const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
        ctx.report({ messageId: tag === null ? 'untagged' : 'latest', data: { service: svc.name, image: shown, name }, at: image, loc: image.loc, service: svc });
      },
    };
  },
});
