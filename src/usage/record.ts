import { DockerError, type DockerClient } from '../audit/docker.js';
import type { DockerContainer, DockerEvent } from '../audit/docker-types.js';
import {
  addSample,
  CPU_HISTOGRAM,
  emptyHistogram,
  IDLE_CPU,
  MEMORY_HISTOGRAM,
  serviceKey,
  USAGE_PROFILE_FORMAT,
  type Recording,
  type ServiceUsage,
  type UsageProfile,
} from '../model/usage-profile.js';
import {
  COMPOSE_PROJECT_LABEL,
  COMPOSE_SERVICE_LABEL,
  containerLimits,
  identifyContainer,
  inScope,
  readStats,
  STACK_LABEL,
  SWARM_SERVICE_LABEL,
  type ContainerIdentity,
  type UsageReading,
} from './containers.js';
import { boundProfile, setOwn } from './profile-file.js';

/**
 * Recording what the containers of a stack use (`stackopt usage record`): every interval, on each
 * engine (one per node: stats and events are local to an engine), list the containers of the stack
 * or project, inspect those not finished, read their usage (`docker stats --no-stream`) and the
 * engine's `oom` events since the last tick. Samples go straight into per-service histograms and
 * daily rows: memory stays bounded however long the recording.
 */

export interface Engine {
  /** the docker context name, or `default` */
  name: string;
  client: DockerClient;
}

export interface RecordOptions {
  engines: Engine[];
  stack: string | null;
  /** service names (within the stack, or full names); empty: all */
  services: string[];
  intervalMs: number;
  /** null: until `signal` ends it */
  durationMs: number | null;
  signal: AbortSignal;
  generator: string;
  progress?: (p: RecordProgress) => void;
  /** the clock (milliseconds since the epoch) */
  now?: () => number;
}

export interface RecordProgress {
  elapsedMs: number;
  durationMs: number | null;
  ticks: number;
  /** task samples taken */
  samples: number;
  services: number;
  /** containers sampled at the last tick */
  tasks: number;
}

export interface RecordResult {
  /** what this recording saw (one recording; append it to an older profile with mergeProfiles) */
  profile: UsageProfile;
  ended: Recording['ended'];
  /** the docker failure that ended it early (`ended: 'error'`) */
  error: DockerError | null;
}

const NO_IDENTITY: ContainerIdentity = { key: '', kind: 'compose', stack: null, service: '', fullName: '', slot: '' };

/** Nothing matched --stack / --service: a usage error, before anything is recorded. */
export class RecordScopeError extends Error {}

interface ContainerState {
  id: ContainerIdentity;
  /** exited, dead or ignored: not inspected again */
  final: boolean;
  restartCount: number;
  memoryLimit: number | null;
  /** when it started (our clock, ms) */
  startedAt: number;
  /** State.OOMKilled of a container that started and ended during the recording: when it ended */
  oomKilledAt: number | null;
  /** its CFS throttling counters at the last reading */
  throttle?: { periods: number; throttledPeriods: number };
  /** `oom` events seen for this container (engine times, ms) */
  oomEvents: number[];
}

interface EngineState {
  engine: Engine;
  /** the containers in scope found running at the last tick */
  running: string[];
  /** the time (ms) up to which events have been read */
  eventsUntil: number;
  containers: Map<string, ContainerState>;
  /** event identities seen (a boundary second may be read twice) */
  eventSeen: Set<string>;
}

interface ServiceAcc {
  usage: ServiceUsage;
  /** slot → containers that ran for it during the recording */
  slots: Map<string, Set<string>>;
  restartsCounted: number;
  /** OOM kills of containers never inspected (seen in events only), by time */
  strayOoms: number[];
}

/** Record until the duration is over, `signal` aborts, or docker fails after the first tick. */
export async function recordUsage(opts: RecordOptions): Promise<RecordResult> {
  const now = opts.now ?? Date.now;
  const wanted = new Set(opts.services);
  // every engine must answer before anything is recorded: a failure here is the user's to fix
  await Promise.all(opts.engines.map((engine) => engine.client.info()));
  const start = now();
  // engine times (events, StartedAt, FinishedAt) are taken as ours: nodes keep their clocks in step (NTP)
  const engines: EngineState[] = opts.engines.map((engine) => ({ engine, running: [], eventsUntil: start, containers: new Map(), eventSeen: new Set() }));
  const services = new Map<string, ServiceAcc>();
  let ticks = 0;
  let samples = 0;
  let lastTasks = 0;
  let ended: Recording['ended'] = 'duration';
  let error: DockerError | null = null;
  const report = () =>
    opts.progress?.({ elapsedMs: now() - start, durationMs: opts.durationMs, ticks, samples, services: services.size, tasks: lastTasks });

  for (;;) {
    const tickAt = now();
    let readings: Array<{ id: ContainerIdentity; reading: UsageReading }>;
    try {
      const perEngine = await Promise.all(engines.map((e) => sampleEngine(e, opts.stack, wanted, start, services, tickAt)));
      readings = perEngine.flat();
    } catch (e) {
      if (!(e instanceof DockerError) || ticks === 0) throw e;
      ended = 'error';
      error = e;
      break;
    }
    if (ticks === 0) checkScope(opts.stack, wanted, engines);
    ticks++;
    const iso = new Date(tickAt).toISOString();
    const tasksNow = new Map<string, number>();
    for (const { id, reading } of readings) {
      const acc = services.get(id.key)!;
      addReading(acc.usage, reading, iso);
      tasksNow.set(id.key, (tasksNow.get(id.key) ?? 0) + 1);
      samples++;
    }
    for (const [key, n] of tasksNow) {
      const u = services.get(key)!.usage;
      if (n > u.tasksMax) u.tasksMax = n;
    }
    lastTasks = readings.length;
    report();
    if (opts.signal.aborted) {
      ended = 'interrupted';
      break;
    }
    const next = tickAt + opts.intervalMs;
    if (opts.durationMs !== null && next >= start + opts.durationMs) break;
    await sleep(next - now(), opts.signal);
    if (opts.signal.aborted) {
      ended = 'interrupted';
      break;
    }
  }
  const end = now();
  const recording: Recording = {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    intervalSeconds: opts.intervalMs / 1000,
    ticks,
    contexts: opts.engines.map((e) => e.name),
    stack: opts.stack,
    ended,
  };
  const profile: UsageProfile = {
    format: USAGE_PROFILE_FORMAT,
    generator: opts.generator,
    createdAt: recording.start,
    updatedAt: recording.end,
    recordings: [recording],
    services: {},
  };
  for (const [key, acc] of [...services].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    finishService(acc, engines);
    setOwn(profile.services, key, acc.usage);
  }
  return { profile: boundProfile(profile), ended, error };
}

/** One tick on one engine: the readings of its running containers in scope. */
async function sampleEngine(
  e: EngineState,
  stack: string | null,
  wanted: ReadonlySet<string>,
  startMs: number,
  services: Map<string, ServiceAcc>,
  tickAt: number,
): Promise<Array<{ id: ContainerIdentity; reading: UsageReading }>> {
  const client = e.engine.client;
  const labels = stack !== null ? [`${STACK_LABEL}=${stack}`, `${COMPOSE_PROJECT_LABEL}=${stack}`] : [SWARM_SERVICE_LABEL, COMPOSE_SERVICE_LABEL];
  // asked for while the containers are listed and inspected, and taken after: the oom events since
  // the last tick, and the usage of the containers that ran at the last tick (docker stats takes a
  // second or more); containers new at this tick are read after their inspection
  const events = settle(fetchOomEvents(e, tickAt));
  const known = e.running;
  const knownStats = settle(known.length ? client.containerStats(known) : Promise.resolve([]));
  const ids = new Set((await Promise.all(labels.map((l) => client.containerIds(l)))).flat());
  const toInspect = [...ids].filter((id) => !e.containers.get(id)?.final);
  const inspected = toInspect.length ? await client.inspectContainers(toInspect) : [];
  const running: string[] = [];
  for (const c of inspected) {
    const state = updateContainer(e, c, stack, wanted, startMs, services, tickAt);
    if (state && c.State?.Running) running.push(c.Id);
  }
  // CFS throttling, where the engine's socket is at hand (docker stats does not print it)
  const throttling = settle(client.throttlingCounters(running));
  const knownSet = new Set(known);
  const fresh = running.filter((id) => !knownSet.has(id));
  const rows = [...(await knownStats)(), ...(fresh.length ? await client.containerStats(fresh) : [])];
  e.running = running;
  const out: Array<{ id: ContainerIdentity; reading: UsageReading }> = [];
  const taken = new Set<string>();
  for (const row of rows) {
    const state = e.containers.get(row.ID);
    const reading = readStats(row);
    // a container that stopped since is read as no memory and no process: left out
    if (state && services.has(state.id.key) && reading && !taken.has(row.ID)) {
      taken.add(row.ID);
      out.push({ id: state.id, reading });
    }
  }
  for (const [cid, counters] of (await throttling)()) {
    const state = e.containers.get(cid);
    const acc = state && services.get(state.id.key);
    if (!state || !acc) continue;
    const t = (acc.usage.throttling ??= { periods: 0, throttledPeriods: 0 });
    // cumulative per container: what happened since its last reading (nothing at its first)
    const last = state.throttle;
    if (last && counters.periods >= last.periods && counters.throttledPeriods >= last.throttledPeriods) {
      t.periods += counters.periods - last.periods;
      t.throttledPeriods += counters.throttledPeriods - last.throttledPeriods;
    }
    state.throttle = counters;
  }
  takeOomEvents(e, (await events)(), stack, wanted, services, tickAt);
  return out;
}

/** Take what an inspection says of a container: its service, limits, restarts, an OOM kill. */
function updateContainer(
  e: EngineState,
  c: DockerContainer,
  stack: string | null,
  wanted: ReadonlySet<string>,
  startMs: number,
  services: Map<string, ServiceAcc>,
  tickAt: number,
): ContainerState | null {
  let state = e.containers.get(c.Id);
  const running = c.State?.Running === true;
  if (!state) {
    const id = identifyContainer(c.Config?.Labels);
    const status = c.State?.Status ?? '';
    // created and not started yet, or between two restarts: looked at again next time
    if (!running && (status === 'created' || status === 'restarting')) return null;
    const finishedAt = Date.parse(c.State?.FinishedAt ?? '');
    // a container that ended before the recording began is history, not part of it
    const before = !running && !(finishedAt >= startMs);
    if (!id || !inScope(id, stack, wanted)) {
      // ignored for good; its identity (when it has one) still names what was found, for checkScope
      e.containers.set(c.Id, { id: id ?? NO_IDENTITY, final: true, restartCount: 0, memoryLimit: null, startedAt: 0, oomKilledAt: null, oomEvents: [] });
      return null;
    }
    const startedAt = Date.parse(c.State?.StartedAt ?? '');
    state = { id, final: before, restartCount: c.RestartCount ?? 0, memoryLimit: null, startedAt: Number.isFinite(startedAt) ? startedAt : 0, oomKilledAt: null, oomEvents: [] };
    e.containers.set(c.Id, state);
    if (before) return null;
    const acc = serviceAcc(services, id, tickAt);
    let slot = acc.slots.get(id.slot);
    if (!slot) acc.slots.set(id.slot, (slot = new Set()));
    slot.add(c.Id);
  } else if (state.final) return null;
  const acc = services.get(state.id.key)!;
  const restarts = c.RestartCount ?? 0;
  if (restarts > state.restartCount) acc.restartsCounted += restarts - state.restartCount;
  state.restartCount = restarts;
  const limits = containerLimits(c);
  state.memoryLimit = limits.memory;
  acc.usage.limits = limits;
  const status = c.State?.Status ?? '';
  if (!running && status !== 'created' && status !== 'restarting') {
    state.final = true;
    // OOMKilled tells of any OOM kill in the container's life: it counts (when no event did) only
    // for a container whose whole life was recorded
    if (c.State?.OOMKilled && state.startedAt >= startMs) state.oomKilledAt = Date.parse(c.State.FinishedAt ?? '') || tickAt;
  }
  return state;
}

/** The engine's `oom` events since the last tick. */
async function fetchOomEvents(e: EngineState, tickAt: number): Promise<DockerEvent[]> {
  const until = tickAt;
  if (until <= e.eventsUntil) return [];
  const events = await e.engine.client.oomEvents(e.eventsUntil / 1000, until / 1000);
  e.eventsUntil = until;
  return events;
}

/** Count each `oom` event once, for the containers in scope. */
function takeOomEvents(e: EngineState, events: DockerEvent[], stack: string | null, wanted: ReadonlySet<string>, services: Map<string, ServiceAcc>, tickAt: number): void {
  for (const ev of events) {
    const cid = ev.Actor?.ID ?? ev.id ?? '';
    const seenKey = `${cid}@${ev.timeNano ?? ev.time ?? ''}`;
    if (e.eventSeen.has(seenKey)) continue;
    e.eventSeen.add(seenKey);
    const at = (ev.timeNano ? ev.timeNano / 1e6 : (ev.time ?? 0) * 1000 || tickAt);
    const state = e.containers.get(cid);
    if (state) {
      if (state.id.key && services.has(state.id.key)) state.oomEvents.push(at);
      continue;
    }
    // a container that started and ended between two ticks: known by the event's labels only
    const id = identifyContainer(ev.Actor?.Attributes);
    if (!id || !inScope(id, stack, wanted)) continue;
    serviceAcc(services, id, tickAt).strayOoms.push(at);
  }
}

function serviceAcc(services: Map<string, ServiceAcc>, id: ContainerIdentity, tickAt: number): ServiceAcc {
  let acc = services.get(id.key);
  if (!acc) {
    const iso = new Date(tickAt).toISOString();
    acc = {
      usage: {
        stack: id.stack,
        service: id.service,
        kind: id.kind,
        firstSeen: iso,
        lastSeen: iso,
        samples: 0,
        cpu: { ...emptyHistogram(CPU_HISTOGRAM), max: 0 },
        memory: { ...emptyHistogram(MEMORY_HISTOGRAM), max: 0 },
        pidsMax: 0,
        // set at the first reading of the engine's throttling counters (null: never reported)
        throttling: null,
        oomKills: 0,
        oomPeaks: [],
        restarts: 0,
        limits: { cpus: null, memory: null },
        tasksMax: 0,
        daily: [],
      },
      slots: new Map(),
      restartsCounted: 0,
      strayOoms: [],
    };
    services.set(id.key, acc);
  }
  return acc;
}

/** Add one task sample taken at `iso`. */
export function addReading(u: ServiceUsage, r: UsageReading, iso: string): void {
  if (u.samples === 0) u.firstSeen = iso;
  u.lastSeen = iso;
  u.samples++;
  addSample(u.cpu, r.cpu);
  addSample(u.memory, r.memory);
  if (r.cpu > u.cpu.max) u.cpu.max = r.cpu;
  if (r.memory > u.memory.max) u.memory.max = r.memory;
  if (r.pids > u.pidsMax) u.pidsMax = r.pids;
  const day = iso.slice(0, 10);
  let row = u.daily[u.daily.length - 1];
  if (!row || row.day !== day) u.daily.push((row = { day, samples: 0, cpuPeak: 0, memoryPeak: 0, idleSamples: 0 }));
  row.samples++;
  if (r.cpu > row.cpuPeak) row.cpuPeak = r.cpu;
  if (r.memory > row.memoryPeak) row.memoryPeak = r.memory;
  if (r.cpu < IDLE_CPU) row.idleSamples++;
}

/**
 * Restarts (further containers of a slot, and restarts of one container) and OOM kills (an `oom`
 * event, or State.OOMKilled of a container that ended: the larger count per container). The peak
 * before a kill is the memory limit it hit, else the highest working set seen.
 */
function finishService(acc: ServiceAcc, engines: EngineState[]): void {
  const u = acc.usage;
  let replaced = 0;
  for (const slot of acc.slots.values()) replaced += slot.size - 1;
  u.restarts = replaced + acc.restartsCounted;
  const kills: Array<{ at: number; peak: number }> = [];
  const fallback = () => u.limits.memory ?? u.memory.max;
  for (const e of engines) {
    for (const state of e.containers.values()) {
      if (state.id.key !== serviceKey(u.stack, u.service)) continue;
      const peak = state.memoryLimit ?? fallback();
      const times = [...state.oomEvents];
      if (times.length === 0 && state.oomKilledAt !== null) times.push(state.oomKilledAt);
      for (const at of times) kills.push({ at, peak });
    }
  }
  for (const at of acc.strayOoms) kills.push({ at, peak: fallback() });
  kills.sort((a, b) => a.at - b.at);
  u.oomKills = kills.length;
  u.oomPeaks = kills.map((k) => k.peak);
}

/** After the first tick: fail when nothing the user named is there at all. */
function checkScope(stack: string | null, wanted: ReadonlySet<string>, engines: EngineState[]): void {
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const e of engines) {
    for (const s of e.containers.values()) {
      if (!s.id.key) continue;
      seen.add(s.id.key);
      names.add(s.id.service).add(s.id.fullName).add(s.id.key);
    }
  }
  const where = engines.map((e) => e.engine.client.describeEngine()).join(', ');
  if (seen.size === 0) {
    const what = stack !== null ? `stack or compose project "${stack}"` : 'any swarm stack or compose project';
    const which = wanted.size ? ` (services ${[...wanted].map((s) => `"${s}"`).join(', ')})` : '';
    throw new RecordScopeError(`no container of ${what}${which} was found at ${where}: check the names (\`docker stack ls\`, \`docker compose ls\`) and the engine`);
  }
  const missing = [...wanted].filter((w) => !names.has(w));
  if (missing.length) {
    const list = [...seen].sort().slice(0, 20).join(', ');
    throw new RecordScopeError(`no container of service ${missing.map((s) => `"${s}"`).join(', ')}${stack !== null ? ` in "${stack}"` : ''} was found at ${where}; containers were found for: ${list}`);
  }
}

/**
 * A promise made to run beside others and taken later: its failure is held (not reported as an
 * unhandled rejection meanwhile) and thrown when the result is taken.
 */
function settle<T>(p: Promise<T>): Promise<() => T> {
  return p.then(
    (v) => () => v,
    (err: unknown) => () => {
      throw err;
    },
  );
}

/** Wait `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
