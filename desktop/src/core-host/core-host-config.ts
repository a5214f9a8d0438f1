import { isAbsolute } from 'node:path';
import { checkServerUrl, ServerUrlError } from '@janix/local-core/server-url';
import { CORE_HOST_ENV } from '../shared/process-contract';

export interface CoreHostConfig {
  dataDir: string;
  serverUrl: string;
  devMailboxSecret: string | null;
}

/** Reads what main passed at fork time; throws with the variable's name so the log says what is wrong. */
export function readCoreHostConfig(env: Readonly<Record<string, string | undefined>>): CoreHostConfig {
  const dataDir = env[CORE_HOST_ENV.dataDir];
  if (!dataDir || !isAbsolute(dataDir)) {
    throw new Error(`${CORE_HOST_ENV.dataDir} must be an absolute path, got ${JSON.stringify(dataDir)}`);
  }
  const serverUrl = env[CORE_HOST_ENV.serverUrl];
  try {
    checkServerUrl(serverUrl ?? '');
  } catch (error) {
    if (!(error instanceof ServerUrlError)) throw error;
    throw new Error(`${CORE_HOST_ENV.serverUrl}: ${error.message}`);
  }
  return { dataDir, serverUrl: serverUrl!, devMailboxSecret: env[CORE_HOST_ENV.devMailboxSecret] || null };
}
