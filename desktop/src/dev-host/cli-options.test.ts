import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL, defaultDataDir, parseDevHostOptions, UsageError } from './cli-options.ts';

const system = { platform: 'linux' as const, home: '/home/ana', cwd: '/work' };

describe('parseDevHostOptions', () => {
  it('reads flags, in both `--flag value` and `--flag=value` forms', () => {
    expect(
      parseDevHostOptions(
        ['--data-dir', 'data', '--server=https://10.0.0.2:4000', '--port', '5173'],
        {},
        system,
      ),
    ).toEqual({
      dataDir: '/work/data',
      serverUrl: 'https://10.0.0.2:4000',
      port: 5173,
      devMailboxSecret: null,
    });
  });

  it('falls back to the environment, then to defaults', () => {
    expect(
      parseDevHostOptions(
        [],
        {
          JANIX_CONSOLE_DATA_DIR: '/tmp/c',
          JANIX_SERVER_URL: 'https://janix.example',
          JANIX_CONSOLE_PORT: '7000',
          JANIX_DEV_MAILBOX_SECRET: 'per-run',
        },
        system,
      ),
    ).toEqual({
      dataDir: '/tmp/c',
      serverUrl: 'https://janix.example',
      port: 7000,
      devMailboxSecret: 'per-run',
    });
    expect(parseDevHostOptions([], {}, system)).toEqual({
      dataDir: '/home/ana/.local/share/janix/console',
      serverUrl: DEFAULT_SERVER_URL,
      port: 0,
      devMailboxSecret: null,
    });
  });

  it('prefers flags over the environment', () => {
    expect(parseDevHostOptions(['--port', '1'], { JANIX_CONSOLE_PORT: '2' }, system).port).toBe(1);
  });

  it.each([
    [['--bogus']],
    [['--port']],
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--port', '-1']],
    [['--server', 'not a url']],
    [['--server', 'file:///etc/passwd']],
  ])('refuses %j', (argv) => {
    expect(() => parseDevHostOptions(argv, {}, system)).toThrow(UsageError);
  });

  it.each(['http://example.com', 'http://10.0.0.2:4000', 'http://janix.example.org/'])(
    'refuses %s: tokens would cross the network unencrypted',
    (server) => {
      expect(() => parseDevHostOptions(['--server', server], {}, system)).toThrow(/must use https:\/\//);
      expect(() => parseDevHostOptions([], { JANIX_SERVER_URL: server }, system)).toThrow(UsageError);
    },
  );

  it.each(['http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000', 'https://janix.example'])(
    'accepts %s',
    (server) => {
      expect(parseDevHostOptions(['--server', server], {}, system).serverUrl).toBe(server);
    },
  );
});

describe('defaultDataDir', () => {
  it('follows each OS convention', () => {
    expect(defaultDataDir('linux', '/home/ana', { XDG_DATA_HOME: '/data' })).toBe('/data/janix/console');
    expect(defaultDataDir('linux', '/home/ana', { XDG_DATA_HOME: 'relative' })).toBe(
      '/home/ana/.local/share/janix/console',
    );
    expect(defaultDataDir('darwin', '/Users/ana', {})).toBe(
      '/Users/ana/Library/Application Support/Janix/console',
    );
    expect(
      defaultDataDir('win32', 'C:\\Users\\ana', { LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' }),
    ).toBe('C:\\Users\\ana\\AppData\\Local\\Janix\\console');
  });
});
