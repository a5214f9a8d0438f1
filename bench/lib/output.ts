const writeResult = process.stdout.write.bind(process.stdout);

/**
 * Stdout carries result lines only. Anything else (a dependency's console.log included) is sent to stderr,
 * so `npm run -s bench | jq` always sees clean JSON.
 */
export function reserveStdoutForResults(): void {
  console.log = console.error;
  console.info = console.error;
  process.stdout.write = process.stderr.write.bind(process.stderr);
}

export function emit(result: { bench: string } & Record<string, number | string>): void {
  writeResult(`${JSON.stringify(result)}\n`);
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

const warned = new Set<string>();
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  log(`WARNING: ${message}`);
}

export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function clockMs(): number {
  return performance.timeOrigin + performance.now();
}
