import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInsideRoot, resolveStaticFile } from './static-files.ts';

const root = path.resolve('/srv/renderer');
const files = new Set([path.join(root, 'index.html'), path.join(root, 'assets', 'index-abc.js')]);
const isFile = (filePath: string) => files.has(filePath);
const resolve = (pathname: string) => resolveStaticFile(root, pathname, isFile);

describe('resolveStaticFile', () => {
  it('serves index.html for / and existing files as themselves', () => {
    expect(resolve('/')).toEqual({ kind: 'file', filePath: path.join(root, 'index.html') });
    expect(resolve('/assets/index-abc.js')).toEqual({
      kind: 'file',
      filePath: path.join(root, 'assets', 'index-abc.js'),
    });
  });

  it('falls back to index.html for client routes, but not for missing assets', () => {
    expect(resolve('/events/123')).toEqual({ kind: 'file', filePath: path.join(root, 'index.html') });
    expect(resolve('/assets/missing.js')).toEqual({ kind: 'not-found' });
  });

  it.each([
    '/../../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E/etc/passwd',
    '/assets/%2e%2e%2f%2e%2e%2fetc/passwd',
    '/..%2f..%2fetc%2fpasswd',
    '/..%5c..%5cetc%5cpasswd',
    '/%00index.html',
    '/C:%5cWindows',
    '/%zz',
  ])('refuses %s', (pathname) => {
    expect(resolve(pathname)).toEqual({ kind: 'bad-request' });
  });
});

describe('isInsideRoot', () => {
  it('accepts the root and paths below it', () => {
    expect(isInsideRoot(root, root)).toBe(true);
    expect(isInsideRoot(root, path.join(root, 'a', 'b.js'))).toBe(true);
    expect(isInsideRoot(root, path.join(root, '..foo'))).toBe(true);
  });

  it('refuses siblings and parents', () => {
    expect(isInsideRoot(root, path.resolve(root, '..'))).toBe(false);
    expect(isInsideRoot(root, path.resolve(root, '..', 'renderer-other', 'x'))).toBe(false);
    expect(isInsideRoot(root, '/etc/passwd')).toBe(false);
  });
});
