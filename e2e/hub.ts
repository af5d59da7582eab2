import { createServer } from 'node:net';
import { startHubProcess, type HubProcess } from '../cli/test/hubProcess.js';

export { startHubProcess, type HubProcess };

/** A port that was free a moment ago (so a restarted hub can come back on the same one). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
