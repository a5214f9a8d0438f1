import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** AES-256-GCM key length in bytes. */
export const SECRET_KEY_BYTES = 32;
const IV_BYTES = 12;
const PREFIX = 'enc:v1:';

/**
 * Seals the replica's bearer secrets (session and device tokens) so the replica file alone reveals nothing.
 * The key lives elsewhere: Electron keeps it under the OS keychain (`safeStorage`), the dev host in a key
 * file beside the data folder. `context` (the meta key) is authenticated, so a sealed value moved to another
 * key does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** The plaintext, or null when the value was sealed with another key or altered. */
  open(sealed: string, context: string): string | null;
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== SECRET_KEY_BYTES) throw new Error(`the replica key must be ${SECRET_KEY_BYTES} bytes`);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    },
    open(sealed, context) {
      if (!isSealed(sealed)) return null;
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
      if (raw.length < IV_BYTES + 16) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + 16));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + 16)), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        return null;
      }
    },
  };
}

/** Where the dev host keeps a data folder's key: beside the folder, so copying the folder leaves it behind. */
export function defaultKeyFile(dataDir: string): string {
  return join(dirname(dataDir), `${basename(dataDir)}.key`);
}

/**
 * Reads the key file, or creates it (random, mode 0600) when it does not exist yet. A key file others can
 * read is narrowed to the owner, since the tokens it opens are the owner's.
 */
export function loadOrCreateKeyFile(path: string, log: (line: string) => void = () => {}): Buffer {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(SECRET_KEY_BYTES).toString('base64'));
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    log(`the replica key file ${path} was readable by others; narrowing it to its owner`);
    chmodSync(path, 0o600);
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== SECRET_KEY_BYTES) {
    throw new Error(`the replica key file ${path} is damaged (expected ${SECRET_KEY_BYTES} bytes in base64)`);
  }
  return key;
}
