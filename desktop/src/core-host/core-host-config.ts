import { isAbsolute } from 'node:path';
import { CORE_HOST_ENV } from '../shared/process-contract';

export interface CoreHostConfig {
  dataDir: string;
  serverUrl: string;
}

/** Reads what main passed at fork time; throws with the variable's name so the log says what is wrong. */
export function readCoreHostConfig(env: Readonly<Record<string, string | undefined>>): CoreHostConfig {
  const dataDir = env[CORE_HOST_ENV.dataDir];
  if (!dataDir || !isAbsolute(dataDir)) {
    throw new Error(`${CORE_HOST_ENV.dataDir} must be an absolute path, got ${JSON.stringify(dataDir)}`);
  }
  const serverUrl = env[CORE_HOST_ENV.serverUrl];
  if (!serverUrl || !isHttpUrl(serverUrl)) {
    throw new Error(`${CORE_HOST_ENV.serverUrl} must be an http(s) URL, got ${JSON.stringify(serverUrl)}`);
  }
  return { dataDir, serverUrl };
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
