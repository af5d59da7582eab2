import { HocuspocusProvider, HocuspocusProviderWebsocket, WebSocketStatus } from '@hocuspocus/provider';
import { errorCodeForClose, FILE_INDEX_MAP, formatDocName, RoleSchema, roomIndexDocName, type FileEntry, type Role } from '@coderoom/shared/client';
import * as Y from 'yjs';
import { colorForSub } from './colors';
import { Store } from './Store';
import type { TokenKeeper } from './TokenKeeper';
import { FileSession, type AwarenessUser } from './FileSession';
import { ViewStateSchema, type ViewState } from './review/viewState';
import { parseAccessNotice } from './access/roleNotice';

/** What the header shows about the socket. */
export interface ConnectionInfo {
  /** `connected` once the socket is open and the room index is in sync. */
  state: 'connected' | 'connecting' | 'disconnected';
  /** Failed attempts since the connection was last up. */
  attempts: number;
  /** When the current state began, ms since the epoch. */
  since: number;
}

/** One person (one browser tab) in the room, from the index document's awareness. */
export interface Peer {
  clientId: number;
  /** Identifies the tab across documents (each Y.Doc has its own awareness client id). */
  tab: string;
  name: string;
  color: string;
  sub: string;
  role: Role;
  /** The file they have open, or null. */
  file: string | null;
  /** Editor or diff, its base and layout, and the first line they see (for follow mode). */
  view: ViewState | null;
  /** A host asking everyone to follow them. */
  presenting: boolean;
  self: boolean;
}

/** A file of the room's index. */
export interface FileItem {
  path: string;
  entry: FileEntry;
}

/** Something the room cannot go on without (the UI shows it instead of the room). */
export interface FatalError {
  code: string;
  message: string;
}

/** Longest wait between reconnect attempts (the provider's default, 30 s, feels broken after a hub restart). */
const MAX_RECONNECT_DELAY_MS = 10_000;
/** A delete and an add of the same entry this close together are a rename. */
const RENAME_WINDOW_MS = 5000;

/** The room rides in the query so a load balancer can keep a room's sockets on one server (infra/README.md); the server ignores it. */
function collabUrl(roomId: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab?room=${encodeURIComponent(roomId)}`;
}

function randomTabId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, '');
}

function readPeer(clientId: number, state: Record<string, unknown>, selfId: number): Peer | null {
  const user = state.user as Record<string, unknown> | undefined;
  if (!user || typeof user.name !== 'string' || typeof user.sub !== 'string' || typeof state.tab !== 'string') return null;
  const role = RoleSchema.safeParse(user.role);
  const color = typeof user.color === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(user.color) ? user.color : colorForSub(user.sub).color;
  return {
    clientId,
    tab: state.tab,
    name: user.name.slice(0, 64),
    color,
    sub: user.sub,
    role: role.success ? role.data : 'viewer',
    file: typeof state.file === 'string' ? state.file : null,
    view: ViewStateSchema.safeParse(state.view).data ?? null,
    presenting: role.success && role.data === 'host' && state.presenting === true,
    self: clientId === selfId,
  };
}

/**
 * A room's live connection: ONE WebSocket shared by the room index document and every open
 * file document (one HocuspocusProvider each). Documents are kept while the socket is down so
 * offline edits merge when it comes back. `close()` releases everything and is idempotent.
 */
export class RoomConnection {
  readonly connection = new Store<ConnectionInfo>({ state: 'connecting', attempts: 0, since: Date.now() });
  /** The room's files, sorted by path. */
  readonly files = new Store<readonly FileItem[]>([]);
  /** Whether the index has been received at least once (so an empty list means "no files"). */
  readonly filesLoaded = new Store(false);
  readonly peers = new Store<readonly Peer[]>([]);
  /** Local changes not yet acknowledged by the server, over all open files. */
  readonly unsynced = new Store(0);
  readonly fatal = new Store<FatalError | null>(null);
  /** This tab's id in awareness states. */
  readonly tab = randomTabId();

  /** The room's one socket (other documents of the room, such as the review, attach to it). */
  readonly socket: HocuspocusProviderWebsocket;
  private readonly index: HocuspocusProvider;
  private readonly sessions = new Map<string, FileSession>();
  /** Renames seen in the index, old path → new path. */
  private readonly renames = new Map<string, string>();
  /** Entries deleted from the index lately, to pair them with an add (a rename). */
  private readonly removed = new Map<string, { entry: FileEntry; at: number }>();
  private readonly disposers: Array<() => void> = [];
  private socketStatus: WebSocketStatus = WebSocketStatus.Connecting;
  private currentFile: string | null = null;
  private view: ViewState | null = null;
  private presenting = false;
  private authRetried = false;
  private closed = false;

  constructor(
    readonly roomId: string,
    private readonly keeper: TokenKeeper,
  ) {
    this.socket = new HocuspocusProviderWebsocket({ url: collabUrl(roomId), maxDelay: MAX_RECONNECT_DELAY_MS });
    this.socket.on('status', this.onSocketStatus);
    this.socket.on('disconnect', this.onSocketDisconnect);

    this.index = new HocuspocusProvider({
      websocketProvider: this.socket,
      name: roomIndexDocName(roomId),
      token: keeper.token,
      onAuthenticationFailed: ({ reason }) => void this.onAuthFailed(reason),
      onAuthenticated: () => {
        this.authRetried = false;
      },
      onSynced: () => {
        this.filesLoaded.set(true);
        this.updateConnection();
      },
      // access (issue 5): a host changed our role; editors become read-only or editable at once (PART3)
      onStateless: ({ payload }) => {
        const role = parseAccessNotice(payload);
        if (role) keeper.setRole(role);
      },
    });
    this.index.attach();

    const map = this.index.document.getMap<FileEntry>(FILE_INDEX_MAP);
    const onIndex = (event: Y.YMapEvent<FileEntry>): void => this.onIndexChange(map, event);
    map.observe(onIndex);
    this.disposers.push(() => map.unobserve(onIndex));

    const awareness = this.index.awareness!;
    const onPresence = (): void => this.updatePeers();
    awareness.on('change', onPresence);
    this.disposers.push(() => awareness.off('change', onPresence));
    this.publishPresence();

    const unsubscribe = keeper.session.subscribe(() => {
      this.publishPresence();
      for (const s of this.sessions.values()) s.setUser(this.user());
    });
    this.disposers.push(unsubscribe);

    window.addEventListener('online', this.retryNow);
    this.disposers.push(() => window.removeEventListener('online', this.retryNow));
  }

  /** Reconnects now instead of waiting for the next back-off attempt. */
  readonly retryNow = (): void => {
    if (this.closed || this.socketStatus === WebSocketStatus.Connected) return;
    void this.socket.connect();
  };

  /** The file's live document (kept open for the rest of the visit, so offline edits survive switching). */
  openFile(path: string): FileSession {
    let session = this.sessions.get(path);
    if (!session) {
      session = new FileSession({
        path,
        socket: this.socket,
        name: formatDocName({ roomId: this.roomId, kind: 'file', path }),
        token: this.keeper.token,
        onUnsynced: this.updateUnsynced,
      });
      this.sessions.set(path, session);
    }
    return session;
  }

  /** Tells the room which file this tab shows (presence) and shows our cursor only there. */
  setCurrentFile(path: string | null): void {
    this.currentFile = path;
    for (const [p, s] of this.sessions) s.setPresent(p === path ? this.user() : null, this.tab);
    this.publishPresence();
    this.pruneSessions();
  }

  /** Tells the room what this tab shows (editor or diff, scroll position) for those who follow it. */
  setView(view: ViewState | null): void {
    this.view = view;
    this.publishPresence();
  }

  /** A host asks everyone to follow them (or stops). */
  setPresenting(on: boolean): void {
    this.presenting = on;
    this.publishPresence();
  }

  /** A token for the REST API. */
  token(): Promise<string> {
    return this.keeper.token();
  }

  /** Where a file that left the index went, if it was renamed (following chains of renames). */
  renamedTo(path: string): string | null {
    const seen = new Set([path]);
    for (let to = this.renames.get(path); to !== undefined && !seen.has(to); to = this.renames.get(to)) {
      if (this.files.get().some((f) => f.path === to)) return to;
      seen.add(to);
    }
    return null;
  }

  /** The current session's role. */
  role(): Role {
    return this.keeper.session.get().role;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.disposers) d();
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
    this.index.destroy();
    this.index.document.destroy();
    this.socket.off('status', this.onSocketStatus);
    this.socket.off('disconnect', this.onSocketDisconnect);
    this.socket.destroy();
  }

  private user(): AwarenessUser {
    const s = this.keeper.session.get();
    const { color, colorLight } = colorForSub(s.sub);
    return { name: s.displayName, color, colorLight, sub: s.sub, role: s.role };
  }

  private publishPresence(): void {
    if (this.closed) return;
    this.index.awareness?.setLocalState({ user: this.user(), tab: this.tab, file: this.currentFile, view: this.view, presenting: this.presenting });
  }

  private updatePeers(): void {
    const awareness = this.index.awareness!;
    const selfId = this.index.document.clientID;
    const peers: Peer[] = [];
    awareness.getStates().forEach((state, clientId) => {
      const p = readPeer(clientId, state, selfId);
      if (p) peers.push(p);
    });
    peers.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.clientId - b.clientId);
    this.peers.set(peers);
  }

  private onIndexChange(map: Y.Map<FileEntry>, event: Y.YMapEvent<FileEntry>): void {
    // A rename reaches us as a delete and an add of the same entry, in one update or two.
    const now = Date.now();
    event.changes.keys.forEach((change, key) => {
      if (change.action === 'delete' && change.oldValue) this.removed.set(key, { entry: change.oldValue as FileEntry, at: now });
    });
    event.changes.keys.forEach((change, to) => {
      const entry = change.action === 'add' ? map.get(to) : undefined;
      if (!entry) return;
      for (const [from, r] of this.removed) {
        if (from !== to && r.entry.createdAt === entry.createdAt && r.entry.createdBy === entry.createdBy) {
          this.renames.set(from, to);
          this.removed.delete(from);
          break;
        }
      }
    });
    for (const [path, r] of this.removed) if (now - r.at > RENAME_WINDOW_MS) this.removed.delete(path);

    const items: FileItem[] = [];
    map.forEach((entry, path) => items.push({ path, entry }));
    items.sort((a, b) => a.path.localeCompare(b.path));
    this.files.set(items);
    this.pruneSessions();
  }

  /** Closes documents of files that left the index (the open one stays until we switch away). */
  private pruneSessions(): void {
    const map = this.index.document.getMap<FileEntry>(FILE_INDEX_MAP);
    let pruned = false;
    for (const [path, s] of this.sessions) {
      if (path === this.currentFile || map.has(path)) continue;
      s.destroy();
      this.sessions.delete(path);
      pruned = true;
    }
    if (pruned) this.updateUnsynced();
  }

  private readonly updateUnsynced = (): void => {
    let n = 0;
    for (const s of this.sessions.values()) n += s.provider.unsyncedChanges;
    this.unsynced.set(n);
  };

  private readonly onSocketStatus = ({ status }: { status: WebSocketStatus }): void => {
    this.socketStatus = status;
    this.updateConnection();
  };

  private readonly onSocketDisconnect = ({ event }: { event: { code: number; reason: string } }): void => {
    const code = errorCodeForClose(event.code);
    if (code === 'UNAUTHORIZED') void this.keeper.refreshNow();
    else if (code === 'NOT_FOUND' || code === 'FORBIDDEN') this.fail(code, event.reason);
    const c = this.connection.get();
    this.connection.set({ state: 'disconnected', attempts: c.state === 'disconnected' ? c.attempts + 1 : 1, since: c.state === 'disconnected' ? c.since : Date.now() });
  };

  private updateConnection(): void {
    if (this.closed) return;
    const c = this.connection.get();
    let state: ConnectionInfo['state'];
    if (this.socketStatus === WebSocketStatus.Disconnected) state = 'disconnected';
    else if (this.socketStatus === WebSocketStatus.Connected && this.index.isSynced) state = 'connected';
    else state = c.state === 'disconnected' ? 'disconnected' : 'connecting';
    if (state === c.state) return;
    this.connection.set({ state, attempts: state === 'connected' ? 0 : c.attempts, since: state === 'disconnected' && c.state === 'disconnected' ? c.since : Date.now() });
  }

  /** The index document refused our token: refresh it once and try again, then give up. */
  private async onAuthFailed(reason: string): Promise<void> {
    if (this.closed) return;
    if (this.authRetried) {
      this.fail('UNAUTHORIZED', reason);
      return;
    }
    this.authRetried = true;
    await this.keeper.refreshNow();
    if (this.closed) return;
    this.index.detach();
    this.index.attach();
  }

  private fail(code: string, reason: string): void {
    if (this.fatal.get()) return;
    this.fatal.set({ code, message: reason });
    this.socket.disconnect();
  }
}
