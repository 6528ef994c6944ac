/** Failed authentications per source address: after too many in a window the source is locked out for a while. */
export interface RateLimitOptions {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  /** Most sources tracked; the oldest are forgotten beyond it (bounded memory under a spoofing flood). */
  maxSources?: number;
}

interface SourceState {
  failures: number[];
  lockedUntil: number;
}

export class FailureRateLimiter {
  private readonly sources = new Map<string, SourceState>();

  constructor(private readonly options: RateLimitOptions) {}

  isLocked(source: string, now = Date.now()): boolean {
    const state = this.sources.get(source);
    return state !== undefined && state.lockedUntil > now;
  }

  /** Records a failure; true when this failure locks the source. */
  fail(source: string, now = Date.now()): boolean {
    let state = this.sources.get(source);
    if (!state) {
      if (this.sources.size >= (this.options.maxSources ?? 10_000)) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
      }
      state = { failures: [], lockedUntil: 0 };
      this.sources.set(source, state);
    }
    state.failures = state.failures.filter((t) => now - t < this.options.windowMs);
    state.failures.push(now);
    if (state.failures.length >= this.options.maxFailures) {
      state.lockedUntil = now + this.options.lockoutMs;
      state.failures = [];
      return true;
    }
    return false;
  }

  succeed(source: string): void {
    const state = this.sources.get(source);
    if (state && state.lockedUntil === 0) this.sources.delete(source);
  }
}
