// Electron main: one window, the app:// protocol serving the built renderer, the core host process, and the
// wiring of a MessageChannel between them. Decisions live in security.ts; this file only applies them.
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import {
  BrowserWindow,
  MessageChannelMain,
  app,
  dialog,
  protocol,
  safeStorage,
  session,
  shell,
  type WebContents,
} from 'electron';
import { checkServerUrl, ServerUrlError } from '@janix/local-core/server-url';
import { BRIDGE_PORT_CHANNEL } from '../shared/process-contract';
import { createCoreHostProcess } from './core-host-process';
import { loadReplicaKey } from './replica-key';
import { contentTypeFor } from './renderer-content-types';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  RENDERER_CSP,
  externalUrlToOpen,
  isAppUrl,
  APP_PERMISSIONS,
  isPermissionGranted,
  rendererFileForUrl,
} from './security';

// This file is bundled to dist/main/index.cjs; its siblings are built next to it.
const DIST_DIR = path.join(__dirname, '..');
const RENDERER_ROOT = path.join(DIST_DIR, 'renderer');
const PRELOAD_PATH = path.join(DIST_DIR, 'preload', 'index.cjs');
const CORE_HOST_PATH = path.join(DIST_DIR, 'core-host', 'index.cjs');
const DEFAULT_SERVER_URL = 'http://127.0.0.1:4000';

function log(line: string): void {
  console.log(`[main] ${line}`);
}

// Must happen before `ready`. Standard + secure gives app:// a real origin (storage, CSP 'self') and a
// secure context; Vite's `<script type="module" crossorigin>` needs fetch and CORS support on the scheme.
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
]);
// Sandbox every renderer, including any created without our webPreferences.
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

// A second console on one machine is a separate device with its own data (`npm run console -- --data-dir`);
// userData also scopes Electron's single-instance lock, so the two windows do not hand over to each other.
if (process.env.JANIX_CONSOLE_DATA_DIR)
  app.setPath('userData', path.resolve(process.env.JANIX_CONSOLE_DATA_DIR));

// Tokens travel to the server on every call: refuse a plain-http server that is not on this machine.
const serverUrl = process.env.JANIX_SERVER_URL || DEFAULT_SERVER_URL;
try {
  checkServerUrl(serverUrl);
} catch (error) {
  if (!(error instanceof ServerUrlError)) throw error;
  log(error.message);
  dialog.showErrorBox('Janix cannot start', `JANIX_SERVER_URL: ${error.message}`);
  process.exit(2);
}

const coreHost = createCoreHostProcess({
  modulePath: CORE_HOST_PATH,
  dataDir: path.join(app.getPath('userData'), 'replica'),
  serverUrl,
  secretKey: () =>
    loadReplicaKey(
      {
        sealed: path.join(app.getPath('userData'), 'replica-key.sealed'),
        plain: path.join(app.getPath('userData'), 'replica.key'),
      },
      safeStorage,
      log,
    ),
  log,
  onRestart: () => {
    if (mainWindow && !mainWindow.webContents.isLoading()) connectRendererToCore(mainWindow.webContents);
  },
});

/** A fresh channel per page load: the preload's previous port died with the previous page. */
function connectRendererToCore(contents: WebContents): void {
  const { port1, port2 } = new MessageChannelMain();
  coreHost.connect(port1);
  contents.postMessage(BRIDGE_PORT_CHANNEL, null, [port2]);
}

function isFile(filePath: string): boolean {
  try {
    return statSync(filePath).isFile();
  } catch {
    return false;
  }
}

function serveRendererFiles(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const file = rendererFileForUrl(request.url, { root: RENDERER_ROOT, path, isFile });
    if (!file) return new Response('Not found', { status: 404 });
    const headers = {
      'content-type': contentTypeFor(file),
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
    };
    try {
      const body = request.method === 'HEAD' ? null : await readFile(file);
      return new Response(body, { status: 200, headers });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function denyPermissionsOutsideAllowlist(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(isPermissionGranted(permission, details.requestingUrl, APP_PERMISSIONS, mediaTypes));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionGranted(
      permission,
      requestingOrigin,
      APP_PERMISSIONS,
      details.mediaType ? [details.mediaType] : undefined,
    ),
  );
}

// Applied to every WebContents, so a window or frame created by mistake gets the same limits.
function limitNavigation(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url);
    if (external) {
      shell
        .openExternal(external)
        .catch((error: unknown) => log(`could not open ${external}: ${String(error)}`));
    }
    return { action: 'deny' };
  });
}

function createMainWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    title: 'Janix',
    webPreferences: {
      preload: PRELOAD_PATH,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  });
  mainWindow = win;
  win.once('ready-to-show', () => win.show());
  // dom-ready fires once per load, after the preload has registered its port listener.
  win.webContents.on('dom-ready', () => connectRendererToCore(win.webContents));
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  win
    .loadURL(APP_ENTRY_URL)
    .catch((error: unknown) => log(`could not load ${APP_ENTRY_URL}: ${String(error)}`));
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  // Two instances would open the same replica; hand over to the running one.
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('web-contents-created', (_event, contents) => limitNavigation(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let coreStopped = false;
  let stoppingCore: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    if (coreStopped) return;
    // Hold the quit until the core host has closed the replica, then quit for real.
    event.preventDefault();
    stoppingCore ??= coreHost.stop().finally(() => {
      coreStopped = true;
      app.quit();
    });
  });

  app
    .whenReady()
    .then(() => {
      denyPermissionsOutsideAllowlist();
      serveRendererFiles();
      coreHost.start();
      createMainWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
        else focusMainWindow();
      });
    })
    .catch((error: unknown) => {
      log(`startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      app.exit(1);
    });
}
