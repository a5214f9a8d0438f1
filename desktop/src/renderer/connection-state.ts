export interface ConnectionState {
  label: 'Online' | 'Connecting…' | 'Offline';
  tone: 'ok' | 'pending' | 'off';
  /** Why it is not Online, for the badge's tooltip. */
  reason: string | null;
}

/**
 * The header badge. "Online" (green) only while both the console's local service and the server answer and
 * the last sync had no error; a gone local service or server reads "Offline", a server that answers with an
 * error (or has not answered yet) "Connecting…". Never green next to an error.
 */
export function connectionState(input: {
  /** The console's local service (core host / dev host) did not answer the last status poll. */
  localServiceDown: boolean;
  /** The sync engine's view of the server: null until the first attempt has finished. */
  online: boolean | null;
  lastError: string | null;
}): ConnectionState {
  if (input.localServiceDown) {
    return { label: 'Offline', tone: 'off', reason: 'The console’s local service is not responding.' };
  }
  if (input.online === false) {
    return { label: 'Offline', tone: 'off', reason: input.lastError ?? 'The server cannot be reached.' };
  }
  if (input.online === null || input.lastError !== null) {
    return { label: 'Connecting…', tone: 'pending', reason: input.lastError };
  }
  return { label: 'Online', tone: 'ok', reason: null };
}
