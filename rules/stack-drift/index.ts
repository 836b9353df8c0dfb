import { deepest, keyLoc, type LRef } from '../../src/model/access.js';
import type { Loc } from '../../src/parse/location.js';
import type { Service } from '../../src/model/types.js';
import { formatBytes, formatDuration } from '../../src/model/units.js';
import { deployMode, parseImageReference } from '../../src/model/service-class.js';
import { defineRule } from '../../src/engine/types.js';
import type { LiveService } from '../../src/model/live-facts.js';

/**
 * With `stackopt audit -f stack.yml`, what the file declares against what the swarm runs: mode,
 * replicas, image, limits and reservations, healthcheck and user. A difference means the file and
 * the cluster disagree: someone ran `docker service update` or `scale` by hand, or the file changed
 * and was not deployed. Findings point into the file, at the value that differs.
 */
export default defineRule({
  meta: {
    id: 'stack-drift',
    description: 'With -f, every declared service is deployed, and its mode, replicas, image, limits, reservations, healthcheck and user match what the swarm runs.',
    severity: 'warning',
    category: 'cluster',
    live: true,
    messages: {
      differs: 'service "{{service}}": the stack file declares {{what}} {{declared}} but the swarm runs {{running}}; redeploy the file (`docker stack deploy -c {{file}} {{stack}}`) or change the file to match',
      notDeployed: 'service "{{name}}" is declared in {{file}} but stack "{{stack}}" has no service "{{full}}": deploy it with `docker stack deploy -c {{file}} {{stack}}`',
      notDeclared:
        'service "{{service}}" runs in stack "{{stack}}" but the stack file declares no service "{{name}}": remove it (`docker service rm {{service}}`, or deploy with --prune) or add it to the file',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const live = stack.live;
        const declared = live?.declared;
        if (!live || !declared) return;
        const ns = declared.namespace;
        const file = declared.files.join(' -c ');
        const prefix = `${ns}_`;
        const declaredByName = new Map(declared.stack.services.map((s) => [s.name, s]));
        const seen = new Set<string>();
        for (const svc of live.services) {
          if (svc.namespace !== ns || !svc.name.startsWith(prefix)) continue;
          const short = svc.name.slice(prefix.length);
          const decl = declaredByName.get(short);
          if (!decl) {
            ctx.report({ messageId: 'notDeclared', data: { service: svc.name, stack: ns, name: short }, at: svc.loc('Spec.Name'), service: svc.model });
            continue;
          }
          seen.add(short);
          compare(svc, decl, { file, stack: ns });
        }
        // a declared service missing from the swarm (only when the whole stack is audited)
        if (live.scope.services.length === 0) {
          for (const decl of declared.stack.services) {
            if (seen.has(decl.name)) continue;
            ctx.report({
              messageId: 'notDeployed',
              data: { name: decl.name, full: `${prefix}${decl.name}`, stack: ns, file },
              at: decl.nameLoc,
              service: { ...decl, name: `${prefix}${decl.name}` },
              severity: 'error',
            });
          }
        }
      },
    };

    function compare(svc: LiveService, decl: Service, ctxData: { file: string; stack: string }) {
      const runningModel = svc.model;
      const report = (what: string, declared: string, running: string, w: Where) =>
        ctx.report({ messageId: 'differs', data: { service: svc.name, what, declared, running, ...ctxData }, at: w.at, loc: w.loc, service: runningModel });
      /** the declared value (underlined), else the deepest key of its path that the file has */
      const where = (ref: LRef | null | undefined, ...fallback: string[]): Where => {
        if (ref) return { at: ref, loc: ref.node.loc };
        const d = deepest(decl.ref, ...fallback);
        return { at: d, loc: keyLoc(d) };
      };

      const declMode = deployMode(decl);
      if (declMode !== svc.mode) {
        report('mode', declMode, svc.mode, where(decl.mode, 'deploy', 'mode'));
      } else if (svc.mode === 'replicated') {
        const want = decl.replicas?.value ?? 1;
        if (svc.replicas !== null && want !== svc.replicas) {
          report('replicas', `${want}${decl.replicas ? '' : ' (no deploy.replicas: 1)'}`, String(svc.replicas), where(decl.replicas, 'deploy', 'replicas'));
        }
      }

      // the image the tasks run (ContainerSpec.Image), not the one the last deploy named (its label):
      // `docker service update --image` changes the first only
      const declImage = decl.image?.value ?? null;
      if (declImage !== null && normaliseImage(declImage) !== normaliseImage(svc.image)) {
        const byHand = svc.stackImage !== null && normaliseImage(svc.stackImage) !== normaliseImage(svc.image);
        report('image', `"${declImage}"`, `"${svc.image}"${byHand ? ` (deployed as "${svc.stackImage}", then changed by \`docker service update --image\`)` : ''}`, where(decl.image, 'image'));
      }

      for (const [kind, d, r] of [
        ['limits', decl.limits, runningModel.limits],
        ['reservations', decl.reservations, runningModel.reservations],
      ] as const) {
        const cpuD = d.cpus?.value ?? null;
        const cpuR = r.cpus?.value ?? null;
        if (!sameNumber(cpuD, cpuR)) {
          report(`deploy.resources.${kind}.cpus`, cpuD === null ? '(none)' : `"${cpuD}"`, cpuR === null ? '(none)' : `"${cpuR}"`, where(d.cpus, 'deploy', 'resources', kind, 'cpus'));
        }
        const memD = d.memory?.value ?? null;
        const memR = r.memory?.value ?? null;
        if (!sameNumber(memD, memR)) {
          report(
            `deploy.resources.${kind}.memory`,
            memD === null ? '(none)' : formatBytes(memD),
            memR === null ? '(none)' : formatBytes(memR),
            where(d.memory, 'deploy', 'resources', kind, 'memory'),
          );
        }
      }

      compareHealthcheck(decl, runningModel, report, where);

      const userD = decl.user?.value ?? '';
      const userR = runningModel.user?.value ?? '';
      if (userD !== userR) report('user', userD ? `"${userD}"` : '(none: the image default)', userR ? `"${userR}"` : '(none: the image default)', where(decl.user, 'user'));
    }
  },
});

interface Where {
  at: LRef;
  loc: Loc;
}

function compareHealthcheck(
  decl: Service,
  running: Service,
  report: (what: string, declared: string, running: string, w: Where) => void,
  where: (ref: LRef | null | undefined, ...fallback: string[]) => Where,
) {
  const d = decl.healthcheck;
  const r = running.healthcheck;
  const state = (h: Service['healthcheck']) => (!h ? 'none' : h.disable || isNone(h.test?.value) ? 'disabled' : 'set');
  const sd = state(d);
  const sr = state(r);
  if (sd !== sr) {
    const show = (s: string) => (s === 'none' ? '(none: the image default)' : s === 'disabled' ? 'disabled' : 'a healthcheck');
    report('healthcheck', show(sd), show(sr), where(undefined, 'healthcheck'));
    return;
  }
  if (!d || !r || sd !== 'set') return;
  const testD = d.test ? testList(d.test.value) : null;
  const testR = r.test ? testList(r.test.value) : null;
  if (testD && JSON.stringify(testD) !== JSON.stringify(testR)) {
    report('healthcheck.test', JSON.stringify(testD), testR ? JSON.stringify(testR) : '(the image\'s)', where(d.test, 'healthcheck', 'test'));
  }
  for (const [key, a, b] of [
    ['interval', d.interval, r.interval],
    ['timeout', d.timeout, r.timeout],
    ['start_period', d.startPeriod, r.startPeriod],
    ['retries', d.retries, r.retries],
  ] as const) {
    const va = a?.value ?? null;
    const vb = b?.value ?? null;
    if (va === null || sameNumber(va, vb)) continue;
    const fmt = (v: number | null) => (v === null ? '(default)' : key === 'retries' ? String(v) : formatDuration(v));
    report(`healthcheck.${key}`, fmt(va), fmt(vb), where(a, 'healthcheck', key));
  }
}

function isNone(test: string[] | string | undefined): boolean {
  return Array.isArray(test) && test.length === 1 && test[0] === 'NONE';
}

/** A compose `test` as docker stores it: a string is `["CMD-SHELL", string]`. */
function testList(test: string[] | string): string[] {
  return typeof test === 'string' ? ['CMD-SHELL', test] : test;
}

function sameNumber(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
}

/** `nginx` = `nginx:latest` = `docker.io/library/nginx:latest`; a pinned digest is compared without it. */
export function normaliseImage(image: string): string {
  const ref = parseImageReference(image);
  const registry = ref.registry === null || /^(?:index\.)?docker\.io$/i.test(ref.registry) ? '' : `${ref.registry}/`;
  return `${registry}${ref.repository}:${ref.tag || 'latest'}`;
}
