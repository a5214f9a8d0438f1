import { describe, expect, it } from 'vitest';
import { CORE_HOST_ENV } from '../shared/process-contract';
import { readCoreHostConfig } from './core-host-config';

const env = (dataDir: string | undefined, serverUrl: string | undefined) => ({
  [CORE_HOST_ENV.dataDir]: dataDir,
  [CORE_HOST_ENV.serverUrl]: serverUrl,
});

describe('readCoreHostConfig', () => {
  it('reads the data dir and server URL main passed', () => {
    expect(readCoreHostConfig(env('/home/u/.config/janix/replica', 'http://127.0.0.1:4000'))).toEqual({
      dataDir: '/home/u/.config/janix/replica',
      serverUrl: 'http://127.0.0.1:4000',
      devMailboxSecret: null,
    });
  });

  it.each([
    [undefined, 'http://127.0.0.1:4000', CORE_HOST_ENV.dataDir],
    ['', 'http://127.0.0.1:4000', CORE_HOST_ENV.dataDir],
    ['relative/replica', 'http://127.0.0.1:4000', CORE_HOST_ENV.dataDir],
    ['/data', undefined, CORE_HOST_ENV.serverUrl],
    ['/data', 'not a url', CORE_HOST_ENV.serverUrl],
    ['/data', 'file:///etc/passwd', CORE_HOST_ENV.serverUrl],
    ['/data', 'javascript:alert(1)', CORE_HOST_ENV.serverUrl],
    ['/data', 'http://example.com', CORE_HOST_ENV.serverUrl],
  ])('rejects dataDir=%j serverUrl=%j, naming %s', (dataDir, serverUrl, name) => {
    expect(() => readCoreHostConfig(env(dataDir, serverUrl))).toThrow(name);
  });
});
