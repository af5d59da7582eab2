import { randomBytes } from 'node:crypto';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  isHost,
  canEdit,
  PTY_PROTOCOL_VERSION,
  DRIVE_ALL_TERMINALS_GRANT,
  type PtyClientMessage,
  type PtyServerMessage,
  type TerminalInfo,
  type PtyPerson,
} from '@coderoom/shared/client';
import type { AuditSink, Logger, TokenVerifier } from '@coderoom/shared';
import type { PtyConfig } from './config.js';
import type { ClientConnection } from './ClientConnection.js';
import { TerminalSession } from './TerminalSession.js';
import { TerminalView } from './TerminalView.js';
import { Recorder } from './Recorder.js';
import type { RecordingStore } from './RecordingStore.js';
import type { RateLimiter } from './RateLimiter.js';
import type { ShellLauncher } from './ShellLauncher.js';

/** Default size of a new terminal. */
export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;
/** Characters of each input kept in the audit log. */
export const AUDIT_INPUT_PREVIEW_CHARS = 256;

/** What a room needs from the gateway. */
export interface RoomDeps {
  config: PtyConfig;
  logger: Logger;
  audit: AuditSink;
  launcher: ShellLauncher;
  recordings: RecordingStore;
  inputLimiter: RateLimiter;
  verifier: TokenVerifier;
}

type Msg<T extends PtyClientMessage['type']> = Extract<PtyClientMessage, { type: T }>;

/**
 * A room's terminals and the clients connected to it: who may do what (hosts drive and manage,
 * editors create, drivers write, everyone watches), hands, recordings, broadcasts.
 */
export class TerminalRoom {
  readonly terminals = new Map<string, TerminalSession>();
  readonly connections = new Set<ClientConnection>();
  private readonly logger: Logger;
  private closed = false;

  constructor(readonly id: string, private readonly deps: RoomDeps) {
    this.logger = deps.logger.child({ roomId: id });
  }

  /** Whether nothing is left in the room (no terminal, no client). */
  get empty(): boolean {
    return this.terminals.size === 0 && this.connections.size === 0;
  }

  /** A client passed the handshake: welcome it and resume its terminal if asked. */
  join(conn: ClientConnection, resume: { terminalId: string; lastSeq: number } | undefined): void {
    const c = conn.claims!;
    this.connections.add(conn);
    this.audit(conn, 'terminal.join', null, null);
    conn.send({ type: 'welcome', protocolVersion: PTY_PROTOCOL_VERSION, you: { sub: c.sub, name: c.name, role: c.role }, terminals: [...this.terminals.values()].map((t) => this.info(t)) });
    if (isHost(c.role)) this.broadcastAllInfo();
    if (resume) {
      if (this.terminals.has(resume.terminalId)) this.open(conn, { type: 'open', terminalId: resume.terminalId, lastSeq: resume.lastSeq });
      else conn.sendError(new NotFoundError('no such terminal'), resume.terminalId, 'hello');
    }
  }

  /** A client left: its views are already closed; drop hands nobody is left to lower. */
  left(conn: ClientConnection): void {
    this.connections.delete(conn);
    const sub = conn.claims!.sub;
    if (this.present(sub)) return;
    for (const t of this.terminals.values()) {
      if (t.hands.delete(sub)) this.broadcastInfo(t);
    }
    if (isHost(conn.claims!.role)) this.broadcastAllInfo();
  }

  /** Dispatches one validated message. Throws AppError to refuse it. */
  handle(conn: ClientConnection, msg: PtyClientMessage): void | Promise<void> {
    if (this.closed) throw new UnavailableError('server shutting down');
    switch (msg.type) {
      case 'hello': return;
      case 'refresh': return this.refresh(conn, msg);
      case 'create': return this.create(conn, msg);
      case 'open': return this.open(conn, msg);
      case 'detach': return this.detach(conn, msg);
      case 'input': return this.input(conn, msg);
      case 'resize': return this.resize(conn, msg);
      case 'restart': return this.restart(conn, msg);
      case 'grant': return this.grant(conn, msg);
      case 'revoke': return this.revoke(conn, msg);
      case 'raiseHand': return this.raiseHand(conn, msg);
      case 'lowerHand': return this.lowerHand(conn, msg);
      case 'recordStart': return this.recordStart(conn, msg);
      case 'recordStop': return this.recordStop(conn, msg);
      case 'closeTerminal': return this.closeTerminal(conn, msg);
    }
  }

  /** Ids of recordings still being written. */
  activeRecordings(): Set<string> {
    const ids = new Set<string>();
    for (const t of this.terminals.values()) if (t.recording) ids.add(t.recording.id);
    return ids;
  }

  /** Kills every shell, finishes recordings; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const ts = [...this.terminals.values()];
    this.terminals.clear();
    await Promise.all(ts.map((t) => t.close()));
  }

  /**
   * Whether `sub` may write to the terminal: hosts, granted drivers, and tokens granting
   * `terminal:<id>:drive` or `terminal:*:drive` (editors of a pairing room).
   */
  isDriver(conn: ClientConnection, t: TerminalSession): boolean {
    const c = conn.claims!;
    return isHost(c.role) || t.drivers.has(c.sub) || c.grants.includes(`terminal:${t.id}:drive`) || c.grants.includes(DRIVE_ALL_TERMINALS_GRANT);
  }

  private async refresh(conn: ClientConnection, msg: Msg<'refresh'>): Promise<void> {
    const before = conn.claims!;
    try {
      const claims = await this.deps.verifier.verify(msg.token);
      if (claims.sub !== before.sub || claims.room !== this.id) return conn.sendError(new ForbiddenError('token is for another subject or room'), undefined, 'refresh');
      conn.setClaims(claims);
      if (claims.role !== before.role) this.broadcastAllInfo();
    } catch {
      conn.sendError(new ForbiddenError('invalid token'), undefined, 'refresh');
    }
  }

  private create(conn: ClientConnection, msg: Msg<'create'>): void {
    const c = conn.claims!;
    if (!canEdit(c.role)) throw new ForbiddenError('viewers cannot create terminals');
    const max = this.deps.config.maxTerminalsPerRoom;
    if (this.terminals.size >= max) throw new RateLimitedError(`this room already has ${max} terminals (PTY_MAX_TERMINALS_PER_ROOM)`);
    const id = `t${randomBytes(9).toString('base64url')}`;
    const workspace = this.deps.launcher.workspaceDir(this.id);
    const env = { CODEROOM_ROOM_ID: this.id, CODEROOM_TERMINAL_ID: id };
    const terminal: TerminalSession = new TerminalSession(
      id,
      msg.title ?? `Terminal ${this.terminals.size + 1}`,
      msg.cols ?? DEFAULT_COLS,
      msg.rows ?? DEFAULT_ROWS,
      this.deps.config.ringBytes,
      (cols, rows) => this.deps.launcher.spawn(workspace, cols, rows, env),
      {
        exited: (code, signal) => this.sendToViewers(terminal, { type: 'exit', terminalId: id, code, signal }),
        changed: () => this.broadcastInfo(terminal),
      },
      this.logger,
    );
    if (!isHost(c.role)) terminal.drivers.set(c.sub, c.name);
    this.terminals.set(id, terminal);
    this.logger.info({ terminalId: id, userId: c.sub }, 'create() | terminal started');
    this.audit(conn, 'terminal.create', id, { title: terminal.title });
    this.broadcastInfo(terminal);
    this.open(conn, { type: 'open', terminalId: id });
  }

  private open(conn: ClientConnection, msg: Msg<'open'>): void {
    const t = this.terminal(msg.terminalId);
    conn.views.get(t.id)?.close();
    const view = new TerminalView(t, conn, this.logger);
    conn.views.set(t.id, view);
    view.start(msg.lastSeq);
  }

  private detach(conn: ClientConnection, msg: Msg<'detach'>): void {
    conn.views.get(msg.terminalId)?.close();
    conn.views.delete(msg.terminalId);
  }

  private input(conn: ClientConnection, msg: Msg<'input'>): void {
    const t = this.terminal(msg.terminalId);
    const c = conn.claims!;
    if (!this.isDriver(conn, t)) throw new ForbiddenError('you do not have control of this terminal');
    if (!t.running) throw new ConflictError('the shell has exited; restart it first');
    const bytes = Buffer.byteLength(msg.data);
    if (!this.deps.inputLimiter.take(c.sub, bytes)) {
      throw new RateLimitedError(`input is limited to ${this.deps.config.inputBytesPerSecond} bytes per second (PTY_INPUT_BYTES_PER_SECOND)`);
    }
    t.write(msg.data);
    this.audit(conn, 'terminal.input', t.id, { bytes, text: msg.data.slice(0, AUDIT_INPUT_PREVIEW_CHARS), truncated: msg.data.length > AUDIT_INPUT_PREVIEW_CHARS });
  }

  private resize(conn: ClientConnection, msg: Msg<'resize'>): void {
    const t = this.terminal(msg.terminalId);
    if (!this.isDriver(conn, t)) throw new ForbiddenError('only drivers set the terminal size');
    t.resize(msg.cols, msg.rows);
  }

  private restart(conn: ClientConnection, msg: Msg<'restart'>): void {
    const t = this.terminal(msg.terminalId);
    if (!this.isDriver(conn, t)) throw new ForbiddenError('you do not have control of this terminal');
    if (t.running) throw new ConflictError('the shell is still running');
    t.restart();
    this.audit(conn, 'terminal.restart', t.id, null);
  }

  private grant(conn: ClientConnection, msg: Msg<'grant'>): void {
    const t = this.terminal(msg.terminalId);
    this.requireHost(conn, 'grant control');
    const target = this.participant(msg.sub);
    if (!target) throw new NotFoundError('no such participant in the room');
    t.drivers.set(msg.sub, target.name);
    t.hands.delete(msg.sub);
    this.audit(conn, 'terminal.grant', t.id, { to: msg.sub });
    this.broadcastInfo(t);
  }

  private revoke(conn: ClientConnection, msg: Msg<'revoke'>): void {
    const t = this.terminal(msg.terminalId);
    this.requireHost(conn, 'revoke control');
    if (!t.drivers.delete(msg.sub)) {
      const p = this.participant(msg.sub);
      throw p && isHost(p.role) ? new ConflictError('hosts always have control') : new NotFoundError('that participant does not have control');
    }
    this.audit(conn, 'terminal.revoke', t.id, { from: msg.sub });
    this.broadcastInfo(t);
  }

  private raiseHand(conn: ClientConnection, msg: Msg<'raiseHand'>): void {
    const t = this.terminal(msg.terminalId);
    const c = conn.claims!;
    if (this.isDriver(conn, t)) throw new ConflictError('you already have control');
    if (t.hands.has(c.sub)) return;
    t.hands.set(c.sub, c.name);
    this.audit(conn, 'terminal.hand.raise', t.id, null);
    this.broadcastInfo(t);
  }

  private lowerHand(conn: ClientConnection, msg: Msg<'lowerHand'>): void {
    const t = this.terminal(msg.terminalId);
    const c = conn.claims!;
    const sub = msg.sub ?? c.sub;
    if (sub !== c.sub) this.requireHost(conn, "lower someone else's hand");
    if (t.hands.delete(sub)) this.broadcastInfo(t);
  }

  private async recordStart(conn: ClientConnection, msg: Msg<'recordStart'>): Promise<void> {
    const t = this.terminal(msg.terminalId);
    this.requireHost(conn, 'record');
    if (t.recording) throw new ConflictError('this terminal is already being recorded');
    const { id, path } = this.deps.recordings.allocate(this.id, t.id);
    const recorder = new Recorder(id, path, { width: t.cols, height: t.rows, title: t.title, env: { TERM: 'xterm-256color', SHELL: this.deps.config.shell } }, this.logger);
    this.audit(conn, 'terminal.record.start', t.id, { recordingId: id });
    await t.startRecording(recorder);
  }

  private async recordStop(conn: ClientConnection, msg: Msg<'recordStop'>): Promise<void> {
    const t = this.terminal(msg.terminalId);
    this.requireHost(conn, 'stop recording');
    const r = t.recording;
    if (!r) throw new ConflictError('this terminal is not being recorded');
    this.audit(conn, 'terminal.record.stop', t.id, { recordingId: r.id });
    await t.stopRecording();
  }

  private async closeTerminal(conn: ClientConnection, msg: Msg<'closeTerminal'>): Promise<void> {
    const t = this.terminal(msg.terminalId);
    this.requireHost(conn, 'close terminals');
    this.terminals.delete(t.id);
    for (const c of this.connections) c.views.delete(t.id);
    this.audit(conn, 'terminal.close', t.id, null);
    this.broadcast({ type: 'terminalClosed', terminalId: t.id });
    await t.close();
  }

  private terminal(id: string): TerminalSession {
    const t = this.terminals.get(id);
    if (!t) throw new NotFoundError('no such terminal');
    return t;
  }

  private requireHost(conn: ClientConnection, what: string): void {
    if (!isHost(conn.claims!.role)) throw new ForbiddenError(`only hosts may ${what}`);
  }

  private participant(sub: string) {
    for (const c of this.connections) if (c.claims?.sub === sub) return c.claims;
    return null;
  }

  private present(sub: string): boolean {
    return this.participant(sub) !== null;
  }

  private info(t: TerminalSession): TerminalInfo {
    const drivers = new Map<string, string>();
    for (const c of this.connections) if (c.claims && isHost(c.claims.role)) drivers.set(c.claims.sub, c.claims.name);
    for (const [sub, name] of t.drivers) drivers.set(sub, name);
    const person = ([sub, name]: [string, string]): PtyPerson => ({ sub, name });
    return {
      id: t.id,
      title: t.title,
      cols: t.cols,
      rows: t.rows,
      status: t.status,
      drivers: [...drivers].map(person),
      hands: [...t.hands].map(person),
      recording: t.recording ? { id: t.recording.id, startedAt: t.recording.startedAt } : null,
      seq: t.ring.seq,
    };
  }

  private broadcastInfo(t: TerminalSession): void {
    if (this.closed || !this.terminals.has(t.id)) return;
    this.broadcast({ type: 'terminal', terminal: this.info(t) });
  }

  private broadcastAllInfo(): void {
    for (const t of this.terminals.values()) this.broadcastInfo(t);
  }

  private broadcast(msg: PtyServerMessage): void {
    const frame = Buffer.from(JSON.stringify(msg));
    for (const c of this.connections) c.sendFrame(frame);
  }

  private sendToViewers(t: TerminalSession, msg: PtyServerMessage): void {
    for (const c of this.connections) if (c.views.has(t.id)) c.send(msg);
  }

  private audit(conn: ClientConnection, action: string, target: string | null, detail: Record<string, unknown> | null): void {
    const c = conn.claims!;
    try {
      this.deps.audit.append({ at: Date.now(), roomId: this.id, actor: c.sub, actorName: c.name, action, target, detail });
    } catch (err) {
      this.logger.error({ err, action }, 'audit() | append failed');
    }
  }
}
