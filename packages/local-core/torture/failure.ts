/**
 * Which guarantee (ARCHITECTURE.md §3) a failed check is about; `check-in` is §4's promise that an offline scan
 * is never refused at upload and a double entry is flagged; `harness` is the test itself breaking.
 */
export type Guarantee =
  'G1' | 'G2' | 'G3' | 'G4' | 'G5' | 'G6' | 'G9' | 'check-in' | 'local rules' | 'harness';

export class TortureFailure extends Error {
  readonly guarantee: Guarantee;
  readonly detail: string;
  trace: string[] = [];
  constructor(guarantee: Guarantee, detail: string) {
    super(`${guarantee}: ${detail}`);
    this.guarantee = guarantee;
    this.detail = detail;
  }
}

export function fail(guarantee: Guarantee, detail: string): never {
  throw new TortureFailure(guarantee, detail);
}
