import { Redis } from 'ioredis';
import type { Logger } from '@coderoom/shared';

/** Longest wait between two reconnection attempts to Redis. */
export const REDIS_RECONNECT_MAX_MS = 1000;

/** Reason while a client has not connected yet. */
const CONNECTING_REASON = 'connecting';
/** Reason when a connection closed, until its reconnection says why it fails. */
const CLOSED_REASON = 'connection closed';
/** Reasons a more specific one replaces. */
const GENERIC_REASONS = new Set([CONNECTING_REASON, CLOSED_REASON]);

/** Where a client of the link stands. */
type ClientState = { ready: true } | { ready: false; reason: string };

/**
 * This node's connections to Redis, with one view of their health (SPEC SCALE4).
 *
 * Every client reconnects by itself (ioredis, backoff up to REDIS_RECONNECT_MAX_MS) and keeps
 * commands issued while Redis is away in its offline queue until it is back, so nothing made
 * while Redis is away fails (or crashes the node): it is late. The link is ready when every
 * client is; it logs once per change between ready and not ready, never per command.
 */
export class RedisLink {
  private readonly clients = new Map<Redis, ClientState>();
  private readonly readyListeners = new Set<() => void>();
  private wasReady = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** A new connection (e.g. one for commands, one for subscriptions), watched by the link. */
  connect(role: string): Redis {
    if (this.closed) throw new Error('RedisLink is closed');
    const client = new Redis(this.url, {
      connectionName: `${this.name}:${role}`,
      // Wait for Redis to return rather than fail commands: the node keeps serving meanwhile.
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      retryStrategy: (times) => Math.min(times * 100, REDIS_RECONNECT_MAX_MS),
    });
    this.clients.set(client, { ready: false, reason: CONNECTING_REASON });
    client.on('ready', () => this.update(client, { ready: true }));
    client.on('error', (err: Error) => this.update(client, { ready: false, reason: err.message }));
    client.on('close', () => this.update(client, { ready: false, reason: this.reasonOf(client) ?? CLOSED_REASON }));
    return client;
  }

  /** Null when every connection is up, else why not. */
  readiness(): string | null {
    if (this.closed) return 'closed';
    for (const state of this.clients.values()) if (!state.ready) return state.reason;
    return null;
  }

  /** Whether every connection is up. */
  get ready(): boolean {
    return this.readiness() === null;
  }

  /** Calls `listener` each time the link becomes ready again (after a start or an outage). */
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  private reasonOf(client: Redis): string | null {
    const state = this.clients.get(client);
    return state && !state.ready ? state.reason : null;
  }

  private update(client: Redis, state: ClientState): void {
    if (this.closed || !this.clients.has(client)) return;
    // Keep the first specific reason of an outage (e.g. ECONNREFUSED), not later repeats of it.
    const previous = this.clients.get(client)!;
    if (!state.ready && !previous.ready && !GENERIC_REASONS.has(previous.reason)) return;
    this.clients.set(client, state);
    const reason = this.readiness();
    if (reason === null && !this.wasReady) {
      this.wasReady = true;
      this.logger.info({ url: redactedUrl(this.url) }, 'redis | connected: ready');
      for (const listener of [...this.readyListeners]) listener();
    } else if (reason !== null && this.wasReady) {
      this.wasReady = false;
      this.logger.error({ url: redactedUrl(this.url), reason }, 'redis | unavailable: serving the rooms this node owns, not ready, reconnecting');
    }
  }

  /** Disconnects every client; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.readyListeners.clear();
    // QUIT would wait in the offline queue while Redis is away: only a connected client says goodbye.
    await Promise.all([...this.clients.keys()].map((c) => (c.status === 'ready' ? c.quit().then(() => undefined, () => c.disconnect()) : c.disconnect())));
    this.clients.clear();
  }
}

/** `url` without a password, for logs. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis';
  }
}
