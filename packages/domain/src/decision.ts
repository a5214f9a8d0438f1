/** The outcome of a business rule: a value to apply, or a rejection the user will see. */
export type Decision<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export function rejection(code: string, message: string): { ok: false; code: string; message: string } {
  return { ok: false, code, message };
}
