// Used by launcher scripts (run with tsx, before any Electron exists), never bundled into main: it relies on
// import.meta.url. Mirrors how the electron package's own index.js finds its binary, but reports why it is
// missing instead of throwing, so a launcher can fall back to the browser and say what to fix.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ElectronBinaryDeps {
  /** Absolute path of electron's package.json as the desktop package resolves it; throws if not installed. */
  resolveElectronPackageJson: () => string;
  exists: (filePath: string) => boolean;
  readText: (filePath: string) => string;
  env: Readonly<Record<string, string | undefined>>;
}

const desktopPackageJson = fileURLToPath(new URL('../../package.json', import.meta.url));

const defaultDeps: ElectronBinaryDeps = {
  resolveElectronPackageJson: () => createRequire(desktopPackageJson).resolve('electron/package.json'),
  exists: existsSync,
  readText: (filePath) => readFileSync(filePath, 'utf8'),
  env: process.env,
};

export function findElectronBinary(
  deps: ElectronBinaryDeps = defaultDeps,
): { path: string } | { missing: string } {
  let electronDir: string;
  try {
    electronDir = path.dirname(deps.resolveElectronPackageJson());
  } catch {
    return { missing: 'the electron package is not installed for @janix/desktop (run npm install)' };
  }
  const pathFile = path.join(electronDir, 'path.txt');
  if (!deps.exists(pathFile)) {
    return {
      missing:
        `${pathFile} does not exist: the Electron binary was never downloaded ` +
        '(offline install, or ELECTRON_SKIP_BINARY_DOWNLOAD was set); see scripts/fetch-electron.mjs',
    };
  }
  const executable = deps.readText(pathFile).trim();
  if (executable === '') return { missing: `${pathFile} is empty: the Electron download did not finish` };
  // Same override the electron package honours, for binaries provided outside node_modules.
  const distDir = deps.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(electronDir, 'dist');
  const binary = path.join(distDir, executable);
  if (!deps.exists(binary)) {
    return { missing: `${binary} does not exist: the Electron download is incomplete (reinstall electron)` };
  }
  return { path: binary };
}
