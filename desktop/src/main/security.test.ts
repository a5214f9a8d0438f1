import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  externalUrlToOpen,
  isAppUrl,
  isPathInside,
  isPermissionGranted,
  isSameOrigin,
  rendererFileForUrl,
  type PathFunctions,
} from './security';

describe('isAppUrl', () => {
  it.each([APP_ENTRY_URL, 'app://janix/', 'app://janix/assets/index-abc.js?v=1#x', 'app://JANIX/index.html'])(
    'accepts %s',
    (url) => expect(isAppUrl(url)).toBe(true),
  );

  it.each([
    'app://x/../../etc/passwd',
    'app://janix.evil.com/',
    'app://evil.com/janix',
    'app://janix:8080/',
    'app://user@janix/',
    'app://user:pass@janix/',
    'app:janix/index.html',
    'app:///index.html',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'javascript://app://janix/%0aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'blob:app://janix/uuid',
    'https://janix/',
    'http://127.0.0.1:4000/',
    'about:blank',
    '',
    'not a url',
  ])('refuses %s', (url) => expect(isAppUrl(url)).toBe(false));
});

describe('isSameOrigin', () => {
  const server = 'http://127.0.0.1:4000';
  it('matches scheme, host and port', () => {
    expect(isSameOrigin('http://127.0.0.1:4000/trpc/x', server)).toBe(true);
  });
  it.each([
    'http://127.0.0.1.evil.com:4000/',
    'http://127.0.0.1:4000@evil.com/',
    'http://evil.com#@127.0.0.1:4000',
    'http://127.0.0.1:40000/',
    'http://127.0.0.1/',
    'https://127.0.0.1:4000/',
    'http://[::1]:4000/',
    'http://localhost:4000/',
    'ws://127.0.0.1:4000/',
  ])('refuses %s', (url) => expect(isSameOrigin(url, server)).toBe(false));
});

describe('externalUrlToOpen', () => {
  it.each([
    ['https://example.com/docs?a=1#b', 'https://example.com/docs?a=1#b'],
    ['http://example.com', 'http://example.com/'],
    ['HTTPS://EXAMPLE.COM/A', 'https://example.com/A'],
    ['https://127.0.0.1.evil.com/', 'https://127.0.0.1.evil.com/'],
  ])('opens %s as %s', (raw, expected) => expect(externalUrlToOpen(raw)).toBe(expected));

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'file:///etc/passwd',
    'file://server/share/evil.exe',
    '\\\\server\\share\\evil.exe',
    '//server/share',
    'smb://server/share',
    'ms-msdt:/id PCWDiagnostic',
    'search-ms:query=x',
    'mailto:a@example.com',
    'app://janix/index.html',
    'data:text/html,hi',
    'https://user:pass@example.com/',
    'https://trusted.example@evil.example/',
    'https://',
    `https://example.com/${'a'.repeat(9000)}`,
    '',
  ])('refuses %j', (raw) => expect(externalUrlToOpen(raw)).toBeNull());

  it('honours a narrower allowlist', () => {
    expect(externalUrlToOpen('http://example.com/', ['https:'])).toBeNull();
  });
});

describe('isPermissionGranted', () => {
  it('denies everything while the allowlist is empty', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      expect(isPermissionGranted(permission, APP_ENTRY_URL)).toBe(false);
    }
  });
  it('grants the camera alone to the app, for scanning tickets: never the microphone', () => {
    expect(isPermissionGranted('media', APP_ENTRY_URL, undefined, ['video'])).toBe(true);
    expect(isPermissionGranted('media', APP_ENTRY_URL, undefined, ['video', 'audio'])).toBe(false);
    expect(isPermissionGranted('media', APP_ENTRY_URL, undefined, ['audio'])).toBe(false);
    expect(isPermissionGranted('media', APP_ENTRY_URL, undefined, ['unknown'])).toBe(false);
    expect(isPermissionGranted('media', APP_ENTRY_URL, undefined, [])).toBe(false);
    expect(isPermissionGranted('media', 'https://evil.example/', undefined, ['video'])).toBe(false);
  });
  it('grants an allowlisted permission to the app origin only', () => {
    const allowed = new Set(['notifications']);
    expect(isPermissionGranted('notifications', APP_ENTRY_URL, allowed)).toBe(true);
    expect(isPermissionGranted('notifications', 'https://evil.example/', allowed)).toBe(false);
    expect(isPermissionGranted('notifications', 'app://janix.evil/', allowed)).toBe(false);
    expect(isPermissionGranted('media', APP_ENTRY_URL, allowed)).toBe(false);
  });
});

describe('isPathInside', () => {
  it.each([
    [path.posix, '/app/dist/renderer', '/app/dist/renderer/assets/x.js', true],
    [path.posix, '/app/dist/renderer', '/app/dist/renderer/..foo', true],
    [path.posix, '/app/dist/renderer', '/app/dist/renderer', false],
    [path.posix, '/app/dist/renderer', '/app/dist/renderer/../main/index.cjs', false],
    [path.posix, '/app/dist/renderer', '/app/dist/renderer-evil/x', false],
    [path.posix, '/app/dist/renderer', '/etc/passwd', false],
    [path.win32, 'C:\\app\\renderer', 'C:\\app\\renderer\\assets\\x.js', true],
    [path.win32, 'C:\\app\\renderer', 'c:\\APP\\renderer\\x.js', true],
    [path.win32, 'C:\\app\\renderer', 'C:\\app\\renderer\\..\\main', false],
    [path.win32, 'C:\\app\\renderer', 'D:\\app\\renderer\\x.js', false],
    [path.win32, 'C:\\app\\renderer', '\\\\evil\\share\\x.js', false],
    [path.win32, 'C:\\app\\renderer', '\\\\?\\C:\\Windows\\win.ini', false],
    [path.win32, '\\\\server\\share\\renderer', '\\\\server\\share\\renderer\\x.js', true],
    [path.win32, '\\\\server\\share\\renderer', '\\\\server\\other\\renderer\\x.js', false],
  ] as [PathFunctions, string, string, boolean][])(
    '%#: %s contains %s: %s',
    (api, root, candidate, inside) => {
      expect(isPathInside(root, candidate, api)).toBe(inside);
    },
  );
});

describe('rendererFileForUrl', () => {
  const posixRoot = '/app/dist/renderer';
  const files = new Set(['/app/dist/renderer/index.html', '/app/dist/renderer/assets/index-abc.js']);
  const posix = { root: posixRoot, path: path.posix, isFile: (p: string) => files.has(p) };

  it('serves files under the root and index.html for the root and client-side routes', () => {
    expect(rendererFileForUrl('app://janix/', posix)).toBe('/app/dist/renderer/index.html');
    expect(rendererFileForUrl(APP_ENTRY_URL, posix)).toBe('/app/dist/renderer/index.html');
    expect(rendererFileForUrl('app://janix/assets/index-abc.js?v=2', posix)).toBe(
      '/app/dist/renderer/assets/index-abc.js',
    );
    expect(rendererFileForUrl('app://janix/events/42', posix)).toBe('/app/dist/renderer/index.html');
  });

  it('answers null for missing files that look like assets', () => {
    expect(rendererFileForUrl('app://janix/assets/missing.js', posix)).toBeNull();
  });

  it.each([
    'app://x/../../etc/passwd',
    'app://evil/index.html',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app://janix/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://janix/..%2f..%2fetc%2fpasswd',
    'app://janix/assets/..%2f..%2f..%2fmain%2findex.cjs',
    'app://janix/%2e%2e%5c%2e%2e%5cwindows%5cwin.ini',
    'app://janix/..%5c..%5cetc%5cpasswd',
    'app://janix/%5c%5cevil%5cshare%5cx.js',
    'app://janix/C:%5cWindows%5cwin.ini',
    'app://janix/C:/Windows/win.ini',
    'app://janix/index.html%00.png',
    'app://janix/%E0%A4%A',
    'app://janix/%252e%252e/%252e%252e/etc/passwd.js',
  ])('refuses %s', (url) => {
    expect(rendererFileForUrl(url, posix)).toBeNull();
  });

  it('keeps URL-normalised dot segments inside the root', () => {
    for (const url of [
      'app://janix/../../etc/passwd',
      'app://janix/%2e%2e/%2e%2e/etc/passwd',
      'app://janix/a/./../b',
    ]) {
      const file = rendererFileForUrl(url, { ...posix, isFile: () => true });
      expect(file).not.toBeNull();
      expect(isPathInside(posixRoot, file ?? '', path.posix)).toBe(true);
    }
  });

  it('applies the same rules with Windows paths', () => {
    const win = { root: 'C:\\app\\renderer', path: path.win32, isFile: () => true };
    expect(rendererFileForUrl('app://janix/assets/x.js', win)).toBe('C:\\app\\renderer\\assets\\x.js');
    for (const url of [
      'app://janix/..%5c..%5cWindows%5cwin.ini',
      'app://janix/%5c%5cevil%5cshare%5cx.js',
      'app://janix/C:%5cWindows%5cwin.ini',
      'app://janix/D:/x.js',
      'app://janix/index.html::$DATA',
    ]) {
      expect(rendererFileForUrl(url, win)).toBeNull();
    }
  });
});
