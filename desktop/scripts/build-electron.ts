// Bundles the three Electron entries next to the Vite-built renderer (dist/renderer):
//   dist/main/index.cjs       Electron main
//   dist/preload/index.cjs    sandboxed preload: one self-contained file, only `electron` may be required
//   dist/core-host/index.cjs  utilityProcess running @janix/local-core; native modules stay external
// Paths come from this file's location, so it runs from the repo root or from desktop/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const desktopDir = fileURLToPath(new URL('..', import.meta.url));
const fromDesktop = (...segments: string[]): string => path.join(desktopDir, ...segments);

// Electron 38 ships Node 22 and Chromium 140.
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome140';

/**
 * Always external for the core host, whatever the detection below says: native modules, and pdfkit, whose
 * ESM build finds its font and colour-profile files through import.meta.url, which a CJS bundle breaks
 * (ERR_INVALID_URL at load).
 */
const KNOWN_NATIVE_PACKAGES = ['better-sqlite3', 'pdfkit'];

function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Walks up from a resolved file to the package.json of the package that owns it. */
function packageDirOf(resolvedFile: string, name: string): string | null {
  let dir = path.dirname(resolvedFile);
  while (dir !== path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return dir;
      } catch {
        // An unreadable manifest belongs to no one we care about; keep walking.
      }
    }
    dir = path.dirname(dir);
  }
  return null;
}

function isNativePackage(dir: string): boolean {
  if (existsSync(path.join(dir, 'binding.gyp'))) return true;
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    gypfile?: unknown;
    dependencies?: Record<string, string>;
  };
  const loaders = ['bindings', 'node-gyp-build', 'prebuild-install', 'node-pre-gyp', '@mapbox/node-pre-gyp'];
  return manifest.gypfile === true || loaders.some((loader) => loader in (manifest.dependencies ?? {}));
}

/**
 * Native addons cannot be bundled (their .node file is loaded at runtime, and must be rebuilt for Electron's
 * ABI), so any package that builds or loads one stays a runtime require. Everything else, including the
 * workspace packages that export TypeScript source, is bundled.
 */
function externalizeNativePackages(found: Set<string>): Plugin {
  const skip = Symbol('already resolving');
  return {
    name: 'externalize-native-packages',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === skip || args.path.startsWith('node:')) return undefined;
        const name = packageNameOf(args.path);
        if (KNOWN_NATIVE_PACKAGES.includes(name)) {
          found.add(name);
          return { path: args.path, external: true };
        }
        const resolved = await pluginBuild.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: skip,
        });
        if (resolved.errors.length > 0 || resolved.external || !resolved.path) return undefined;
        const dir = packageDirOf(resolved.path, name);
        if (dir && isNativePackage(dir)) {
          found.add(name);
          return { path: args.path, external: true };
        }
        return undefined;
      });
    },
  };
}

const common: BuildOptions = {
  bundle: true,
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: desktopDir,
  external: ['electron'],
};

async function buildElectron(): Promise<void> {
  const nativePackages = new Set<string>();
  await Promise.all([
    build({
      ...common,
      entryPoints: [fromDesktop('src/main/index.ts')],
      outfile: fromDesktop('dist/main/index.cjs'),
      platform: 'node',
      target: NODE_TARGET,
    }),
    build({
      ...common,
      entryPoints: [fromDesktop('src/preload/index.ts')],
      outfile: fromDesktop('dist/preload/index.cjs'),
      // A sandboxed preload gets a browser-like environment with a `require` that knows only electron and a few
      // polyfills: platform browser makes any Node built-in pulled in by mistake a build error.
      platform: 'browser',
      target: CHROME_TARGET,
    }),
    build({
      ...common,
      entryPoints: [fromDesktop('src/core-host/index.ts')],
      outfile: fromDesktop('dist/core-host/index.cjs'),
      platform: 'node',
      target: NODE_TARGET,
      plugins: [externalizeNativePackages(nativePackages)],
      // Bundled ESM dependencies may read import.meta.url; in a CJS bundle it would be undefined.
      define: { 'import.meta.url': '__janixImportMetaUrl' },
      banner: { js: 'const __janixImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    }),
  ]);
  const external = nativePackages.size > 0 ? [...nativePackages].join(', ') : 'none';
  console.log(
    `build-electron: wrote dist/main, dist/preload, dist/core-host (native, external: ${external})`,
  );
}

buildElectron().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
