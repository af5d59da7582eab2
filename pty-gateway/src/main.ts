// Runs the pty gateway on its own HTTP server (scale-out mode); the all-in-one hub mounts it instead.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createLogger, createPgPool, PgAuditLog, readyGauge, renderMetrics, TokenVerifier, type AuditSink } from '@coderoom/shared';
import { loadPtyConfig } from './config.js';
import { createPtyGateway } from './PtyGateway.js';
import { SqliteAuditSink } from './SqliteAuditSink.js';

/** How long a stop waits for queued audit events. */
const AUDIT_FLUSH_TIMEOUT_MS = 5000;
/** Where the upgrade is served. */
const PTY_PATH = '/pty';

const config = loadPtyConfig(process.env);
const logger = createLogger(config.logLevel).child({ service: 'pty-gateway' });
let verifier: TokenVerifier;
try {
  verifier = TokenVerifier.fromDataDir(config.dataDir);
} catch (err) {
  console.error(`pty-gateway: ${(err as Error).message}`);
  process.exit(1);
}
// With DATABASE_URL the audit goes to the control plane's PostgreSQL (its `audit` table); else to a local SQLite file.
const pool = config.databaseUrl ? createPgPool(config.databaseUrl, 2) : null;
pool?.on('error', (err) => logger.warn({ err: err.message }, 'main | idle PostgreSQL connection error'));
const audit: AuditSink & { close(): void; flush?(timeoutMs: number): Promise<void> } = pool
  ? new PgAuditLog(pool, logger.child({ component: 'PgAuditLog' }))
  : new SqliteAuditSink(join(config.dataDir, 'pty-audit.sqlite'));
const gateway = createPtyGateway({ config, logger, verifier: verifier, audit });

/** Set once SIGTERM/SIGINT arrived. */
let stopping = false;

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  if (req.url === '/readyz') {
    // Ready while serving; not ready once a shutdown began, so a balancer stops sending sockets.
    res.writeHead(stopping ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stopping ? { status: 'not-ready', reason: 'shutting down' } : { status: 'ready' }));
    return;
  }
  if (req.url === '/metrics') {
    // The gateway has no dependency to wait for: serving is being ready.
    readyGauge.set(1);
    renderMetrics().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err)),
    );
    return;
  }
  const m = /^\/api\/rooms\/([^/]+)\/recordings(?:\/([^/]+))?$/.exec(req.url ?? '');
  if (m) {
    // Standalone mode has no accounts: recordings are served to the local host only (HOST defaults to 127.0.0.1).
    const [, roomId = '', id] = m;
    if (!id) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ recordings: gateway.listRecordings(roomId) }));
      return;
    }
    const path = gateway.recordingPath(roomId, id);
    if (path) {
      res.writeHead(200, { 'content-type': 'application/x-asciicast' }).end(readFileSync(path));
      return;
    }
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not found' } }));
});
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url ?? '/', 'http://localhost').pathname === PTY_PATH) gateway.handleUpgrade(req, socket, head);
  else socket.destroy();
});
server.listen(config.port, config.host, () => logger.info({ host: config.host, port: config.port }, 'main | pty gateway listening'));

async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'main | stopping');
  await gateway.close();
  server.close();
  await audit.flush?.(AUDIT_FLUSH_TIMEOUT_MS);
  audit.close();
  await pool?.end();
}
process.once('SIGINT', () => void stop('SIGINT'));
process.once('SIGTERM', () => void stop('SIGTERM'));
