/**
 * A token bucket per key (a user): `ratePerSecond` units refill each second, up to one
 * second's worth stored. take() says whether the units may be spent now.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly ratePerSecond: number, private readonly now: () => number = () => performance.now()) {}

  /** Spends `units` for `key` if the bucket holds them; returns false (and spends nothing) otherwise. */
  take(key: string, units: number): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.ratePerSecond, at: t };
    b.tokens = Math.min(this.ratePerSecond, b.tokens + ((t - b.at) / 1000) * this.ratePerSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens < units) return false;
    b.tokens -= units;
    return true;
  }

  /** Forgets a key (its user left). */
  forget(key: string): void {
    this.buckets.delete(key);
  }
}
