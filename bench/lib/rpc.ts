import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Request {
  id: number;
  op: string;
  payload: unknown;
}
interface Response {
  id: number;
  result?: unknown;
  error?: string;
}

const benchDir = fileURLToPath(new URL('..', import.meta.url));

/** Options shared by every child the harness starts (set once from the command line). */
export const childOptions = { profileDir: null as string | null };

export interface RpcChild {
  readonly pid: number;
  call<T>(op: string, payload?: unknown): Promise<T>;
  /** Asks the child to close, then waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Forks a TypeScript file of this package under tsx and talks to it with request/response messages. The
 * child's stdout goes to our stderr: stdout is for results only.
 */
export function forkChild(file: string): RpcChild {
  const execArgv = ['--import', 'tsx'];
  if (childOptions.profileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${childOptions.profileDir}`);
  const child: ChildProcess = fork(fileURLToPath(new URL(`../${file}`, import.meta.url)), [], {
    cwd: benchDir,
    execArgv,
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const waiter of pending.values())
        waiter.reject(new Error(`${file} exited (${code ?? signal}) during a call`));
      pending.clear();
      resolve();
    });
  });
  child.on('message', (message: Response) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(`${file}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  const call = <T>(op: string, payload?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`${file} is not running`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, op, payload } satisfies Request);
    });
  return {
    pid: child.pid ?? 0,
    call,
    async close() {
      if (child.connected) await call('close').catch(() => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

type Handlers = Record<string, (payload: never) => unknown>;

/**
 * The child side: answers requests with the named handler. `close` runs the handler of that name (if any),
 * answers, and exits normally, so a --cpu-prof profile gets written. Losing the parent ends the child.
 */
export function serveRpc(handlers: Handlers): void {
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: Request) => {
    void (async () => {
      let response: Response;
      try {
        // Every child reports its CPU time, so a benchmark can say which process the time went to.
        const handler = message.op === 'cpu' ? () => process.cpuUsage() : handlers[message.op];
        if (!handler && message.op !== 'close') throw new Error(`unknown operation ${message.op}`);
        response = { id: message.id, result: (await handler?.(message.payload as never)) ?? null };
      } catch (error) {
        response = {
          id: message.id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        };
      }
      process.send!(response, () => {
        if (message.op === 'close') process.exit(0);
      });
    })();
  });
}
