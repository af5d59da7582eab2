import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolve } from 'node:path';
import { Hocuspocus } from '@hocuspocus/server';
import { WebSocketServer } from 'ws';
import { AppError, ERRORS, NotFoundError, TokenIssuer, TokenVerifier, connectionsGauge, isOriginAllowed, readyGauge, rejectUpgrade, renderMetrics, type AuditLog, type Logger } from '@coderoom/shared';
import type { CollabConfig } from './config.js';
import { openStorage, type Storage } from './Storage.js';
import type { DocumentStore } from './DocumentStore.js';
import type { RoomStore } from './RoomStore.js';
import type { AccountStore } from './AccountStore.js';
import type { WorkspaceStore } from './WorkspaceStore.js';
import type { RoomAccessStore } from './RoomAccessStore.js';
import { WriteAheadQueue } from './WriteAheadQueue.js';
import { AccountsApi, SESSION_COOKIE } from './AccountsApi.js';
import { RoomAccess } from './RoomAccess.js';
import { AccessApi } from './AccessApi.js';
import { AuditApi } from './AuditApi.js';
import { Presence } from './Presence.js';
import { buildOpenApi } from './openapi.js';
import { DurableLog } from './DurableLog.js';
import { Authorizer, type SocketContext } from './Authorizer.js';
import { FileIndex } from './FileIndex.js';
import { Workspace } from './Workspace.js';
import { WorkspaceSync } from './WorkspaceSync.js';
import { SyncRecords } from './SyncRecords.js';
import { GitImport } from './GitImport.js';
import { Api } from './Api.js';
import { ReviewApi } from './ReviewApi.js';
import { ReviewGit } from './ReviewGit.js';
import { StaticFiles } from './StaticFiles.js';
import { readCookie, requireSameOrigin, sendError, sendJson, setSecurityHeaders } from './http.js';
import { SocketGuard } from './SocketGuard.js';
import { CollabMetrics, trackRequest } from './CollabMetrics.js';
import { ScaleOut } from './ScaleOut.js';

/** Handles a WebSocket upgrade on a mounted path. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Something the hub closes on shutdown (another plane mounted on this server). */
export interface Closable {
  close(): Promise<void>;
}

/** A readiness check of a mounted plane: null when ready, else the reason. */
export type ReadinessCheck = () => string | null;

/** Facts a mounted plane adds to the /readyz body (e.g. its workers). */
export type ReadinessDetails = () => unknown;

/**
 * The control plane and document server: REST API, Hocuspocus at /collab, health, and the
 * static web app, on one HTTP server. Other planes mount their WebSocket paths on it.
 */
export class CollabServer {
  readonly httpServer: Server;
  readonly hocuspocus: Hocuspocus;
  readonly documents: DocumentStore;
  readonly rooms: RoomStore;
  readonly audit: AuditLog;
  readonly verifier: TokenVerifier;
  readonly api: Api;
  readonly accounts: AccountStore;
  readonly accountsApi: AccountsApi;
  readonly workspaces: WorkspaceStore;
  readonly access: RoomAccessStore;
  /** Roles, removals and token issuing; the hub listens to its removals (PART4). */
  readonly roomAccess: RoomAccess;
  private readonly accessApi: AccessApi;
  /** Redis scale-out (documents across nodes, room directory); null without REDIS_URL. */
  readonly scaleOut: ScaleOut | null;
  private readonly durableLog: DurableLog;
  private readonly workspaceSync: WorkspaceSync;
  private readonly wss: WebSocketServer;
  private readonly upgrades = new Map<string, UpgradeHandler>();
  private readonly children: Closable[] = [];
  private readonly readinessChecks = new Map<string, { check: ReadinessCheck; details?: ReadinessDetails }>();
  private readonly staticFiles: StaticFiles | null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly config: CollabConfig,
    private readonly logger: Logger,
    readonly storage: Storage,
    readonly issuer: TokenIssuer,
  ) {
    this.documents = storage.documents;
    this.rooms = storage.rooms;
    this.audit = storage.audit;
    this.verifier = new TokenVerifier(issuer.jwks());
    this.workspaces = storage.workspaces;
    this.access = storage.access;
    this.accounts = storage.accounts;
    // Set below, once Hocuspocus exists; the Authorizer only calls it for connections, after construction.
    let roomAccess: RoomAccess | null = null;
    const currentRole = (roomId: string, sub: string, role: Parameters<RoomAccess['currentRole']>[2]) => roomAccess!.currentRole(roomId, sub, role);
    this.durableLog = new DurableLog(this.documents, { compactEveryUpdates: config.COMPACT_EVERY_UPDATES, compactEveryBytes: config.COMPACT_EVERY_BYTES }, logger.child({ component: 'DurableLog' }));
    const fileIndex = new FileIndex(this.rooms);
    const workspace = new Workspace(resolve(config.DATA_DIR, 'workspaces'), config.WORKSPACE_MAX_FILE_BYTES);
    this.workspaceSync = new WorkspaceSync(workspace, new SyncRecords(resolve(config.DATA_DIR, 'workspace-sync')), { writeDebounceMs: config.WORKSPACE_WRITE_DEBOUNCE_MS, pollMs: config.WORKSPACE_POLL_MS }, logger.child({ component: 'WorkspaceSync' }));
    const gitImport = new GitImport(workspace, { localRoots: config.WORKSPACE_GIT_LOCAL_ROOTS, timeoutMs: config.WORKSPACE_GIT_TIMEOUT_MS }, logger.child({ component: 'GitImport' }));
    this.scaleOut = config.REDIS_URL ? new ScaleOut(config, logger.child({ component: 'ScaleOut' })) : null;
    if (this.scaleOut) this.durableLog.skipOrigin(this.scaleOut.documents.redisTransactionOrigin);
    this.hocuspocus = new Hocuspocus({
      quiet: true,
      extensions: [this.durableLog, new CollabMetrics(), new Authorizer(this.verifier, this.rooms, currentRole, logger.child({ component: 'Authorizer' })), new Presence(this.audit), this.workspaceSync, fileIndex, new WriteAheadQueue(this.durableLog, logger.child({ component: 'WriteAheadQueue' })), ...(this.scaleOut ? [this.scaleOut.documents] : [])],
    });
    fileIndex.attach(this.hocuspocus);
    this.accountsApi = new AccountsApi({ config, accounts: this.accounts, audit: this.audit });
    this.roomAccess = roomAccess = new RoomAccess({
      config, rooms: this.rooms, workspaces: this.workspaces, access: this.access, accountsApi: this.accountsApi, issuer, verifier: this.verifier, hocuspocus: this.hocuspocus, audit: this.audit,
    });
    this.api = new Api({ config, logger, rooms: this.rooms, documents: this.documents, durableLog: this.durableLog, fileIndex, workspace, workspaceSync: this.workspaceSync, gitImport, hocuspocus: this.hocuspocus, issuer, verifier: this.verifier, audit: this.audit, roomAccess });
    this.accountsApi.mount(this.api.router);
    const git = new ReviewGit({ timeoutMs: config.WORKSPACE_GIT_TIMEOUT_MS, maxFileBytes: config.WORKSPACE_MAX_FILE_BYTES });
    new ReviewApi({ config, rooms: this.rooms, workspace, workspaceSync: this.workspaceSync, hocuspocus: this.hocuspocus, git, audit: this.audit, authorize: (req, roomId) => this.api.authorize(req, roomId) }).mount(this.api.router);
    this.accessApi = new AccessApi({ config, rooms: this.rooms, workspaces: this.workspaces, access: this.access, accounts: this.accounts, accountsApi: this.accountsApi, roomAccess, audit: this.audit }).mount(this.api.router);
    new AuditApi({ audit: this.audit, accountsApi: this.accountsApi, roomAccess, workspaces: this.workspaces }).mount(this.api.router);
    this.api.router.add('GET', '/api/openapi.json', (_req, res) => sendJson(res, 200, buildOpenApi(this.api.router)), {
      summary: 'This document: the REST API as OpenAPI 3.1, generated from the zod schemas the routes validate with', tag: 'meta', auth: 'none',
    });
    if (this.scaleOut) {
      const scaleOut = this.scaleOut;
      scaleOut.mount(this.api);
      this.addReadinessCheck('redis', () => scaleOut.readiness(), () => scaleOut.details());
    }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.COLLAB_MAX_MESSAGE_BYTES });
    this.staticFiles = config.WEB_DIST_DIR ? new StaticFiles(config.WEB_DIST_DIR) : null;
    this.httpServer = createServer((req, res) => {
      trackRequest(req, res, this.api.router);
      this.handleRequest(req, res).catch((err: unknown) => sendError(res, err, this.logger));
    });
    this.httpServer.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
    this.mountUpgrade('/collab', (req, socket, head) => this.upgradeCollab(req, socket, head));
  }

  /** Opens storage (SQLite under DATA_DIR, or PostgreSQL at DATABASE_URL) and keys under DATA_DIR; call `listen()` to serve. */
  static async open(config: CollabConfig, logger: Logger): Promise<CollabServer> {
    const storage = await openStorage(config, logger.child({ component: 'Storage' }));
    try {
      const issuer = await TokenIssuer.open(config.DATA_DIR);
      return new CollabServer(config, logger, storage, issuer);
    } catch (err) {
      await storage.close();
      throw err;
    }
  }

  /** Routes WebSocket upgrades on `path` to `handler`. */
  mountUpgrade(path: string, handler: UpgradeHandler): void {
    this.upgrades.set(path, handler);
  }

  /** Adds a named check to /readyz (e.g. mediasoup workers alive), with optional details for its body. */
  addReadinessCheck(name: string, check: ReadinessCheck, details?: ReadinessDetails): void {
    this.readinessChecks.set(name, { check, details });
  }

  /** Closes `child` on shutdown, before storage closes. */
  own(child: Closable): void {
    this.children.push(child);
  }

  /** Starts listening on HOST:PORT. */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(this.config.PORT, this.config.HOST, () => {
        this.httpServer.off('error', reject);
        resolve();
      });
    });
    const address = this.httpServer.address() as AddressInfo;
    this.scaleOut?.start(this.config.PUBLIC_URL || `http://${address.address}:${address.port}`);
    this.logger.info({ host: address.address, port: address.port }, 'listen() | serving');
    return address;
  }

  /** Readiness: storage answers, every mounted plane's check passes, and the server is not shutting down. */
  async readiness(): Promise<{ ready: boolean; reason?: string }> {
    if (this.closing) return { ready: false, reason: 'shutting down' };
    const storage = await this.storage.check();
    if (storage !== null) return { ready: false, reason: `storage: ${storage}` };
    for (const [name, { check }] of this.readinessChecks) {
      const reason = check();
      if (reason !== null) return { ready: false, reason: `${name}: ${reason}` };
    }
    return { ready: true };
  }

  private async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const r = await this.readiness();
      const details: Record<string, unknown> = {};
      for (const [name, { details: d }] of this.readinessChecks) if (d) details[name] = d();
      return sendJson(res, r.ready ? 200 : 503, r.ready ? { status: 'ready', ...details } : { status: 'not-ready', reason: r.reason, ...details });
    }
    if (pathname === '/metrics') {
      readyGauge.set((await this.readiness()).ready ? 1 : 0);
      const { contentType, body } = await renderMetrics();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    if (pathname === '/api' || pathname.startsWith('/api/')) {
      const route = this.api.router.match(req.method ?? 'GET', pathname);
      if (route === null) throw new NotFoundError(`no route ${req.method} ${pathname.slice(0, 200)}`);
      if (route === 'methodMismatch') throw new AppError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${pathname.slice(0, 200)}`);
      // CSRF (SEC10): a state-changing call that may be authenticated by the session cookie (it
      // carries one, and either no bearer token or a route that reads only the cookie) must be
      // same-origin JSON; nothing runs otherwise.
      const cookieDecides = req.headers.authorization === undefined || route.doc?.auth === 'cookie';
      if (req.method !== 'GET' && req.method !== 'HEAD' && cookieDecides && readCookie(req, SESSION_COOKIE) !== null) {
        requireSameOrigin(req, this.config.ALLOWED_ORIGINS);
      }
      await route.handler(req, res, route.params);
      return;
    }
    if (this.staticFiles?.serve(req, res, pathname)) return;
    throw new NotFoundError('not found');
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const pathname = (req.url ?? '/').split('?')[0]!;
    const handler = this.upgrades.get(pathname);
    if (this.closing) return rejectUpgrade(socket, 'UNAVAILABLE', 'server shutting down');
    if (!handler) return rejectUpgrade(socket, 'NOT_FOUND', `no WebSocket endpoint at ${pathname.slice(0, 200)}`);
    handler(req, socket, head);
  }

  private upgradeCollab(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!isOriginAllowed(req, this.config.ALLOWED_ORIGINS)) return rejectUpgrade(socket, 'FORBIDDEN', 'Origin not allowed');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A socket that never authenticates a document would hold resources forever.
      const timer = setTimeout(() => ws.close(ERRORS.UNAUTHORIZED.closeCode, 'UNAUTHORIZED: no document authenticated in time'), this.config.COLLAB_AUTH_TIMEOUT_MS);
      connectionsGauge.inc({ plane: 'collab' });
      ws.once('close', () => {
        clearTimeout(timer);
        connectionsGauge.dec({ plane: 'collab' });
      });
      // Protocol errors (e.g. a frame over maxPayload) are emitted here; ws closes the socket itself.
      ws.on('error', (err) => this.logger.debug({ err: err.message }, 'upgradeCollab() | socket error'));
      const guard = new SocketGuard(ws);
      const context: SocketContext = {
        onAuthenticated: (documentName) => {
          clearTimeout(timer);
          guard.authenticatedDocument(documentName);
        },
      };
      this.hocuspocus.handleConnection(ws, req, context);
    });
  }

  /**
   * Graceful shutdown, idempotent: stop accepting, close mounted planes, close every socket,
   * write open files back to their workspaces, compact every loaded document, close storage.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.logger.info('close() | shutting down');
    const stopped = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    this.accessApi.close();
    for (const child of this.children.reverse()) {
      await child.close().catch((err: unknown) => this.logger.error({ err }, 'close() | child failed'));
    }
    // Sockets first, so nothing can be applied (and acknowledged) after logging stops.
    this.hocuspocus.closeConnections();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await this.workspaceSync.close();
    await this.durableLog.close();
    await this.scaleOut?.close();
    this.httpServer.closeAllConnections();
    await stopped;
    await this.storage.close();
    this.logger.info('close() | done');
  }
}
