// The key that seals the session and device tokens in the console's replica. Main keeps it encrypted with
// Electron `safeStorage` (the OS keychain: Keychain, DPAPI, libsecret/kwallet) and hands it to the core host
// at fork, so neither the replica nor the key file alone reveals a token.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadOrCreateKeyFile, SECRET_KEY_BYTES } from '@janix/local-core/secret-box';

/** The part of Electron's `safeStorage` used here, so tests can stand in for it. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keychain, only an obfuscation with a fixed password. */
  getSelectedStorageBackend?(): string;
}

export interface ReplicaKeyFiles {
  /** The key sealed by safeStorage. */
  sealed: string;
  /** Fallback where no OS keychain exists: the key itself, readable only by the user (0600). */
  plain: string;
}

function keychainUsable(safeStorage: SafeStorageLike): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  return safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
}

export function loadReplicaKey(
  files: ReplicaKeyFiles,
  safeStorage: SafeStorageLike,
  log: (line: string) => void,
): Buffer {
  if (!keychainUsable(safeStorage)) {
    log('no OS keychain for safeStorage: the replica key is kept in a file readable only by this user');
    return loadOrCreateKeyFile(files.plain, log);
  }
  if (existsSync(files.sealed)) {
    const key = Buffer.from(safeStorage.decryptString(readFileSync(files.sealed)), 'base64');
    if (key.length !== SECRET_KEY_BYTES) throw new Error(`the replica key in ${files.sealed} is damaged`);
    return key;
  }
  const key = randomBytes(SECRET_KEY_BYTES);
  writeFileSync(files.sealed, safeStorage.encryptString(key.toString('base64')), { mode: 0o600, flag: 'wx' });
  return key;
}
