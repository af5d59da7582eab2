/** Most keys a limiter tracks; past this the oldest windows are dropped (bounds memory under a flood). */
export const RATE_LIMITER_MAX_KEYS = 100_000;

interface Window {
  startedAt: number;
  count: number;
}

/**
 * An in-memory fixed-window counter per key: at most `limit` hits per `windowMs`. Per process:
 * in a scale-out deployment each node counts on its own.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Whether `key` has used up its hits in the current window. */
  isLimited(key: string, now = Date.now()): boolean {
    const w = this.windows.get(key);
    return w !== undefined && now - w.startedAt < this.windowMs && w.count >= this.limit;
  }

  /** Counts one hit for `key`. */
  hit(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (w && now - w.startedAt < this.windowMs) {
      w.count++;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= RATE_LIMITER_MAX_KEYS) this.prune(now);
    this.windows.set(key, { startedAt: now, count: 1 });
  }

  /** Forgets `key` (e.g. after a successful sign-in). */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.startedAt >= this.windowMs) this.windows.delete(key);
    // Still full: drop the oldest (Map iterates in insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size < RATE_LIMITER_MAX_KEYS) break;
      this.windows.delete(key);
    }
  }
}
