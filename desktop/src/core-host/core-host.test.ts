import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  CORE_HOST_CONFIGURE_MESSAGE,
  CORE_HOST_CONNECT_MESSAGE,
  CORE_HOST_SHUTDOWN_MESSAGE,
} from '../shared/process-contract';
import { runCoreHost, type ClosableCore, type CoreHostSecrets } from './core-host';

const KEY = Buffer.alloc(32, 7);
const configureMessage = {
  data: { type: CORE_HOST_CONFIGURE_MESSAGE, secretKey: KEY.toString('base64') },
  ports: [],
};

class FakePort extends EventEmitter {
  posted: unknown[] = [];
  started = false;
  closed = false;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    this.closed = true;
  }
  send(data: unknown): void {
    this.emit('message', { data });
  }
}

function fakeCore(): ClosableCore & { close: ReturnType<typeof vi.fn> } {
  return {
    fetch: async (request) => new Response(`core saw ${new URL(request.url).pathname}`),
    close: vi.fn(async () => undefined),
  };
}

function setup(
  openCore: (secrets: CoreHostSecrets) => Promise<ClosableCore> = async () => fakeCore(),
  { configured = true } = {},
) {
  const parentPort = new EventEmitter();
  const exit = vi.fn();
  const logs: string[] = [];
  const host = runCoreHost({ parentPort, openCore, log: (line) => logs.push(line), exit });
  if (configured) parentPort.emit('message', configureMessage);
  const connect = (): FakePort => {
    const port = new FakePort();
    parentPort.emit('message', { data: { type: CORE_HOST_CONNECT_MESSAGE }, ports: [port] });
    return port;
  };
  return { parentPort, exit, logs, host, connect };
}

const request = (id: string, path = '/trpc/ping') => ({ id, method: 'GET', path, headers: {}, body: null });

describe('runCoreHost', () => {
  it('serves a port handed over by main, holding messages until the core is open', async () => {
    let openNow: (core: ClosableCore) => void = () => undefined;
    const { connect } = setup(() => new Promise((resolve) => (openNow = resolve)));
    const port = connect();
    expect(port.started).toBe(true);
    port.send(request('a'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(port.posted).toEqual([]);
    openNow(fakeCore());
    await vi.waitFor(() => expect(port.posted).toHaveLength(1));
    expect(port.posted[0]).toMatchObject({ id: 'a', status: 200, body: 'core saw /trpc/ping' });
  });

  it('answers garbage with a 400 and keeps serving', async () => {
    const { connect, exit } = setup();
    const port = connect();
    port.send({ id: 'bad', method: 'GET', path: '/etc/passwd', headers: {}, body: null });
    port.send(undefined);
    port.send(request('good'));
    await vi.waitFor(() => expect(port.posted).toHaveLength(3));
    const byId = new Map(port.posted.map((m) => [(m as { id: string }).id, m]));
    expect(byId.get('bad')).toMatchObject({ status: 400 });
    expect(byId.get('')).toMatchObject({ status: 400 });
    expect(byId.get('good')).toMatchObject({ status: 200 });
    expect(exit).not.toHaveBeenCalled();
  });

  it('serves several ports independently and stops answering a closed one', async () => {
    const { connect } = setup();
    const first = connect();
    const second = connect();
    first.emit('close');
    first.send(request('to-closed'));
    second.send(request('to-open'));
    await vi.waitFor(() => expect(second.posted).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(first.posted).toEqual([]);
  });

  it('closes ports it was not asked to serve', () => {
    const { parentPort, logs } = setup();
    const stray = new FakePort();
    parentPort.emit('message', { data: { type: 'something-else' }, ports: [stray] });
    parentPort.emit('message', { data: 'not even an object', ports: [] });
    expect(stray.closed).toBe(true);
    expect(stray.started).toBe(false);
    expect(logs.filter((line) => line.startsWith('ignored'))).toHaveLength(2);
  });

  it('closes ports and the core once on shutdown, then exits 0', async () => {
    const core = fakeCore();
    const { parentPort, connect, exit, host } = setup(async () => core);
    const port = connect();
    parentPort.emit('message', { data: { type: CORE_HOST_SHUTDOWN_MESSAGE }, ports: [] });
    await host.shutdown('SIGTERM');
    expect(port.closed).toBe(true);
    expect(core.close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(0);
    const late = connect();
    expect(late.closed).toBe(true);
  });

  it('opens the core only with the replica key main sends, and refuses a malformed one', async () => {
    const openCore = vi.fn(async () => fakeCore());
    const { parentPort, connect } = setup(openCore, { configured: false });
    const port = connect();
    port.send(request('early'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(openCore).not.toHaveBeenCalled();
    parentPort.emit('message', configureMessage);
    await vi.waitFor(() => expect(port.posted).toHaveLength(1));
    expect(openCore).toHaveBeenCalledWith({ secretKey: KEY });

    const bad = setup(openCore, { configured: false });
    bad.parentPort.emit('message', {
      data: { type: CORE_HOST_CONFIGURE_MESSAGE, secretKey: 'c2hvcnQ=' },
      ports: [],
    });
    expect(bad.exit).toHaveBeenCalledWith(1);
  });

  it('exits 1 when the core cannot open, so main can decide on a restart', async () => {
    const { exit, logs } = setup(() => Promise.reject(new Error('SQLITE_CANTOPEN')));
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1));
    expect(logs.join('\n')).toContain('SQLITE_CANTOPEN');
  });
});
