import type { Redis } from 'ioredis';
import { AppError, type Logger } from '@coderoom/shared';
import type { RedisLink } from './RedisLink.js';

/** Key of a room's owner (value: node id), with the lease as its expiry. */
const ROOM_KEY_PREFIX = 'coderoom:room:';
/** Key of a live node (value: its public URL), with the lease as its expiry. */
const NODE_KEY_PREFIX = 'coderoom:node:';

/**
 * Renews each lease this node holds: extends it when it is still ours, takes it again when it
 * is gone (Redis restarted empty), and reports it lost (0) when another node holds it.
 */
const RENEW_SCRIPT = `
local kept = {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    kept[i] = 1
  elseif not owner then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    kept[i] = 1
  else
    kept[i] = 0
  end
end
return kept`;

/** Deletes each key only where this node still holds it. */
const RELEASE_SCRIPT = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then n = n + redis.call('DEL', key) end
end
return n`;

/** Where a room's hot path (terminals, the media router) runs. */
export interface RoomOwner {
  nodeId: string;
  /** The public URL of the owner; null when its node record has expired (it is dying). */
  url: string | null;
  /** Whether this node is the owner. */
  self: boolean;
}

/** Events of the directory. */
export interface RoomDirectoryEvents {
  /** Another node took a room this node held (its lease ran out while Redis was away). */
  lost: (roomId: string, owner: string) => void;
}

/**
 * The room directory (SPEC SCALE3): which node owns each room's hot path, by lease.
 *
 * The first node asked about a room that has no live owner claims it (SET NX PX) and renews the
 * lease every third of its length while it runs; a node that dies stops renewing, so its rooms
 * are free again at most `leaseMs` later and go to the next node asked. Each node also keeps a
 * record of its public URL under the same lease, so other nodes can tell clients where to go.
 * While Redis is away a node keeps the rooms it holds (it cannot learn otherwise) and cannot
 * answer for others; when Redis is back it renews at once, re-taking leases Redis lost.
 */
export class RoomDirectory {
  private readonly owned = new Set<string>();
  private readonly listeners: { [E in keyof RoomDirectoryEvents]: Set<RoomDirectoryEvents[E]> } = { lost: new Set() };
  private readonly redis: Redis;
  private publicUrl: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private renewing: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private closed = false;

  constructor(
    private readonly link: RedisLink,
    readonly nodeId: string,
    readonly leaseMs: number,
    private readonly logger: Logger,
  ) {
    this.redis = link.connect('directory');
  }

  /** Registers this node under `publicUrl` and starts renewing leases. */
  start(publicUrl: string): void {
    if (this.closed || this.timer) return;
    this.publicUrl = publicUrl;
    this.timer = setInterval(() => void this.renew(), Math.floor(this.leaseMs / 3));
    this.unsubscribe = this.link.onReady(() => void this.renew());
    void this.renew();
  }

  on<E extends keyof RoomDirectoryEvents>(event: E, listener: RoomDirectoryEvents[E]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** Whether this node holds `roomId`'s lease (as far as it knows). */
  owns(roomId: string): boolean {
    return this.owned.has(roomId);
  }

  /** The rooms this node holds. */
  ownedRooms(): string[] {
    return [...this.owned];
  }

  /**
   * The owner of `roomId`, claiming it for this node when it has none. Throws UNAVAILABLE when
   * the answer needs Redis and Redis is away.
   */
  async owner(roomId: string): Promise<RoomOwner> {
    if (this.owned.has(roomId)) return { nodeId: this.nodeId, url: this.publicUrl, self: true };
    if (this.closed || !this.publicUrl) throw new AppError('UNAVAILABLE', 'this node is not serving');
    if (!this.link.ready) throw new AppError('UNAVAILABLE', 'the room directory (Redis) is unavailable');
    // SET NX GET: sets when free and answers null, else answers the holder (Redis 7).
    const holder = await this.redis.set(ROOM_KEY_PREFIX + roomId, this.nodeId, 'PX', this.leaseMs, 'NX', 'GET');
    if (holder === null || holder === this.nodeId) {
      if (!this.owned.has(roomId)) this.logger.info({ roomId, leaseMs: this.leaseMs }, 'owner() | room claimed');
      this.owned.add(roomId);
      return { nodeId: this.nodeId, url: this.publicUrl, self: true };
    }
    return { nodeId: holder, url: await this.redis.get(NODE_KEY_PREFIX + holder), self: false };
  }

  /** Renews every lease this node holds and its node record; one run at a time. */
  private renew(): Promise<void> {
    this.renewing ??= this.doRenew().finally(() => (this.renewing = null));
    return this.renewing;
  }

  private async doRenew(): Promise<void> {
    if (this.closed || !this.publicUrl || !this.link.ready) return;
    const rooms = [...this.owned];
    try {
      const multi = this.redis.multi().set(NODE_KEY_PREFIX + this.nodeId, this.publicUrl, 'PX', this.leaseMs);
      if (rooms.length > 0) multi.eval(RENEW_SCRIPT, rooms.length, ...rooms.map((r) => ROOM_KEY_PREFIX + r), this.nodeId, this.leaseMs);
      const results = await multi.exec();
      const kept = (results?.[1]?.[1] ?? []) as number[];
      for (let i = 0; i < kept.length; i++) {
        if (kept[i] === 1) continue;
        const roomId = rooms[i]!;
        this.owned.delete(roomId);
        const owner = (await this.redis.get(ROOM_KEY_PREFIX + roomId)) ?? 'none';
        this.logger.warn({ roomId, owner }, 'renew() | lease lost to another node');
        for (const listener of [...this.listeners.lost]) listener(roomId, owner);
      }
    } catch (err) {
      // An outage: RedisLink logs it once; the leases are renewed when Redis is back.
      this.logger.debug({ err: (err as Error).message }, 'renew() | failed');
    }
  }

  /** Stops renewing and gives up every lease this node holds (when Redis answers); idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    const rooms = [...this.owned].map((r) => ROOM_KEY_PREFIX + r);
    this.owned.clear();
    if (!this.link.ready) return;
    // The node record is this node's own; a room key only while it still names this node.
    const release = this.redis.multi().del(NODE_KEY_PREFIX + this.nodeId);
    if (rooms.length > 0) release.eval(RELEASE_SCRIPT, rooms.length, ...rooms, this.nodeId);
    await release.exec().catch((err: unknown) => this.logger.warn({ err }, 'close() | release failed'));
  }
}
