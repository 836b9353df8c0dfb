import { formatPath } from '../../src/parse/location.js';
import { child, items, scalarValue } from '../../src/model/access.js';
import type { Service } from '../../src/model/types.js';
import { misspeltImage } from '../../src/model/compose-consistency.js';
import { nodeAt, type DotenvUse, type LVal, type YamlPath } from '../../src/parse/located.js';
import type { Loc } from '../../src/parse/location.js';
import { defineRule } from '../../src/engine/types.js';
import { imageReferenceProblem, volumeSpecProblem } from '../../src/parse/go-values.js';
import { checkSwarmSchema, composeRejectsKey, dockerRefusal, dockerVersion, findInterpolationFormatIssues, LATEST_STACK_VERSION, reportedByCompose, STACK_VERSIONS, versionAccepting, type UnknownKeyIssue } from '../../src/engine/swarm-schema.js';
import type { FileVersion } from '../../src/parse/load-project.js';
import { interpolateStack } from '../../src/parse/interpolate.js';
import { stackTarget } from '../../src/engine/target.js';
import { showValue } from '../show-value.js';

/**
 * Service keys `docker stack deploy` refuses before anything else ("Configuration contains
 * forbidden properties", docker/cli cli/compose/types ForbiddenProperties), with the swarm way.
 */
export const FORBIDDEN_KEYS: Record<string, string> = {
  extends: 'docker stack deploy cannot resolve extends: flatten the file first (docker compose config > stack.yml)',
  volume_driver: 'define the volume at the top level with its driver and mount it by name',
  volumes_from: 'share a named volume: declare it at the top level and mount it in each service',
  cpu_quota: 'limit CPU with deploy.resources.limits.cpus',
  cpu_shares: 'limit CPU with deploy.resources.limits.cpus (swarm has no CPU shares)',
  cpuset: 'swarm cannot pin CPUs; limit CPU with deploy.resources.limits.cpus',
  mem_limit: 'limit memory with deploy.resources.limits.memory',
  memswap_limit: 'swarm has no swap limit; remove it and limit memory with deploy.resources.limits.memory',
};

/** What to do instead of a service key the stack schema does not have. */
const SERVICE_KEY_ADVICE: Record<string, string> = {
  cpus: 'set deploy.resources.limits.cpus (a string, such as "0.5")',
  cpu_count: 'set deploy.resources.limits.cpus',
  cpu_percent: 'set deploy.resources.limits.cpus',
  cpu_period: 'set deploy.resources.limits.cpus',
  cpu_rt_period: 'swarm has no realtime CPU settings; remove it',
  cpu_rt_runtime: 'swarm has no realtime CPU settings; remove it',
  mem_reservation: 'set deploy.resources.reservations.memory',
  mem_swappiness: 'swarm has no swappiness setting; remove it',
  pids_limit: 'set deploy.resources.limits.pids',
  oom_kill_disable: 'swarm cannot disable the OOM killer; remove it and size deploy.resources.limits.memory',
  profiles: 'a stack deploys every service it lists: move optional services to a stack file of their own',
  sleep_policy: 'rename it to x-sleep-policy (extension keys are allowed)',
  platform: 'pin the platform with deploy.placement.constraints (node.platform.arch == x86_64, node.platform.os == linux)',
  scale: 'set deploy.replicas',
  develop: 'it is for docker compose watch: keep it in a compose override file',
  pull_policy: 'swarm resolves images itself when deploying (docker stack deploy --resolve-image)',
  runtime: 'swarm has no runtime setting; configure the default runtime in the daemon',
  gpus: 'reserve GPUs with deploy.resources.reservations.generic_resources',
  uts: 'swarm has no UTS namespace setting; remove it',
  cgroup: 'swarm has no cgroup namespace setting; remove it',
  storage_opt: 'swarm has no storage options per service; remove it',
  blkio_config: 'swarm has no block IO limits; remove it',
  device_cgroup_rules: 'swarm has no device cgroup rules; remove it',
  attach: 'it is for docker compose up only: remove it',
  post_start: 'swarm has no lifecycle hooks; run the step in the entrypoint',
  pre_stop: 'swarm has no lifecycle hooks; handle the stop signal in the process',
  label_file: 'write the labels under labels',
  annotations: 'swarm has no annotations; use labels',
  models: 'swarm has no models; remove it',
  provider: 'swarm has no service providers; remove it',
  use_api_socket: 'swarm cannot hand a service the docker socket this way; remove it',
  volumes_from: FORBIDDEN_KEYS.volumes_from!,
};

/** What to do instead of a top-level key the stack schema does not have. */
const TOP_KEY_ADVICE: Record<string, string> = {
  name: 'the stack name is the last argument of docker stack deploy (docker stack deploy -c FILE NAME)',
  include: 'list the files instead: docker stack deploy -c A.yml -c B.yml NAME',
  models: 'swarm has no models; remove it',
};

const EXTENSION_ADVICE = 'extension keys (x-...) are allowed only at the top level and directly in a service, network, volume, secret or config';

/** Keys docker stack deploy reads and then ignores ("Ignoring unsupported options"), with the swarm way. */
export const IGNORED_KEYS: Record<string, string> = {
  build: 'build and push the image first; swarm only pulls image',
  restart: 'swarm restarts tasks by deploy.restart_policy',
  depends_on: 'swarm starts services in any order; make services retry their dependencies and use healthchecks',
  container_name: 'swarm names the tasks itself; reach the service by its service name',
  links: 'services on a shared network reach each other by service name',
  external_links: 'attach the service to the other stack\'s network (declared external) and use its service name',
  network_mode: 'attach the service to networks (use an external network named host for host networking)',
  pid: 'swarm services cannot share the host PID namespace',
  ipc: 'swarm services cannot share an IPC namespace',
  userns_mode: 'configure user namespaces in the daemon (userns-remap)',
  privileged: 'swarm services cannot run privileged; grant only the capabilities needed with cap_add',
  security_opt: 'set daemon-wide options in daemon.json (for example "no-new-privileges": true)',
  tmpfs: 'mount each tmpfs as a volume of type tmpfs instead (volumes: - {type: tmpfs, target: /tmp, tmpfs: {size: 67108864}})',
  shm_size: 'mount a tmpfs at /dev/shm with a size (volumes: - type: tmpfs, target: /dev/shm, tmpfs: {size: ...})',
  devices: 'swarm services cannot map devices; use generic resources or a plugin',
  domainname: 'set the hostname or configure DNS on the network',
  mac_address: 'swarm assigns MAC addresses itself',
  cgroup_parent: 'swarm places tasks in its own cgroups',
  cgroupns_mode: 'swarm has no cgroup namespace setting',
  expose: 'services on a shared network reach every port of each other; remove it',
};

/** Extra words for schema errors at known places, matched on the path with `*` for any key or index. */
const VALUE_ADVICE: Array<[string[], string]> = [
  [['services', '*', 'environment', '*'], '; quote it ("true"): the stack schema accepts only strings, numbers and null in environment'],
  [['services', '*', 'depends_on'], '; docker stack deploy accepts only the list form (depends_on: [db]), and ignores it anyway'],
  [['services', '*', 'deploy', 'resources', '*', 'cpus'], '; quote it: cpus: "0.5"'],
  [['services', '*', 'deploy', 'resources', '*', 'memory'], '; write it as a string with a unit, such as "512M"'],
  [['services', '*', 'ports', '*'], '; expected [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL] with ports from 0 to 65535 and protocol tcp, udp or sctp'],
];

const DURATION_ADVICE = '; write a Go duration with a unit, such as 10s, 1m30s or 500ms';
const MEMORY = ['services', '*', 'deploy', 'resources', '*', 'memory'];
/** For a memory size a variable went into (its value is docker's to read after interpolation). */
const INTERPOLATED_SIZE_ADVICE = '; set the variable to a size docker reads, such as 512M';
const SUPPORTED_VERSIONS = new Set(['3', ...STACK_VERSIONS]);

/** `${NAME:-default}` / `${NAME-default}`: an expression that falls back to its default when NAME is unset. */
const DEFAULT_FOLLOWS = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?-/;
/** `${NAME:?message}` / `${NAME?message}`: an expression that stops the deploy when NAME is unset. */
const REQUIRED = /^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?/;

/** Whether the value at `path` is a scalar a variable went into. */
function interpolated(root: LVal, path: readonly string[]): boolean {
  const n = nodeAt(root, path);
  return n?.kind === 'scalar' && n.raw !== undefined;
}

function matches(pattern: readonly string[], path: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i]);
}

export default defineRule({
  meta: {
    id: 'swarm-compat',
    description:
      'With target swarm, the file must be one docker stack deploy accepts: no keys or values it rejects (mem_limit, cpus, profiles, boolean environment values, ...), and no keys it silently ignores (build, restart, depends_on, container_name, a host IP on a port, ...).',
    severity: 'error',
    category: 'compatibility',
    messages: {
      forbidden: 'service "{{service}}" sets {{key}}, which docker stack deploy refuses ("Configuration contains forbidden properties"); {{advice}}',
      forbiddenExtends:
        'service "{{service}}" sets extends, which docker stack deploy refuses ("Configuration contains forbidden properties"); {{advice}}{{inherited}}',
      unknownKey: '{{where}} sets {{key}}, which docker stack deploy rejects ("{{docker}} Additional property {{key}} is not allowed"); {{advice}}',
      invalid: 'docker stack deploy rejects this file: {{detail}}{{advice}}',
      cast: '{{path}} is "{{value}}" after interpolation, but docker stack deploy needs {{expected}} there ("failed to cast to expected type")',
      version: 'version {{version}} is not a stack file version: docker stack deploy accepts "3" and "3.0" to "3.13" (or no version key)',
      versionMismatch:
        'docker stack deploy refuses these files together ("version mismatched between two composefiles : {{first}} and {{other}}"): {{firstFile}} declares {{firstVersion}} and {{otherFile}} {{otherVersion}}; declare the same version in every file, or none in any',
      ignored: 'service "{{service}}" sets {{key}}, which docker stack deploy ignores; {{advice}}',
      buildNoImage:
        'service "{{service}}" sets build and no image: docker stack deploy ignores build, and swarm cannot create a service without an image ("ContainerSpec: image reference must be provided"); build and push the image first, and set image to it',
      noImage:
        'service "{{service}}" names neither an image nor a build, and swarm cannot create a service without an image ("ContainerSpec: image reference must be provided"); if this file completes another one, lint the two together (-f stack.yml -f this.yml), else set image',
      imageReference:
        'service "{{service}}" uses image {{image}}, which {{what}}: docker stack deploy fails to create the service ({{docker}}); {{advice}}',
      volumeSpec: 'service "{{service}}" mounts {{spec}}, which docker stack deploy cannot read ("invalid spec: {{value}}: {{problem}}"); write it as SOURCE:TARGET[:MODE]{{hint}}',
      namedModifier:
        '{{path}}: docker stack deploy reads "{{expression}}" as ${{{name}}{{tail}}}: what follows ${{name}} up to the next "}" or the end of the value is a default, dropped when {{name}} is set (docker compose reads ${{name}} followed by "{{tail}}"){{command}}; write "{{fixed}}" to keep the text',
      interpolationFormat:
        '{{path}} has a "$" that docker stack deploy cannot read ("invalid interpolation format"): it reads only $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error} and ${NAME?error}; {{advice}}',
      dotenv:
        '${{{name}}} takes its value from {{file}}, which docker stack deploy does not read (it reads variables from the environment only): there {{name}} is unset and {{consequence}}{{more}}; export the file before deploying (set -a; . ./.env; set +a), or lint with --env-file for the variables the deploy gets',
      hostIp: 'port "{{port}}" binds host IP {{ip}}, which docker stack deploy drops: the port listens on 0.0.0.0 (every interface) of every node; publish with mode: host behind a firewall, or do not publish it and reach the service over an overlay network',
    },
  },
  create(ctx) {
    if (stackTarget(ctx.stack) !== 'swarm' || ctx.stack.origin !== 'file') return {};
    /** the services with neither an image nor a build, reported unless the files' versions differ */
    const imageless: Service[] = [];
    // What a service inherits through extends is not reported on its own: docker stack deploy
    // refuses the extends first, and flattening the file is what to do. It is named in that error.
    const inheritedKeys = new Map<string, string[]>();
    const inherited = (service: string | undefined, loc: Loc, path: readonly string[]): boolean => {
      if (service === undefined || loc.kind !== 'file') return false;
      const node = ctx.stack.root.node.index.get('services')?.value;
      const svc = node?.kind === 'map' ? node.index.get(service)?.value : undefined;
      let base = svc?.kind === 'map' ? svc.extendsFrom : undefined;
      for (; base; base = base.rest) {
        const b = base.loc;
        if (b.kind === 'file' && b.source === loc.source && loc.start >= b.start && loc.end <= b.end) break;
      }
      if (!base) return false;
      const list = inheritedKeys.get(service) ?? [];
      const key = formatPath(path.slice(2));
      if (!list.includes(key)) list.push(key);
      inheritedKeys.set(service, list);
      return true;
    };
    return {
      service(svc) {
        const image = child(svc.ref, 'image');
        for (const [key, advice] of Object.entries(IGNORED_KEYS)) {
          const ref = child(svc.ref, key);
          if (!ref) continue;
          if (inherited(svc.name, ref.entry?.keyLoc ?? ref.node.loc, ref.path)) continue;
          // the long form of depends_on is rejected outright (reported from the schema check)
          if (key === 'depends_on' && ref.node.kind !== 'seq') continue;
          // without an image, swarm has nothing to run: swarmkit's validateImage (manager/controlapi/
          // service.go) refuses the service's empty image, and docker stack deploy stops there
          if (key === 'build' && !image) ctx.report({ messageId: 'buildNoImage', data: { service: svc.name }, at: svc.ref, service: svc });
          else ctx.report({ messageId: 'ignored', data: { service: svc.name, key, advice }, at: ref, severity: 'warning', service: svc });
        }
        // nothing to run at all (an override's fragment linted alone): swarmkit refuses it as above;
        // a misspelt `image` is the schema's to report (the key it names is known once that is mended)
        if (!image && !child(svc.ref, 'build') && svc.ref.node.kind === 'map' && !misspeltImage(svc.ref)) imageless.push(svc);
        if (image?.node.kind === 'scalar' && image.node.raw !== undefined && typeof image.node.value === 'string' && !inherited(svc.name, image.node.loc, image.path)) {
          // an image a variable left invalid (`postgres:${TAG}` with TAG unset is `postgres:`):
          // swarmkit refuses it as it creates the service (validateImage: distribution/reference's
          // ParseNormalizedNamed), though `docker stack config` prints it back
          const empty = image.node.value === '';
          const problem = empty ? null : imageReferenceProblem(image.node.value);
          if (empty || problem) {
            ctx.report({
              messageId: 'imageReference',
              data: {
                service: svc.name,
                image: showValue(image),
                what: empty ? 'is empty' : `is not a valid image reference (${problem})`,
                docker: empty ? '"ContainerSpec: image reference must be provided"' : '"ContainerSpec: ... is not a valid repository/tag"',
                advice: 'set every variable it uses, or give each a default (${NAME:-value})',
              },
              at: image,
              loc: image.node.loc,
              service: svc,
            });
          }
        }
        for (const it of items(child(svc.ref, 'volumes'))) {
          if (it.node.kind !== 'scalar' || typeof it.node.value !== 'string') continue;
          const problem = volumeSpecProblem(it.node.value);
          if (!problem || inherited(svc.name, it.node.loc, it.path)) continue;
          ctx.report({
            messageId: 'volumeSpec',
            data: {
              service: svc.name,
              spec: showValue(it),
              value: it.node.value,
              problem,
              hint: it.node.raw !== undefined ? ' (set the variable it uses)' : '',
            },
            at: it,
            loc: it.node.loc,
            service: svc,
          });
        }
        for (const p of svc.ports) {
          if (p.syntax !== 'short' || !p.hostIp || p.hostIp === '0.0.0.0' || p.hostIp === '::') continue;
          if (inherited(svc.name, p.ref.node.loc, p.ref.path)) continue;
          ctx.report({ messageId: 'hostIp', data: { port: String(scalarValue(p.ref) ?? ''), ip: p.hostIp }, at: p.ref, loc: p.ref.node.loc, severity: 'warning', service: svc });
        }
      },
      stack(stack) {
        const root = stack.root.node;
        // docker compares the files' versions first, and checks every file against the first one's
        const files = stack.fileVersions ?? [];
        const first = files[0] ? dockerVersion(files[0].value) : null;
        const other = first === null ? undefined : files.find((f) => dockerVersion(f.value) !== first);
        if (other) {
          const said = (f: FileVersion) => (f.value ? `version ${showValue({ node: f.value })}` : `no version (read as "${LATEST_STACK_VERSION}")`);
          const at = (other.value ?? files[0]!.value)!.loc;
          ctx.report({
            messageId: 'versionMismatch',
            data: { first: first!, other: dockerVersion(other.value), firstFile: files[0]!.source.displayPath, firstVersion: said(files[0]!), otherFile: other.source.displayPath, otherVersion: said(other) },
            at,
            loc: at,
          });
        }
        const result = checkSwarmSchema(root, first !== null && STACK_VERSIONS.includes(first) ? first : undefined);
        const byName = new Map(stack.services.map((s) => [s.name, s]));
        const serviceOf = (path: readonly string[]): Service | null => (path[0] === 'services' && path.length >= 2 ? (byName.get(path[1]!) ?? null) : null);
        const inheritedAt = (loc: Loc, path: readonly string[]): boolean => path[0] === 'services' && path.length >= 3 && inherited(path[1], loc, path);

        const version = child(stack.root, 'version');
        let versionReported = false;
        // as docker reads it: "" is the newest version, as no version is
        if (version && typeof scalarValue(version) === 'string' && !SUPPORTED_VERSIONS.has(dockerVersion(version.node))) {
          versionReported = true;
          ctx.report({ messageId: 'version', data: { version: JSON.stringify(scalarValue(version)) }, at: version, loc: version.node.loc });
        }

        for (const u of result.unknownKeys) if (!inheritedAt(u.entry.keyLoc, [...u.parentPath, u.key])) reportUnknownKey(u);
        // docker stack deploy stops at the files' versions before it creates any service
        // one file linted alone is most likely a fragment of a stack deployed with another
        // (-c stack.yml -c stack.prod.yml): a warning there, as for compose; an error in a merged one
        const alone = stack.files.length === 1;
        if (!other) for (const svc of imageless) ctx.report({ messageId: 'noImage', data: { service: svc.name }, at: svc.ref, service: svc, ...(alone ? { severity: 'warning' as const } : {}) });

        // a value docker cannot cast stops it there: its type error would say the same again
        const castPaths = new Set(result.casts.map((c) => c.path.join('\u0000')));
        for (const is of result.issues) {
          if (reportedByCompose(result, is.path) || castPaths.has(is.path.join('\u0000'))) continue;
          if (versionReported && is.path.length === 1 && is.path[0] === 'version') continue;
          if (inheritedAt(is.loc, is.path)) continue;
          let advice = VALUE_ADVICE.find(([p]) => matches(p, is.path))?.[1] ?? '';
          if (/format "duration"/.test(is.message)) advice = DURATION_ADVICE;
          else if (matches(MEMORY, is.path) && interpolated(root, is.path)) advice = INTERPOLATED_SIZE_ADVICE;
          ctx.report({ messageId: 'invalid', data: { detail: is.message, advice }, at: is.loc, path: is.path, service: serviceOf(is.path) });
        }

        for (const is of findInterpolationFormatIssues(root)) {
          // a stack is read the way docker stack deploy reads it (src/parse/interpolate.ts,
          // interpolateStack), whose template errors are left to this rule and its advice
          if (inheritedAt(is.loc, is.path)) continue;
          if (is.named) {
            const { name, tail } = is.named;
            const command = /\$\(/.test(tail) ? '; docker never runs a $(...): write $$(...) for the container\'s shell to run it' : '';
            const fixed = `\${${name}}${tail.replace(/\$(?=\()/g, '$$$$')}`;
            ctx.report({
              messageId: 'namedModifier',
              data: { path: formatPath(is.path), expression: `$${name}${tail}`, name, tail, fixed, command },
              at: is.loc,
              path: is.path,
              severity: 'warning',
              service: serviceOf(is.path),
            });
            continue;
          }
          const advice = hasAltForm(is.text)
            ? 'docker has no ${NAME:+alt} / ${NAME+alt}: set the value in the environment instead'
            : 'write $$ for a literal $ (as in $$(command) or $$1)';
          ctx.report({ messageId: 'interpolationFormat', data: { path: formatPath(is.path), advice }, at: is.loc, path: is.path, service: serviceOf(is.path) });
        }

        // a variable only .env sets: once per variable, at its first use
        const dotenv = stack.dotenv;
        const byVariable = new Map<string, DotenvUse[]>();
        for (const use of dotenv?.uses ?? []) {
          const list = byVariable.get(use.name);
          if (list) list.push(use);
          else byVariable.set(use.name, [use]);
        }
        const dotenvNames = new Set(byVariable.keys());
        for (const [name, all] of byVariable) {
          const uses = all.filter((u) => !inheritedAt(u.loc, u.path));
          if (uses.length === 0) continue;
          // the first use where docker stack deploy stops: a number, boolean, duration or size it cannot read
          let stop: { use: DotenvUse; value: string; refusal: string } | null = null;
          for (const use of uses) {
            const r = deployRefusal(root, use, dotenvNames);
            if (r) {
              stop = { use, ...r };
              break;
            }
          }
          // a required ${NAME:?} stops the deploy with its own message, before any value is read
          const required = REQUIRED.test(uses[0]!.expression);
          if (required) stop = null;
          const first = stop?.use ?? uses[0]!;
          const consequence = required
            ? `${first.expression} stops the deploy`
            : stop
              ? `${formatPath(first.path)} is "${stop.value}", where docker stack deploy stops ("${stop.refusal}")`
              : DEFAULT_FOLLOWS.test(first.expression)
                ? `${first.expression} gives its default`
                : 'it becomes an empty string';
          const more = uses.length > 1 ? ` (${uses.length - 1} more ${uses.length === 2 ? 'place uses' : 'places use'} it)` : '';
          const severity = stop || required ? 'error' : 'warning';
          ctx.report({ messageId: 'dotenv', data: { name, file: dotenv!.file, consequence, more }, at: first.loc, path: first.path, severity, service: serviceOf(first.path) });
        }

        for (const c of result.casts) {
          if (reportedByCompose(result, c.path) || inheritedAt(c.loc, c.path)) continue;
          ctx.report({ messageId: 'cast', data: { path: formatPath(c.path), value: c.value, expected: c.expected }, at: c.loc, path: c.path, service: serviceOf(c.path) });
        }

        // extends last: it names what the service inherits that was not reported on its own
        for (const svc of stack.services) {
          const ext = svc.ref.node.extendsKey;
          if (!ext) continue;
          const keys = inheritedKeys.get(svc.name) ?? [];
          const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? `, and ${keys.length - 5} more` : '');
          const inheritedText = keys.length > 0 ? `; it also inherits keys docker stack deploy refuses or ignores (${shown})` : '';
          ctx.report({
            messageId: 'forbiddenExtends',
            data: { service: svc.name, advice: FORBIDDEN_KEYS.extends!, inherited: inheritedText },
            at: ext,
            path: ['services', svc.name, 'extends'],
            service: svc,
          });
        }

        function reportUnknownKey(u: UnknownKeyIssue): void {
          const path = [...u.parentPath, u.key];
          if (composeRejectsKey(result, path)) return; // a typo or a key compose rejects too: `schema` says so
          const svc = serviceOf(u.parentPath);
          const at = u.entry.keyLoc;
          if (u.parentPath.length === 2 && u.parentPath[0] === 'services') {
            const forbidden = FORBIDDEN_KEYS[u.key];
            if (forbidden) {
              ctx.report({ messageId: 'forbidden', data: { service: u.parentPath[1]!, key: u.key, advice: forbidden }, at, path, service: svc });
              return;
            }
          }
          let advice: string;
          const later = versionAccepting(result, u);
          if (later) advice = `the file declares version "${result.version}", whose schema has no ${u.key} there; it came with ${later}: declare version: "${later}" or later`;
          else if (u.key.startsWith('x-')) advice = EXTENSION_ADVICE;
          else if (u.parentPath.length === 0) advice = TOP_KEY_ADVICE[u.key] ?? 'the stack schema has no such top-level key; remove it';
          else if (u.parentPath.length === 2 && u.parentPath[0] === 'services') advice = SERVICE_KEY_ADVICE[u.key] ?? 'the stack schema has no such service key; keep compose-only settings in a compose override file';
          else if (u.parentPath[2] === 'ports' && u.key === 'host_ip') advice = 'swarm cannot bind a published port to one address; publish with mode: host behind a firewall, or do not publish it';
          else if ((u.parentPath[0] === 'secrets' || u.parentPath[0] === 'configs') && u.parentPath.length === 2)
            advice = `docker stack deploy creates ${u.parentPath[0]} only from file: or uses external ones (or name + driver)`;
          else if (u.parentPath.includes('ipam')) advice = 'the stack schema accepts only subnet in ipam.config';
          else advice = 'the stack schema has no such key here; remove it';
          const where = u.parentPath.length === 0 ? 'the file' : u.parentPath.length === 2 && u.parentPath[0] === 'services' ? `service "${u.parentPath[1]}"` : formatPath(u.parentPath);
          ctx.report({
            messageId: 'unknownKey',
            data: { where, key: u.key, docker: u.parentPath.length === 0 ? '(root)' : u.parentPath.join('.'), advice },
            at,
            path,
            service: svc,
          });
        }
      },
    };
  },
});

/**
 * What docker stack deploy makes of the scalar that uses a variable only `.env` sets, when every
 * variable in it is one of those (docker sees them unset): its value and docker's complaint, or
 * null when docker reads the value or it cannot be told. An image is judged as swarmkit judges it
 * when it creates the service (empty, or not a valid reference: `postgres:`).
 */
function deployRefusal(root: LVal, use: DotenvUse, dotenvNames: ReadonlySet<string>): { value: string; refusal: string } | null {
  let node: LVal | undefined = root;
  const path: YamlPath = [];
  for (const seg of use.path) {
    if (node?.kind === 'map') node = node.index.get(seg)?.value;
    else if (node?.kind === 'seq') {
      node = node.items[Number(seg)]?.value;
      path.push(Number(seg));
      continue;
    } else return null;
    path.push(seg);
  }
  if (node?.kind !== 'scalar' || node.raw === undefined || !node.raw.includes(use.expression)) return null;
  let known = true;
  const { value } = interpolateStack(node.raw, { get: () => undefined }, (name) => {
    if (!dotenvNames.has(name)) known = false;
  });
  if (!known) return null;
  if (path.length === 3 && path[0] === 'services' && path[2] === 'image') {
    // swarmkit's words (validateImage); the value holds only what the file wrote, its variables unset
    if (value === '') return { value, refusal: 'ContainerSpec: image reference must be provided' };
    return imageReferenceProblem(value) ? { value, refusal: `ContainerSpec: ${JSON.stringify(value)} is not a valid repository/tag` } : null;
  }
  const refusal = dockerRefusal(path, value);
  return refusal ? { value, refusal } : null;
}

/** Whether a `+` stands inside an unclosed `${` (`${NAME:+alt}`, `${NAME+alt}`): one pass over the text. */
function hasAltForm(text: string): boolean {
  let open = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '$' && text[i + 1] === '{') {
      open = true;
      i++;
    } else if (c === '}') open = false;
    else if (c === '+' && open) return true;
  }
  return false;
}
