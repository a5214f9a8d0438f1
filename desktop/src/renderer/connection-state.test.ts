import { describe, expect, it } from 'vitest';
import { connectionState } from './connection-state.ts';

describe('connectionState', () => {
  it('is Online only when the local service and the server answer without error', () => {
    expect(connectionState({ localServiceDown: false, online: true, lastError: null }).label).toBe('Online');
  });

  it('is never Online next to an error', () => {
    const cases = [
      // The dev host or core host is gone: the last status said online, but it is stale.
      { localServiceDown: true, online: true, lastError: null },
      // The server answered, but with an error (a 500, an unknown device).
      { localServiceDown: false, online: true, lastError: 'Something went wrong on the server.' },
      { localServiceDown: false, online: false, lastError: 'fetch failed' },
      { localServiceDown: false, online: null, lastError: null },
    ];
    for (const input of cases) {
      const state = connectionState(input);
      expect(state.label).not.toBe('Online');
      expect(state.tone).not.toBe('ok');
    }
  });

  it('says Offline when the local service or the server is gone, Connecting while it tries', () => {
    expect(connectionState({ localServiceDown: true, online: true, lastError: null }).label).toBe('Offline');
    expect(connectionState({ localServiceDown: false, online: false, lastError: 'fetch failed' }).label).toBe(
      'Offline',
    );
    expect(connectionState({ localServiceDown: false, online: null, lastError: null }).label).toBe(
      'Connecting…',
    );
    expect(
      connectionState({ localServiceDown: false, online: true, lastError: 'Something went wrong.' }).label,
    ).toBe('Connecting…');
  });
});
