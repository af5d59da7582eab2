// Runs the media server on its own HTTP server (scale-out mode); the all-in-one hub mounts it instead.
import { createServer } from 'node:http';
import { createLogger, readyGauge, renderMetrics, TokenVerifier } from '@coderoom/shared';
import { loadMediaConfig } from './config.js';
import { createMediaServer } from './MediaServer.js';
import { LogAuditSink } from './LogAuditSink.js';

/** Where the upgrade is served. */
const MEDIA_PATH = '/media';

const config = loadMediaConfig(process.env);
const logger = createLogger(config.logLevel).child({ service: 'media-server' });
let verifier: TokenVerifier;
try {
  verifier = TokenVerifier.fromDataDir(config.dataDir);
} catch (err) {
  console.error(`media-server: ${(err as Error).message}`);
  process.exit(1);
}

const media = await createMediaServer({
  config,
  logger,
  verifier,
  audit: new LogAuditSink(logger.child({ component: 'audit' })),
  allowedOrigins: [],
});

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
    return;
  }
  if (path === '/metrics') {
    readyGauge.set(media.readiness() === null ? 1 : 0);
    renderMetrics().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
    return;
  }
  if (path === '/readyz') {
    const reason = media.readiness();
    res.writeHead(reason === null ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reason === null ? { status: 'ready', workers: media.workers() } : { status: 'not-ready', reason, workers: media.workers() }));
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not found' } }));
});
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url ?? '/', 'http://localhost').pathname === MEDIA_PATH) media.handleUpgrade(req, socket, head);
  else socket.destroy();
});
server.listen(config.port, config.host, () => logger.info({ host: config.host, port: config.port }, 'main | media server listening'));

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'main | stopping');
  await media.close();
  server.close();
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
