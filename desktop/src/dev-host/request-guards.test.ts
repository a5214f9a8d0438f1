import { describe, expect, it } from 'vitest';
import { isAllowedHost, isAllowedTrpcRequest } from './request-guards.ts';

describe('isAllowedHost', () => {
  it('accepts the loopback address and localhost with the right port', () => {
    expect(isAllowedHost('127.0.0.1:4321', 4321)).toBe(true);
    expect(isAllowedHost('localhost:4321', 4321)).toBe(true);
    expect(isAllowedHost('LOCALHOST:4321', 4321)).toBe(true);
  });

  it('refuses other names, ports and missing headers (DNS rebinding)', () => {
    expect(isAllowedHost('evil.example:4321', 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1.nip.io:4321', 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1', 4321)).toBe(false);
    expect(isAllowedHost('localhost', 4321)).toBe(false);
    expect(isAllowedHost('127.0.0.1:4322', 4321)).toBe(false);
    expect(isAllowedHost('[::1]:4321', 4321)).toBe(false);
    expect(isAllowedHost('', 4321)).toBe(false);
    expect(isAllowedHost(undefined, 4321)).toBe(false);
  });
});

describe('isAllowedTrpcRequest', () => {
  const port = 4321;
  const check = (host: string | undefined, origin?: string, secFetchSite?: string) =>
    isAllowedTrpcRequest({ host, origin, secFetchSite }, port);

  it('accepts requests from its own origin, under either host name', () => {
    expect(check('127.0.0.1:4321', 'http://127.0.0.1:4321', 'same-origin')).toBe(true);
    expect(check('localhost:4321', 'http://localhost:4321')).toBe(true);
  });

  it('accepts requests without Origin (same-origin GETs, curl)', () => {
    expect(check('127.0.0.1:4321')).toBe(true);
    expect(check('127.0.0.1:4321', undefined, 'none')).toBe(true);
  });

  it('refuses other origins (CSRF)', () => {
    expect(check('127.0.0.1:4321', 'http://evil.example')).toBe(false);
    expect(check('127.0.0.1:4321', 'https://127.0.0.1:4321')).toBe(false);
    expect(check('127.0.0.1:4321', 'http://127.0.0.1:4322')).toBe(false);
    expect(check('127.0.0.1:4321', 'http://localhost:4321')).toBe(false);
    expect(check('127.0.0.1:4321', 'null')).toBe(false);
  });

  it('refuses requests a browser marks as cross-site even without Origin', () => {
    expect(check('127.0.0.1:4321', undefined, 'cross-site')).toBe(false);
    expect(check('127.0.0.1:4321', undefined, 'same-site')).toBe(false);
  });

  it('refuses a foreign Host even with a matching Origin', () => {
    expect(check('evil.example:4321', 'http://evil.example:4321')).toBe(false);
  });
});
