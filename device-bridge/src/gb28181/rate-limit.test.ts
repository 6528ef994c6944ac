import { describe, expect, it } from 'vitest';
import { FailureRateLimiter } from './rate-limit.js';

describe('FailureRateLimiter', () => {
  it('locks a source after too many failures in the window, per source, and unlocks later', () => {
    const limiter = new FailureRateLimiter({ maxFailures: 3, windowMs: 1000, lockoutMs: 5000 });
    expect(limiter.fail('a', 0)).toBe(false);
    expect(limiter.fail('a', 10)).toBe(false);
    expect(limiter.isLocked('b', 10)).toBe(false);
    expect(limiter.fail('a', 20)).toBe(true);
    expect(limiter.isLocked('a', 30)).toBe(true);
    expect(limiter.isLocked('b', 30)).toBe(false);
    expect(limiter.isLocked('a', 5021)).toBe(false);
  });

  it('forgets failures outside the window and bounds the sources it tracks', () => {
    const limiter = new FailureRateLimiter({ maxFailures: 2, windowMs: 100, lockoutMs: 1000, maxSources: 2 });
    limiter.fail('a', 0);
    expect(limiter.fail('a', 500)).toBe(false);
    limiter.fail('b', 500);
    limiter.fail('c', 500);
    expect(limiter.fail('a', 510)).toBe(false);
  });
});
