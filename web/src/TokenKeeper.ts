import { ApiError, joinRoom, refreshToken } from './api';
import { saveSession, sessionFromJoin, type RoomSession } from './session';
import { Store } from './Store';
import { enterRoom } from './access/accessApi';
import type { Role } from '@coderoom/shared/client';

/** Fraction of a token's life after which it is refreshed. */
const REFRESH_AT_FRACTION = 2 / 3;
/** A token with less than this left is refreshed before it is handed out. */
const MIN_REMAINING_MS = 30_000;
/** Wait before retrying a refresh that failed for a transient reason (network, 5xx). */
const RETRY_REFRESH_DELAY_MS = 10_000;

/**
 * Keeps a room's access token fresh: refreshes it at 2/3 of its life (and when the tab wakes
 * up or comes back online), falls back to rejoining with the same identity when it has
 * already expired, and hands the freshest token to whoever asks (REST calls, the providers).
 */
export class TokenKeeper {
  /** The current session; its role may change if a rejoin was needed. */
  readonly session: Store<RoomSession>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: Promise<string> | null = null;
  private closed = false;

  constructor(initial: RoomSession) {
    this.session = new Store(initial);
    this.schedule();
    document.addEventListener('visibilitychange', this.onWake);
    window.addEventListener('online', this.onWake);
  }

  /** A token good for at least a little while (refreshing first when needed). */
  readonly token = async (): Promise<string> => {
    const s = this.session.get();
    if (s.expiresAt - Date.now() > MIN_REMAINING_MS) return s.token;
    return this.refreshNow();
  };

  /** Refreshes now (one request at a time); resolves with the best token we have. */
  refreshNow(): Promise<string> {
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** A host changed our role (the server told us): take it up now; the next token carries it. */
  setRole(role: Role): void {
    const s = this.session.get();
    if (s.role !== role) this.update({ ...s, role });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onWake);
    window.removeEventListener('online', this.onWake);
  }

  private async refresh(): Promise<string> {
    const s = this.session.get();
    try {
      const res = Date.now() < s.expiresAt ? await refreshToken(s.roomId, s.token) : null;
      if (res) this.update({ ...s, token: res.token, expiresAt: res.expiresAt, obtainedAt: Date.now() });
      else await this.rejoin(s);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHORIZED') {
        try {
          await this.rejoin(s);
        } catch {
          this.retryLater();
        }
      } else {
        this.retryLater();
      }
    }
    return this.session.get().token;
  }

  /** The token expired (e.g. the laptop slept): join again as the same person. */
  private async rejoin(s: RoomSession): Promise<void> {
    let res;
    try {
      res = await joinRoom(s.roomId, { displayName: s.displayName, role: s.role === 'viewer' ? 'viewer' : 'editor', sub: s.sub });
    } catch (err) {
      // access (issue 5): a workspace room is not joined by link; a signed-in member enters it
      if (!(err instanceof ApiError && err.code === 'FORBIDDEN') || !s.sub.startsWith('user:')) throw err;
      res = await enterRoom(s.roomId);
    }
    this.update(sessionFromJoin(res, s.displayName));
  }

  private update(next: RoomSession): void {
    if (this.closed) return;
    saveSession(next);
    this.session.set(next);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refreshNow(), Math.max(0, this.refreshAt() - Date.now()));
  }

  private retryLater(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refreshNow(), RETRY_REFRESH_DELAY_MS);
  }

  private refreshAt(): number {
    const s = this.session.get();
    return s.obtainedAt + (s.expiresAt - s.obtainedAt) * REFRESH_AT_FRACTION;
  }

  /** Timers are throttled in background tabs and stop during sleep: check on wake. */
  private readonly onWake = (): void => {
    if (document.visibilityState === 'visible' && Date.now() >= this.refreshAt()) void this.refreshNow();
  };
}
