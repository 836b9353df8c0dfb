import { describe, expect, it } from 'vitest';
import { portMovingWord, startedPrograms } from '../../src/model/command.js';

describe('portMovingWord', () => {
  const word = (command: string[] | string) => portMovingWord({ entrypoint: null, command });
  it('finds a port option or setting and a configuration file', () => {
    for (const c of [['redis-server', '--port', '6380'], ['mysqld', '--port=3307'], ['postgres', '-p', '5433'], ['postgres', '-c', 'port=5433'], ['redis-server', '--tls-port', '6380'], 'valkey-server /etc/valkey.conf', ['mongod', '--config', '/etc/mongod.yaml']]) {
      expect(word(c), JSON.stringify(c)).not.toBeNull();
    }
  });
  it('not words that merely hold the letters', () => {
    for (const c of [['python', 'import_data.py'], ['app', '--report', 'daily'], ['run', 'transport'], ['redis-server', '--appendonly', 'yes']]) {
      expect(word(c), JSON.stringify(c)).toBeNull();
    }
  });
});

describe('startedPrograms', () => {
  it('a command of 300,000 lines, each starting a program: every program, no stack overflow (they were spread into one call)', () => {
    const script = Array.from({ length: 300_000 }, (_, i) => `echo line ${i}`).join('\n');
    const programs = startedPrograms({ entrypoint: null, command: ['sh', '-c', script] });
    expect(programs).toHaveLength(300_001);
    expect(programs!.slice(0, 3)).toEqual(['sh', 'echo', 'echo']);
    expect(startedPrograms({ entrypoint: null, command: script })).toHaveLength(300_000);
  });
});
