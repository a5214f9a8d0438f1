import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { RpcChild } from './rpc.ts';

const TICKS_PER_S = 100;

/** CPU seconds (user + system) of the PostgreSQL backends serving one database (Linux /proc). */
function postgresCpuSeconds(database: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.startsWith('postgres: ') || !cmdline.includes(` ${database} `)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks / TICKS_PER_S;
}

export interface CpuAccount {
  /** CPU seconds spent since `start`, per process group. */
  read(): Promise<Record<string, number>>;
}

/**
 * Accounts CPU time per role (this process, named children, the database's backends) over a window.
 * Backends that disconnect inside the window take their time with them, so the PostgreSQL figure is a floor.
 */
export async function startCpuAccount(
  children: Record<string, RpcChild[]>,
  database: string,
): Promise<CpuAccount> {
  const sample = async () => {
    const result: Record<string, number> = {};
    const own = process.cpuUsage();
    result.bench = (own.user + own.system) / 1e6;
    for (const [name, group] of Object.entries(children)) {
      const usages = await Promise.all(group.map((child) => child.call<NodeJS.CpuUsage>('cpu')));
      result[name] = usages.reduce((sum, usage) => sum + (usage.user + usage.system) / 1e6, 0);
    }
    result.postgres = postgresCpuSeconds(database);
    return result;
  };
  const before = await sample();
  return {
    async read() {
      const after = await sample();
      return Object.fromEntries(
        Object.entries(after).map(([name, value]) => [name, value - (before[name] ?? 0)]),
      );
    },
  };
}

export function describeCpu(spent: Record<string, number>, wallSeconds: number): string {
  return (
    Object.entries(spent)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`)
      .join(', ') +
    ` (wall ${wallSeconds.toFixed(2)} s × ${availableParallelism()} cores = ${(availableParallelism() * wallSeconds).toFixed(2)} CPU-s)`
  );
}
