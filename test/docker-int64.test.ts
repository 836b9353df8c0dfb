import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { resolveSizing } from '../src/model/sizing.js';
import { MAX_DOCKER_BYTES } from '../src/model/units.js';
import { atoiRefusal, fitsInt64, sizeOverflow, sizeRefusal } from '../src/parse/go-values.js';
import { assertBuilt, repoRoot, runCli } from './helpers/cli.js';
import { dockerAvailable } from './oracle-match.js';

/**
 * Sizes and CPUs docker holds in an int64: go-units' RAMInBytes converts a float64 that overflows
 * from 2^63 bytes up (without an error), opts.ParseCPUs an int64 of billionths of a CPU. Lint
 * reports a written size past it for both targets; `fix --usage` never writes one.
 */
const HAS_DOCKER = dockerAvailable();
/** The tests that ask docker run wherever it is installed, and must run with CI=true. */
const ASK_DOCKER = HAS_DOCKER || process.env.CI === 'true';
if (!ASK_DOCKER) console.warn('[skip] docker-int64: docker is not installed, so the cases are not asked of `docker stack config` (required with CI=true)');
const dir = mkdtempSync(join(tmpdir(), 'stackopt-int64-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(assertBuilt);

const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const stack = (memory: string) => `version: "3.8"\nservices:\n  a:\n    image: nginx:1.27\n    deploy:\n      resources:\n        limits:\n          memory: ${JSON.stringify(memory)}\n`;

describe('sizes past an int64 of bytes', () => {
  it('sizeOverflow: 2^63 bytes and more, as go-units computes them (a float64 times the unit)', () => {
    for (const s of ['8589934592G', '8388608T', '8192P', '10445360463872G', '9223372036854775808', '9223372036854775807', '1e19', '0x1p63', '8_589_934_592g']) {
      expect(sizeRefusal(s), s).toBeNull();
      expect(sizeOverflow(s), s).toBe('8 EiB (2^63 bytes) or more, past the int64 docker reads a size into');
    }
    for (const s of ['8589934591G', '8191P', '9223372036854774784', '512m', '0', '-0', '1.5g', '0x1p62']) expect(sizeOverflow(s), s).toBeNull();
    // ParseFloat keeps 16 significant hex digits: a mantissa of zeros is 0, a long one times a tiny
    // power of two is about 1 (not Infinity times 0, NaN, which read as 8 EiB)
    for (const s of ['0x0p99999', `0x1.${'0'.repeat(300)}p0`, `0x${'f'.repeat(300)}p-1190`]) expect(sizeOverflow(s), s).toBeNull();
    expect(sizeOverflow(`0x${'f'.repeat(300)}p0`)).toBe('8 EiB (2^63 bytes) or more, past the int64 docker reads a size into');
    // past float64, ParseFloat's range error comes first (docker: "strconv.ParseFloat: parsing "1e400": value out of range")
    expect(sizeRefusal('1e400g')).toBe('strconv.ParseFloat: parsing "1e400": value out of range');
    expect(sizeRefusal('-1e400')).toBe('strconv.ParseFloat: parsing "-1e400": value out of range');
    expect(sizeRefusal('1e308g')).toBeNull();
    expect(MAX_DOCKER_BYTES).toBe(2 ** 63 - 1024);
  });

  it('lint reports a written size past it, for target swarm and compose (an integer within int64 is read as it is by compose)', () => {
    const lint = (text: string, target: 'swarm' | 'compose') =>
      lintProject({ files: [write(`s-${target}.yml`, text)], environment: {}, target }).findings.filter((f) => f.severity === 'error' && /8 EiB/.test(f.message)).map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);
    expect(lint(stack('10445360463872G'), 'swarm')).toEqual([
      '8:19 swarm-compat docker stack deploy rejects this file: services.a.deploy.resources.limits.memory is "10445360463872G", 8 EiB (2^63 bytes) or more, past the int64 docker reads a size into (docker stack deploy takes it as -9223372036854775808); write it as a string with a unit, such as "512M"',
    ]);
    expect(lint(stack('10445360463872G'), 'compose')).toEqual([
      '8:19 schema service "a" sets deploy.resources.limits.memory "10445360463872G", which docker compose cannot read as a size (8 EiB (2^63 bytes) or more, past the int64 docker reads a size into); write a number of bytes, or a number with a unit such as 512m, 1g or 1GB',
    ]);
    // strconv.ParseInt reads int64's largest; go-units (swarm) makes a float64 of it, 2^63
    expect(lint(stack('9223372036854775807'), 'compose')).toEqual([]);
    expect(lint(stack('9223372036854775807'), 'swarm')).toHaveLength(1);
    expect(lint(stack('8589934591G'), 'swarm')).toEqual([]);
    expect(lint(stack('8589934591G'), 'compose')).toEqual([]);
  });

  it.skipIf(!HAS_DOCKER)('docker stack config takes such a size without an error, as a negative number (one past float64 it refuses)', () => {
    const file = write('overflow.yml', stack('10445360463872G'));
    const r = spawnSync('docker', ['stack', 'config', '-c', file], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('memory: "-9223372036854775808"');
    // past float64 it refuses the file with ParseFloat's range error, which lint quotes
    const far = write('far.yml', stack('1e400g'));
    const refused = spawnSync('docker', ['stack', 'config', '-c', far], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('strconv.ParseFloat: parsing "1e400": value out of range');
    expect(lintProject({ files: [far], environment: {}, target: 'swarm' }).findings.filter((f) => f.severity === 'error' && f.message.includes('value out of range'))).toHaveLength(1);
  });
});

/** `docker stack config -c FILE` in the test's folder, with only these variables set. */
function stackConfig(file: string, vars: Record<string, string> = {}): { ok: boolean; out: string } {
  const r = spawnSync('docker', ['stack', 'config', '-c', file], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...vars } });
  if (r.error) throw new Error(`docker stack config did not run: ${r.error.message}`);
  return { ok: r.status === 0, out: r.status === 0 ? r.stdout : r.stderr };
}

/** Errors lint reports, as `line:col rule message`. */
const errorsOf = (file: string, target: 'swarm' | 'compose', environment: Record<string, string> = {}) =>
  lintProject({ files: [file], environment, target })
    .findings.filter((f) => f.severity === 'error' && (f.ruleId === 'schema' || f.ruleId === 'swarm-compat'))
    .map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`);

describe('whole numbers past int64 where docker parses one (strconv.ParseInt, strconv.Atoi)', () => {
  it('fitsInt64 and atoiRefusal: -2^63 to 2^63-1, told from the digits', () => {
    for (const s of ['0', '-0', '+7', '007', '9223372036854775807', '-9223372036854775808', '0009223372036854775807']) expect(fitsInt64(s), s).toBe(true);
    for (const s of ['9223372036854775808', '-9223372036854775809', '18446744073709551615', '99999999999999999999', '1' + '0'.repeat(400)]) expect(fitsInt64(s), s).toBe(false);
    expect(atoiRefusal('9223372036854775807')).toBeNull();
    expect(atoiRefusal('99999999999999999999')).toBe('strconv.Atoi: parsing "99999999999999999999": value out of range');
    expect(atoiRefusal('1e3')).toBe('strconv.Atoi: parsing "1e3": invalid syntax');
  });

  it('target compose: a size below int64 is refused as negative; a whole-number field past int64 is out of range', () => {
    // compose-go types/bytes.go, parseString: strconv.ParseInt(s, 10, 64), then go-units'
    // RAMInBytes, which refuses a negative size ("invalid size: '...'") and overflows from 2^63 up;
    // loader/interpolate.go casts ulimits and replicas with strconv.Atoi (its range error)
    const file = write('below.yml', [
      'services:',
      '  a:',
      '    image: nginx:1.27',
      '    mem_limit: "-99999999999999999999"',
      '    memswap_limit: "-9223372036854775809"',
      '    mem_reservation: "-9223372036854775808"',
      '    shm_size: "9223372036854775807"',
      '    ulimits:',
      '      nofile: "99999999999999999999"',
      '      nproc: "9223372036854775807"',
      '    deploy:',
      '      replicas: "9223372036854775808"',
      '',
    ].join('\n'));
    const advice = 'write a number of bytes, or a number with a unit such as 512m, 1g or 1GB';
    expect(errorsOf(file, 'compose')).toEqual([
      `4:16 schema service "a" sets mem_limit "-99999999999999999999", which docker compose cannot read as a size (invalid size: '-99999999999999999999'); ${advice}`,
      `5:20 schema service "a" sets memswap_limit "-9223372036854775809", which docker compose cannot read as a size (invalid size: '-9223372036854775809'); ${advice}`,
      '9:15 schema service "a" sets ulimits.nofile "99999999999999999999", which docker compose cannot read as a whole number (strconv.Atoi: parsing "99999999999999999999": value out of range); write a whole number, such as 2',
      '12:17 schema service "a" sets deploy.replicas "9223372036854775808", which docker compose cannot read as a whole number (strconv.Atoi: parsing "9223372036854775808": value out of range); write a whole number, such as 2',
    ]);
  });

  // docker stack config (docker CLI 28.2.2), `ulimits: {nofile: ${N}}` with N set:
  //   99999999999999999999  -> error while interpolating services.a.ulimits.nofile: failed to cast to expected type: strconv.Atoi: parsing "99999999999999999999": value out of range
  //   -9223372036854775809  -> the same, for "-9223372036854775809"
  //   18446744073709551615  -> the same, for "18446744073709551615"
  //   9223372036854775807   -> accepted: nofile: 9223372036854775807
  const CASTS: Array<[string, boolean]> = [
    ['99999999999999999999', false],
    ['-9223372036854775809', false],
    ['18446744073709551615', false],
    ['9223372036854775807', true],
    ['-9223372036854775808', true],
  ];
  it.skipIf(!ASK_DOCKER)('target swarm: a variable past int64 where docker casts a whole number is its cast error, at the value (docker stack config agrees)', () => {
    const file = write('cast.yml', 'version: "3.8"\nservices:\n  a:\n    image: nginx:1.27\n    ulimits:\n      nofile: ${N}\n');
    for (const [n, accepted] of CASTS) {
      const docker = stackConfig(file, { N: n });
      expect(docker.ok, n).toBe(accepted);
      if (accepted) expect(docker.out).toContain(`nofile: ${n}`);
      else expect(docker.out).toContain(`failed to cast to expected type: strconv.Atoi: parsing "${n}": value out of range`);
      const errors = errorsOf(file, 'swarm', { N: n });
      expect(errors.map((e) => e.split(' ')[0]), n).toEqual(accepted ? [] : ['6:15']);
      if (!accepted) expect(errors[0]).toContain('after interpolation, but docker stack deploy needs an integer there ("failed to cast to expected type")');
    }
  });
});

describe('a memory size a variable gives, target swarm: judged after interpolation, as docker stack deploy reads it', () => {
  // docker stack config (docker CLI 28.2.2) on `memory: "${MEM}"` (line 8, column 19), MEM set or
  // unset as given: `read` prints the size, `overflow` prints -9223372036854775808 (go-units'
  // float64 past int64, which the deploy then takes as a negative limit), `refused` is its error.
  const CASES: Array<{ memory?: string; mem?: string; docker: 'read' | 'overflow' | 'refused'; says: string }> = [
    { mem: '512m', docker: 'read', says: 'memory: "536870912"' },
    { mem: '8589934591G', docker: 'read', says: 'memory: "9223372035781033984"' },
    { mem: '99999999999999999999g', docker: 'overflow', says: 'memory: "-9223372036854775808"' },
    { mem: '10445360463872G', docker: 'overflow', says: 'memory: "-9223372036854775808"' },
    { mem: '99999999999999999999', docker: 'overflow', says: 'memory: "-9223372036854775808"' },
    { mem: '9223372036854775807', docker: 'overflow', says: 'memory: "-9223372036854775808"' },
    { mem: '1e400g', docker: 'refused', says: 'strconv.ParseFloat: parsing "1e400": value out of range' },
    { mem: '-99999999999999999999', docker: 'refused', says: "invalid size: '-99999999999999999999'" },
    { mem: '-1', docker: 'refused', says: "invalid size: '-1'" },
    { mem: '512 mega', docker: 'refused', says: "invalid suffix: 'mega'" },
    { docker: 'refused', says: "error decoding 'Deploy.Resources.Limits.memory': invalid size: ''" },
    { memory: '${MEM:-99999999999999999999g}', docker: 'overflow', says: 'memory: "-9223372036854775808"' },
    { memory: '${MEM:-512m}', docker: 'read', says: 'memory: "536870912"' },
  ];
  const fileOf = (c: (typeof CASES)[number], i: number) => write(`mem-${i}.yml`, stack(c.memory ?? '${MEM}'));
  const varsOf = (c: (typeof CASES)[number]): Record<string, string> => (c.mem === undefined ? {} : { MEM: c.mem });

  it.skipIf(!ASK_DOCKER)('docker stack config gives each answer of the table', () => {
    CASES.forEach((c, i) => {
      const r = stackConfig(fileOf(c, i), varsOf(c));
      expect(r.ok, JSON.stringify(c)).toBe(c.docker !== 'refused');
      expect(r.out, JSON.stringify(c)).toContain(c.says);
    });
  });

  it('lint: one error at the value where docker refuses the size or overflows it, none where it reads it', () => {
    CASES.forEach((c, i) => {
      const errors = errorsOf(fileOf(c, i), 'swarm', varsOf(c));
      expect(errors.map((e) => e.split(' ').slice(0, 2).join(' ')), JSON.stringify(c)).toEqual(c.docker === 'read' ? [] : ['8:19 swarm-compat']);
    });
    // unset: docker's own words, beside the interpolation warning
    const unset = lintProject({ files: [fileOf(CASES[10]!, 10)], environment: {}, target: 'swarm' }).findings.filter((f) => f.line === 8);
    expect(unset.map((f) => `${f.line}:${f.column} ${f.severity} ${f.ruleId} ${f.message}`)).toEqual([
      `8:19 error swarm-compat docker stack deploy rejects this file: services.a.deploy.resources.limits.memory is "\${MEM}", "" after interpolation, which is not a size docker reads (invalid size: ''); set the variable to a size docker reads, such as 512M`,
      '8:20 warning interpolation variable MEM is not set; it becomes an empty string',
    ]);
    // a default the file wrote is the file's own value: shown
    expect(errorsOf(fileOf(CASES[11]!, 11), 'swarm')).toEqual([
      '8:19 swarm-compat docker stack deploy rejects this file: services.a.deploy.resources.limits.memory is "${MEM:-99999999999999999999g}", "99999999999999999999g" after interpolation, 8 EiB (2^63 bytes) or more, past the int64 docker reads a size into (docker stack deploy takes it as -9223372036854775808); set the variable to a size docker reads, such as 512M',
    ]);
  });

  it('a value from the environment is never printed, nor docker\'s words that quote it, in any format', () => {
    const file = write('secret.yml', stack('${MEM}'));
    // a secret-looking value docker refuses, and a short one (below the redactor's length) past int64
    for (const [mem, what] of [
      ['sk_live_51Hx9QeLmN0pQ', 'which is not a size docker reads'],
      ['1e30g', '8 EiB (2^63 bytes) or more, past the int64 docker reads a size into (docker stack deploy takes it as -9223372036854775808)'],
    ] as const) {
      for (const format of ['stylish', 'json', 'sarif']) {
        const r = runCli(['lint', '--target', 'swarm', '--format', format, 'secret.yml'], dir, { MEM: mem });
        expect(r.status, format).toBe(1);
        expect(r.stdout + r.stderr, format).not.toContain(mem);
        const said = `services.a.deploy.resources.limits.memory is "\${MEM}" (a variable's value, not shown), ${what}`;
        expect(r.stdout, format).toContain(format === 'stylish' ? said : JSON.stringify(said).slice(1, -1));
      }
    }
    expect(errorsOf(file, 'swarm', { MEM: '1e30g' })).toHaveLength(1);
  });
});

/** A stack with one service that writes `lines` (indented for the service) from line 5. */
const service = (...lines: string[]) => `version: "3.8"\nservices:\n  a:\n    image: nginx:1.27\n${lines.map((l) => `    ${l}\n`).join('')}`;

describe('a number past float64 written bare (1e400) is a string to Go\'s YAML readers, not infinity', () => {
  // yaml.v3 and go.yaml.in/yaml/v4 (resolve.go): ParseInt, ParseUint and ParseFloat all fail on
  // `1e400` (a range error), so the plain scalar is a string; `.inf` is the one infinity.
  // docker stack config (docker CLI 28.2.2), one field each:
  const CASES: Array<{ name: string; text: string; at: string; docker: string | null; lint: string | null; compose: string | null }> = [
    {
      name: 'memory',
      text: service('deploy:', '  resources:', '    limits:', '      memory: 1e400'),
      at: '8:19',
      docker: 'strconv.ParseFloat: parsing "1e400": value out of range',
      lint: 'services.a.deploy.resources.limits.memory is not a size docker reads (strconv.ParseFloat: parsing "1e400": value out of range; found the string "1e400")',
      // compose-go types/bytes.go: ParseInt fails, go-units' ParseFloat says the same
      compose: 'service "a" sets deploy.resources.limits.memory "1e400", which docker compose cannot read as a size (strconv.ParseFloat: parsing "1e400": value out of range)',
    },
    // docker decodes shm_size as a string: it prints `shm_size: 1e400` and goes on (compose reads a size)
    { name: 'shm_size', text: service('shm_size: 1e400'), at: '5:15', docker: null, lint: null, compose: 'service "a" sets shm_size "1e400", which docker compose cannot read as a size (strconv.ParseFloat: parsing "1e400": value out of range)' },
    {
      name: 'tmpfs size',
      text: service('volumes:', '  - type: tmpfs', '    target: /t', '    tmpfs:', '      size: 1e400'),
      at: '9:17',
      docker: 'services.a.volumes.0.tmpfs.size must be a integer',
      lint: 'services.a.volumes.0.tmpfs.size must be an integer, not the string "1e400"',
      compose: 'service "a" sets volumes[0].tmpfs.size "1e400", which docker compose cannot read as a size (strconv.ParseFloat: parsing "1e400": value out of range)',
    },
    {
      name: 'ulimit',
      text: service('ulimits:', '  nofile: 1e400'),
      at: '6:15',
      docker: 'services.a.ulimits.nofile must be a integer',
      lint: 'services.a.ulimits.nofile must be a mapping or an integer, not the string "1e400"',
      // compose-go loader/interpolate.go casts a ulimit string with strconv.Atoi
      compose: 'service "a" sets ulimits.nofile "1e400", which docker compose cannot read as a whole number (strconv.Atoi: parsing "1e400": invalid syntax)',
    },
  ];

  it.skipIf(!ASK_DOCKER)('docker stack config gives each answer', () => {
    for (const c of CASES) {
      const r = stackConfig(write(`far-${c.name.replace(' ', '-')}.yml`, c.text));
      expect(r.ok, c.name).toBe(c.docker === null);
      expect(r.out, c.name).toContain(c.docker ?? '1e400');
    }
  });

  it('lint: the error docker gives, at the value, for each target; none where docker reads the string', () => {
    for (const c of CASES) {
      const file = write(`far-${c.name.replace(' ', '-')}.yml`, c.text);
      const swarm = errorsOf(file, 'swarm');
      expect(swarm.map((e) => e.split(' ')[0]), c.name).toEqual(c.lint === null ? [] : [c.at]);
      if (c.lint !== null) expect(swarm[0], c.name).toContain(c.lint);
      const compose = errorsOf(file, 'compose');
      expect(compose.map((e) => e.split(' ')[0]), c.name).toEqual([c.at]);
      expect(compose[0], c.name).toContain(c.compose!);
    }
  });

  it('.inf is still infinity, and a number of 400 digits a string', () => {
    // docker stack config refuses `shm_size: .inf` ("json: unsupported value: +Inf"): a number, not a string
    expect(errorsOf(write('inf.yml', service('shm_size: .inf')), 'swarm')).toEqual([expect.stringContaining('5:15 swarm-compat docker stack deploy rejects this file: services.a.shm_size is the number Infinity')]);
    const digits = `1${'0'.repeat(400)}`;
    const file = write('digits.yml', service('shm_size: ' + digits));
    expect(errorsOf(file, 'compose')).toEqual([
      `5:15 schema service "a" sets shm_size "${digits}", which docker compose cannot read as a size (strconv.ParseFloat: parsing "${digits}": value out of range); write a number of bytes, or a number with a unit such as 512m, 1g or 1GB`,
    ]);
  });
});

describe('a tmpfs size written as a number past int64, a ulimit as a number that is no Go int', () => {
  // Go's YAML readers make a number past int64 a uint64 (up to 2^64-1, no sign) or a float64, and
  // `1e3` or `1000.0` a float64 (within int64 docker converts it for a tmpfs size, not a ulimit). docker
  // stack config (docker CLI 28.2.2), one field each; `takes` is what it prints, `refuses` its error:
  const TMPFS: Array<[string, string, 'overflow' | 'read']> = [
    ['99999999999999999999', '-9223372036854775808', 'overflow'],
    ['1e30', '-9223372036854775808', 'overflow'],
    ['9223372036854775808', '-9223372036854775808', 'overflow'],
    ['18446744073709551615', '-1', 'overflow'],
    ['9223372036854775807', '9223372036854775807', 'read'],
    ['1e18', '1000000000000000000', 'read'],
  ];
  const ULIMITS: Array<[string, string, string | null]> = [
    ['nofile: 99999999999999999999', '6:15', 'invalid type float64 for ulimits'],
    ['nofile: 9223372036854775808', '6:15', 'invalid type uint64 for ulimits'],
    ['nofile: -1e19', '6:15', 'invalid type float64 for ulimits'],
    ['nofile: {soft: 99999999999999999999, hard: 10}', '6:22', 'panic: interface conversion: interface {} is float64, not int'],
    ['nofile: 1e3', '6:15', 'invalid type float64 for ulimits'],
    ['nofile: 1000.0', '6:15', 'invalid type float64 for ulimits'],
    ['nofile: {soft: 1024, hard: -1e3}', '6:34', 'panic: interface conversion: interface {} is float64, not int'],
    ['nofile: 9223372036854775807', '6:15', null],
    ['nofile: -1', '6:15', null],
  ];
  const tmpfsFile = (size: string, i: number) => write(`tmpfs-${i}.yml`, service('volumes:', '  - type: tmpfs', '    target: /t', '    tmpfs:', `      size: ${size}`));
  const ulimitFile = (line: string, i: number) => write(`ulimit-${i}.yml`, service('ulimits:', `  ${line}`));

  it.skipIf(!ASK_DOCKER)('docker stack config gives each answer', () => {
    TMPFS.forEach(([size, takes], i) => {
      const r = stackConfig(tmpfsFile(size, i));
      expect(r.ok, size).toBe(true);
      expect(r.out, size).toContain(`size: ${takes}\n`);
    });
    ULIMITS.forEach(([line, , refuses], i) => {
      const r = stackConfig(ulimitFile(line, i));
      expect(r.ok, line).toBe(refuses === null);
      if (refuses) expect(r.out, line).toContain(refuses);
    });
  });

  it('target swarm: a tmpfs size past int64 is an error at it saying what docker takes it as; a ulimit one at it with what docker says', () => {
    TMPFS.forEach(([size, takes, docker], i) => {
      expect(errorsOf(tmpfsFile(size, i), 'swarm'), size).toEqual(
        docker === 'overflow' ? [`9:17 swarm-compat docker stack deploy rejects this file: services.a.volumes[0].tmpfs.size is ${size}, 8 EiB (2^63 bytes) or more, past the int64 docker reads a size into (docker stack deploy takes it as ${takes}); write a number of bytes below 2^63`] : [],
      );
    });
    ULIMITS.forEach(([line, at, refuses], i) => {
      const errors = errorsOf(ulimitFile(line, i), 'swarm');
      expect(errors.map((e) => e.split(' ')[0]), line).toEqual(refuses ? [at] : []);
      const type = /uint64/.test(refuses ?? '') ? 'uint64' : 'float64';
      const why = `a ${type} to Go's YAML reader (${type === 'uint64' ? 'past int64' : 'written as a float, or past int64'}), not the int docker reads a ulimit into`;
      if (refuses) expect(errors[0], line).toContain(`${why}, which docker refuses (${refuses.startsWith('panic') ? `docker stack deploy stops with a panic: "${refuses.slice(7)}"` : `"${refuses}"`}); write a whole number in digits only, within int64 (below 2^63), or -1 for no limit`);
    });
  });

  it('target compose: such a ulimit is refused (compose-go), a tmpfs size read as it is', () => {
    // compose-go transform/ulimits.go takes only an int or a mapping ("services.a.ulimits.nofile:
    // invalid type float64 for external"), and types.UlimitsConfig reads soft and hard as ints (a
    // panic on another type); a size (types/bytes.go DecodeMapstructure) of another type is left 0
    ULIMITS.forEach(([line, at, refuses], i) => {
      const errors = errorsOf(ulimitFile(line, i), 'compose');
      expect(errors.map((e) => e.split(' ')[0]), line).toEqual(refuses ? [at] : []);
    });
    expect(errorsOf(ulimitFile(ULIMITS[0]![0], 0), 'compose')).toEqual([
      '6:15 schema service "a" sets ulimits.nofile 99999999999999999999, a float64 to Go\'s YAML reader (written as a float, or past int64), not the int docker reads a ulimit into, which docker compose refuses ("services.a.ulimits.nofile: invalid type float64 for external"); write a whole number in digits only, within int64 (below 2^63), or -1 for no limit',
    ]);
    expect(errorsOf(ulimitFile(ULIMITS[3]![0], 3), 'compose')[0]).toContain('it stops with a panic: "interface conversion: interface {} is float64, not int"');
    TMPFS.forEach(([size], i) => expect(errorsOf(tmpfsFile(size, i), 'compose'), size).toEqual([]));
  });
});

describe('fix --usage writes no size or CPUs docker cannot hold', () => {
  const profile = JSON.parse(readFileSync(join(repoRoot, 'examples/monitoring/usage.json'), 'utf8'));
  const stackFile = readFileSync(join(repoRoot, 'examples/monitoring/stack.yml'), 'utf8');

  it('a peak just within the profile bounds sizes the service by its preset, with the reason', () => {
    const p = structuredClone(profile);
    for (const s of Object.values(p.services) as Array<Record<string, any>>) {
      s.memory.max = 9e18;
      for (const d of s.daily) d.memoryPeak = 9e18;
    }
    write('stack.yml', stackFile);
    write('edge.json', JSON.stringify(p));
    const r = runCli(['fix', 'stack.yml', '--usage', 'edge.json', '--unsafe', '--diff'], dir, { NO_COLOR: '1' });
    expect(r.status).toBe(0);
    // the preset's sizes, none from the profile
    expect(r.stdout.match(/^\+ +memory: .*$/gm)).toEqual(['+          memory: 1G', '+          memory: 512M', '+          memory: 1G', '+          memory: 512M', '+          memory: 2G', '+          memory: 1G']);
    expect(r.stderr).toContain('not from usage: a memory limit for "prometheus" from its peak 8381903172Gi would be more than docker holds (an int64 of bytes, just under 8 EiB)');
    expect(r.stderr).toContain('usage  edge.json: 0 of 3 services sized from what they used; by preset: prometheus (a memory limit for "prometheus"');
  });

  it('a profile past the bounds is refused with its file, line and column (exit 2)', () => {
    const p = structuredClone(profile);
    p.services['monitoring/prometheus'].memory.max = 1e308;
    write('huge.json', JSON.stringify(p, null, 1));
    const r = runCli(['fix', 'stack.yml', '--usage', 'huge.json', '--unsafe', '--diff'], dir, { NO_COLOR: '1' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('stackopt: huge.json:52:12: services["monitoring/prometheus"].memory.max is more bytes than docker holds: at most 9223372036854774784 (just under 8 EiB: docker holds a size in an int64)\n');
  });

  it('a sizing class past what docker holds is a configuration error', () => {
    expect(() => resolveSizing('default', { database: { memory: '10445360463872G' } })).toThrow('sizing.database.memory: "10445360463872G" is more than docker holds (an int64 of bytes, just under 8 EiB)');
    expect(() => resolveSizing('default', { database: { cpus: 1e10 } })).toThrow('sizing.database.cpus: "10000000000" is more CPUs than docker holds (at most 9223372036.854)');
    expect(resolveSizing('default', { database: { memory: '8589934591G', cpus: '9223372036.854' } }).table.database).toEqual({ cpus: 9223372036.854, memory: 8589934591 * 1024 ** 3 });
  });
});
