import { describe, expect, it } from 'vitest';
import { contentTypeFor } from './renderer-content-types';

describe('contentTypeFor', () => {
  it.each([
    ['/r/index.html', 'text/html; charset=utf-8'],
    ['/r/assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['C:\\r\\assets\\STYLE.CSS', 'text/css; charset=utf-8'],
    ['/r/assets/font.woff2', 'font/woff2'],
    ['/r/v1.2/LICENSE', 'application/octet-stream'],
    ['/r/noextension', 'application/octet-stream'],
  ])('%s is %s', (file, type) => expect(contentTypeFor(file)).toBe(type));
});
