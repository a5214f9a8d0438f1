import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElectronBinary, type ElectronBinaryDeps } from './electron-binary';

const electronDir = path.join('/repo', 'node_modules', 'electron');

function deps(
  files: Record<string, string>,
  overrides: Partial<ElectronBinaryDeps> = {},
): ElectronBinaryDeps {
  return {
    resolveElectronPackageJson: () => path.join(electronDir, 'package.json'),
    exists: (file) => file in files,
    readText: (file) => files[file] ?? '',
    env: {},
    ...overrides,
  };
}

describe('findElectronBinary', () => {
  it('finds the binary named in path.txt under dist', () => {
    const binary = path.join(electronDir, 'dist', 'electron');
    const result = findElectronBinary(
      deps({ [path.join(electronDir, 'path.txt')]: 'electron\n', [binary]: '' }),
    );
    expect(result).toEqual({ path: binary });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const binary = path.join('/opt/electron', 'electron');
    const result = findElectronBinary(
      deps(
        { [path.join(electronDir, 'path.txt')]: 'electron', [binary]: '' },
        { env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' } },
      ),
    );
    expect(result).toEqual({ path: binary });
  });

  it('says so when the package is not installed', () => {
    const result = findElectronBinary(
      deps(
        {},
        {
          resolveElectronPackageJson: () => {
            throw new Error('Cannot find module');
          },
        },
      ),
    );
    expect(result).toEqual({ missing: expect.stringContaining('not installed') });
  });

  it('says so when the download never happened', () => {
    expect(findElectronBinary(deps({}))).toEqual({ missing: expect.stringContaining('never downloaded') });
  });

  it('says so when the download is incomplete', () => {
    expect(findElectronBinary(deps({ [path.join(electronDir, 'path.txt')]: '  ' }))).toEqual({
      missing: expect.stringContaining('empty'),
    });
    expect(findElectronBinary(deps({ [path.join(electronDir, 'path.txt')]: 'electron' }))).toEqual({
      missing: expect.stringContaining('incomplete'),
    });
  });

  it('reports this machine truthfully with the real file system', () => {
    const result = findElectronBinary();
    expect('path' in result || 'missing' in result).toBe(true);
  });
});
