import { describe, expect, it } from 'vitest';
import { createRestartBudget } from './restart-budget';

describe('createRestartBudget', () => {
  it('allows max restarts per sliding window', () => {
    let now = 0;
    const budget = createRestartBudget({ max: 3, windowMs: 60_000, now: () => now });
    expect([budget.tryConsume(), budget.tryConsume(), budget.tryConsume()]).toEqual([true, true, true]);
    now = 59_999;
    expect(budget.tryConsume()).toBe(false);
    now = 60_000;
    expect([budget.tryConsume(), budget.tryConsume(), budget.tryConsume()]).toEqual([true, true, true]);
    expect(budget.tryConsume()).toBe(false);
  });

  it('does not count refused attempts against later windows', () => {
    let now = 0;
    const budget = createRestartBudget({ max: 1, windowMs: 1_000, now: () => now });
    expect(budget.tryConsume()).toBe(true);
    now = 500;
    expect(budget.tryConsume()).toBe(false);
    now = 1_000;
    expect(budget.tryConsume()).toBe(true);
  });
});
