import { createReadStream, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { CollabServer, REMOVED_REASON, loadCollabConfig, sendJson, type ScaleOut } from '@coderoom/collab-server';
import { createPtyGateway, loadPtyConfig, type PtyGateway } from '@coderoom/pty-gateway';
import { createMediaServer, loadMediaConfig, type MediaServer } from '@coderoom/media-server';
import { AppError, ERRORS, NotFoundError, PTY_CLOSE_REASONS, type Logger } from '@coderoom/shared';

/** Where the web app is built to, relative to this package. */
export const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** The all-in-one hub: every plane in one process on one port. */
export class Hub {
  private constructor(
    readonly collab: CollabServer,
    readonly pty: PtyGateway,
    readonly media: MediaServer,
  ) {}

  static async start(env: Record<string, string | undefined>, logger: Logger): Promise<{ hub: Hub; address: AddressInfo }> {
    const config = loadCollabConfig({ WEB_DIST_DIR: DEFAULT_WEB_DIST_DIR, ...env });
    const collab = await CollabServer.open(config, logger.child({ plane: 'collab' }));
    const pty = createPtyGateway({
      config: loadPtyConfig({ ...env, PTY_ALLOWED_ORIGINS: env.PTY_ALLOWED_ORIGINS ?? env.ALLOWED_ORIGINS }),
      logger: logger.child({ plane: 'pty' }),
      verifier: collab.verifier,
      audit: collab.audit,
      admitRoom: collab.scaleOut ? relayToOwner(collab.scaleOut) : undefined,
    });
    collab.mountUpgrade('/pty', (req, socket, head) => pty.handleUpgrade(req, socket, head));
    collab.scaleOut?.directory.on('lost', (roomId) => void pty.evictRoom(roomId));
    collab.own(pty);
    mountRecordings(collab, pty);
    let media: MediaServer;
    try {
      media = await createMediaServer({
        config: loadMediaConfig({ ...env, MEDIA_ALLOWED_ORIGINS: env.MEDIA_ALLOWED_ORIGINS ?? env.ALLOWED_ORIGINS }),
        logger: logger.child({ plane: 'media' }),
        verifier: collab.verifier,
        audit: collab.audit,
        allowedOrigins: config.ALLOWED_ORIGINS,
        admitRoom: collab.scaleOut ? ownerOnly(collab.scaleOut) : undefined,
      });
    } catch (err) {
      await collab.close();
      throw err;
    }
    collab.mountUpgrade('/media', (req, socket, head) => media.handleUpgrade(req, socket, head));
    collab.addReadinessCheck('media', () => media.readiness(), () => ({ workers: media.workers() }));
    collab.own(media);
    // A participant a host removes loses terminals and call at once, not at their token's expiry (PART4).
    collab.roomAccess.onRemoved((roomId, sub) => {
      pty.disconnect(roomId, sub, ERRORS.FORBIDDEN.closeCode, REMOVED_REASON);
      media.disconnect(roomId, sub, ERRORS.FORBIDDEN.closeCode, REMOVED_REASON);
    });
    // Terminal clients answer 4401 by refreshing their token (which carries the new role) and reconnecting (PART7).
    collab.roomAccess.onRoleChanged((roomId, sub) => pty.disconnect(roomId, sub, ERRORS.UNAUTHORIZED.closeCode, PTY_CLOSE_REASONS.ROLE_CHANGED));
    const hub = new Hub(collab, pty, media);
    const address = await collab.listen();
    return { hub, address };
  }

  /** Graceful, idempotent shutdown of every plane. */
  close(): Promise<void> {
    return this.collab.close();
  }
}

/** Scale-out: a room's terminals run on the node that holds its lease; other nodes send clients there. */
function ownerOnly(scaleOut: ScaleOut): (roomId: string) => Promise<void> {
  return async (roomId) => {
    const owner = await scaleOut.directory.owner(roomId);
    if (!owner.self) throw new AppError('WRONG_NODE', `room ${roomId} is served by node ${owner.nodeId}`);
  };
}

/** Scale-out: terminal sockets for a room another node owns are relayed to that node's advertised URL (PTY18). */
function relayToOwner(scaleOut: ScaleOut): (roomId: string) => Promise<string | null> {
  return async (roomId) => {
    const owner = await scaleOut.directory.owner(roomId);
    if (owner.self) return null;
    // No URL: the owner's node record expired (it is dying); the client asks again later.
    if (owner.url === null) throw new AppError('WRONG_NODE', `room ${roomId} is served by node ${owner.nodeId}, which is not reachable`);
    return owner.url;
  };
}

/** REST for terminal recordings: any participant of the room may list and download them. */
function mountRecordings(collab: CollabServer, pty: PtyGateway): void {
  collab.api.router
    .add('GET', '/api/rooms/:id/recordings', async (req, res, p) => {
      await collab.api.authorize(req, p.id!);
      sendJson(res, 200, { recordings: pty.listRecordings(p.id!) });
    }, { summary: "The room's terminal recordings (any participant)", tag: 'recordings', auth: 'bearer', errors: ['FORBIDDEN'] })
    .add('GET', '/api/rooms/:id/recordings/:rec', async (req, res, p) => {
      await collab.api.authorize(req, p.id!);
      const file = pty.recordingPath(p.id!, p.rec!);
      if (!file) throw new NotFoundError('recording not found');
      res.writeHead(200, {
        'content-type': 'application/x-asciicast',
        'content-length': statSync(file).size,
        'content-disposition': `attachment; filename="${p.rec!}.cast"`,
        'cache-control': 'no-store',
      });
      createReadStream(file).pipe(res);
    }, { summary: 'Download a recording (asciicast v2)', tag: 'recordings', auth: 'bearer', produces: 'application/x-asciicast', errors: ['FORBIDDEN', 'NOT_FOUND'] });
}
