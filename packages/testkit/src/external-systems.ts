/**
 * Tests that need an external system fail under CI when it is missing, and elsewhere skip with a line
 * saying what is missing and how to get it.
 */
export function requireExternal(
  name: string,
  available: boolean,
  howToGet: string,
  environment: { ci: boolean },
): boolean {
  if (available) return true;
  const message = `${name} is not available: ${howToGet}`;
  if (environment.ci) throw new Error(`CI requires ${message}`);
  console.warn(`skipping: ${message}`);
  return false;
}
