import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@coderoom/shared';
import type { CollabConfig } from './config.js';
import type { Api } from './Api.js';
import { sendJson } from './http.js';
import { RedisLink } from './RedisLink.js';
import { RedisDocuments } from './RedisDocuments.js';
import { RoomDirectory } from './RoomDirectory.js';

/**
 * Scale-out with Redis (SPEC SCALE1-4), present when REDIS_URL is set: documents across nodes
 * (RedisDocuments), the room directory (RoomDirectory) and the health of both (RedisLink).
 */
export class ScaleOut {
  readonly nodeId: string;
  readonly link: RedisLink;
  readonly documents: RedisDocuments;
  readonly directory: RoomDirectory;
  private closing: Promise<void> | null = null;

  constructor(config: CollabConfig, logger: Logger) {
    this.nodeId = config.NODE_ID || `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
    const log = logger.child({ nodeId: this.nodeId });
    this.link = new RedisLink(config.REDIS_URL, `coderoom:${this.nodeId}`, log.child({ component: 'RedisLink' }));
    this.documents = new RedisDocuments(this.link, this.nodeId, log.child({ component: 'RedisDocuments' }));
    this.directory = new RoomDirectory(this.link, this.nodeId, config.ROOM_LEASE_MS, log.child({ component: 'RoomDirectory' }));
  }

  /** `GET /api/rooms/:id/node`: the node that owns the room's terminals and calls (claimed by this node when none does). */
  mount(api: Api): void {
    api.router.add('GET', '/api/rooms/:id/node', async (req, res, p) => {
      await api.authorize(req, p.id!);
      const owner = await this.directory.owner(p.id!);
      sendJson(res, 200, { nodeId: owner.nodeId, url: owner.url, self: owner.self, leaseMs: this.directory.leaseMs });
    });
  }

  /** Starts advertising this node at `publicUrl` and renewing its leases. */
  start(publicUrl: string): void {
    this.directory.start(publicUrl);
  }

  /** For /readyz: null when Redis is reachable, else why not. */
  readiness(): string | null {
    return this.link.readiness();
  }

  /** For the /readyz body. */
  details(): { nodeId: string; connected: boolean; reason: string | null; ownedRooms: number } {
    const reason = this.link.readiness();
    return { nodeId: this.nodeId, connected: reason === null, reason, ownedRooms: this.directory.ownedRooms().length };
  }

  /** Gives up this node's leases and disconnects from Redis; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.directory.close().then(() => this.link.close());
    return this.closing;
  }
}
