// Electron's own postinstall downloads its binary from the internet and fails the whole install when it
// cannot. We run it ourselves instead, so `npm install` succeeds on offline machines and the console
// falls back to the browser (see README, "Electron").
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let installScript;
try {
  installScript = require.resolve('electron/install.js', { paths: ['desktop'] });
} catch {
  process.exit(0);
}
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log(
    'electron: binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD is set); the console runs in the browser.',
  );
  process.exit(0);
}
const result = spawnSync(process.execPath, [installScript], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
});
const binaryPath = existsSync(installScript.replace(/install\.js$/, 'path.txt'));
if (result.status === 0 && binaryPath) {
  console.log('electron: binary installed.');
} else {
  console.log(
    'electron: binary could not be downloaded here; the console will run in the browser. ' +
      'Set ELECTRON_SKIP_BINARY_DOWNLOAD=1 to skip this attempt.',
  );
}
