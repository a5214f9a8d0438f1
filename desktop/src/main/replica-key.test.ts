import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadReplicaKey, type SafeStorageLike } from './replica-key';

/** Stands in for the OS keychain: "encrypts" by XOR with a secret the files never see. */
function fakeKeychain(backend = 'gnome_libsecret'): SafeStorageLike {
  const mask = (bytes: Buffer) => Buffer.from(bytes.map((byte) => byte ^ 0x5a));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (text) => mask(Buffer.from(text)),
    decryptString: (sealed) => mask(sealed).toString(),
    getSelectedStorageBackend: () => backend,
  };
}

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files() {
  dir = mkdtempSync(path.join(os.tmpdir(), 'replica-key-'));
  return { sealed: path.join(dir, 'replica-key.sealed'), plain: path.join(dir, 'replica.key') };
}

describe('loadReplicaKey', () => {
  it('keeps the key only sealed by the keychain, and reads the same key back', () => {
    const where = files();
    const key = loadReplicaKey(where, fakeKeychain(), () => {});
    expect(key).toHaveLength(32);
    const onDisk = readFileSync(where.sealed);
    expect(onDisk.toString()).not.toContain(key.toString('base64'));
    expect(statSync(where.sealed).mode & 0o777).toBe(0o600);
    expect(loadReplicaKey(where, fakeKeychain(), () => {})).toEqual(key);
  });

  it('falls back to a key file only the user can read where there is no keychain', () => {
    const where = files();
    const logs: string[] = [];
    const key = loadReplicaKey(where, fakeKeychain('basic_text'), (line) => logs.push(line));
    expect(statSync(where.plain).mode & 0o777).toBe(0o600);
    expect(logs.join('\n')).toContain('no OS keychain');
    expect(loadReplicaKey(where, fakeKeychain('basic_text'), () => {})).toEqual(key);
  });
});
