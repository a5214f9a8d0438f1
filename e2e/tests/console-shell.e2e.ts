import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronBinary } from '@janix/desktop/electron-binary';

const desktopDir = dirname(createRequire(import.meta.url).resolve('@janix/desktop/package.json'));
const binary = findElectronBinary();

test('the Electron shell opens the console window with a sandboxed, isolated renderer', async () => {
  if ('missing' in binary) {
    // Electron's binary is downloaded by its installer and cannot be had on machines without internet.
    // Plan: this test runs wherever `npm install` could fetch the binary (a developer machine, a CI runner
    // with network); here it says why it did not, and the same renderer is covered in Chromium meanwhile.
    console.log(`electron e2e skipped: ${binary.missing}`);
    test.skip(true, binary.missing);
    return;
  }
  const app = await electron.launch({
    executablePath: binary.path,
    args: [desktopDir],
    env: { ...process.env, JANIX_SERVER_URL: process.env.JANIX_E2E_SERVER_URL ?? '' },
  });
  const window = await app.firstWindow();
  await expect(window.getByLabel('Email')).toBeVisible();
  expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  await app.close();
});
