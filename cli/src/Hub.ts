import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { CollabServer, loadCollabConfig } from '@coderoom/collab-server';
import type { Logger } from '@coderoom/shared';

/** Where the web app is built to, relative to this package. */
export const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** The all-in-one hub: every plane in one process on one port. */
export class Hub {
  private constructor(readonly collab: CollabServer) {}

  static async start(env: Record<string, string | undefined>, logger: Logger): Promise<{ hub: Hub; address: AddressInfo }> {
    const config = loadCollabConfig({ WEB_DIST_DIR: DEFAULT_WEB_DIST_DIR, ...env });
    const collab = await CollabServer.open(config, logger.child({ plane: 'collab' }));
    const hub = new Hub(collab);
    const address = await collab.listen();
    return { hub, address };
  }

  /** Graceful, idempotent shutdown of every plane. */
  close(): Promise<void> {
    return this.collab.close();
  }
}
