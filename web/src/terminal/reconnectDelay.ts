/** First wait before reconnecting, in ms. */
export const RECONNECT_BASE_DELAY_MS = 500;
/** Longest wait between reconnect attempts, in ms. */
export const RECONNECT_MAX_DELAY_MS = 10_000;

/**
 * How long to wait before reconnect attempt `attempt` (1, 2, ...): exponential back-off with
 * jitter (between half and all of the capped exponential delay), so a hub restart is not met
 * by every browser at the same instant.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const capped = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped * (0.5 + random() * 0.5));
}
