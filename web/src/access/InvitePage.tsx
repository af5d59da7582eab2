import { useEffect, useState, type FormEvent } from 'react';
import { DisplayNameSchema, InvitePreviewResponseSchema, MAX_LOBBY_WAIT_SECONDS, type JoinResponse, type User } from '@coderoom/shared/client';
import { z } from 'zod';
import { ApiError } from '../api';
import { Field } from '../Field';
import { useTranslation } from '../i18n';
import { LoadingScreen } from '../LoadingScreen';
import { Logo } from '../Logo';
import { navigate, roomPath } from '../routing';
import { loadDisplayName, loadSub, saveDisplayName, saveSession, sessionFromJoin } from '../session';
import { acceptInvite, me, pollLobby, previewInvite } from './accessApi';
import { signInPath } from './routes';
import { errorText, formatTime, Link, MessagePage, FormError } from './ui';

type Preview = Awaited<ReturnType<typeof previewInvite>>;
/** A waiting place survives a reload of the lobby page (this tab only). */
const lobbyKey = (secret: string): string => `coderoom:lobby:${secret}`;
const StoredLobbySchema = z.object({ ticket: z.string(), name: z.string(), preview: InvitePreviewResponseSchema });

function loadLobby(secret: string): z.infer<typeof StoredLobbySchema> | null {
  try {
    const raw = sessionStorage.getItem(lobbyKey(secret));
    return raw ? (StoredLobbySchema.safeParse(JSON.parse(raw)).data ?? null) : null;
  } catch {
    return null;
  }
}

function storeLobby(secret: string, value: z.infer<typeof StoredLobbySchema> | null): void {
  try {
    if (value) sessionStorage.setItem(lobbyKey(secret), JSON.stringify(value));
    else sessionStorage.removeItem(lobbyKey(secret));
  } catch {
    // storage unavailable: a reload asks again
  }
}

/** Wait before polling again after a failed poll (network), in ms. */
const POLL_RETRY_MS = 3000;

type State =
  | { kind: 'loading' }
  | { kind: 'dead'; code: 'INVITE_EXPIRED' | 'INVITE_EXHAUSTED' | 'INVITE_REVOKED' | 'NOT_FOUND' | 'ACCOUNT_REQUIRED' | 'FORBIDDEN' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; preview: Preview; user: User | null }
  | { kind: 'waiting'; preview: Preview; ticket: string; name: string }
  | { kind: 'refused'; preview: Preview };

const DEAD_CODES = ['INVITE_EXPIRED', 'INVITE_EXHAUSTED', 'INVITE_REVOKED', 'NOT_FOUND', 'ACCOUNT_REQUIRED', 'FORBIDDEN'] as const;
function deadCode(err: unknown): (typeof DEAD_CODES)[number] | null {
  return err instanceof ApiError && (DEAD_CODES as readonly string[]).includes(err.code) ? (err.code as (typeof DEAD_CODES)[number]) : null;
}

function enter(res: JoinResponse, name: string): void {
  saveSession(sessionFromJoin(res, name));
  navigate(roomPath(res.room.id));
}

/** `/invite/<secret>`: what the link leads to, the guest name form, and the lobby. */
export function InvitePage({ secret }: { secret: string }) {
  const { t } = useTranslation('access');
  const [state, setState] = useState<State>(() => {
    const stored = loadLobby(secret);
    return stored ? { kind: 'waiting', ...stored } : { kind: 'loading' };
  });

  useEffect(() => {
    if (state.kind !== 'loading') return;
    let live = true;
    void (async () => {
      try {
        const [preview, user] = await Promise.all([previewInvite(secret), me()]);
        if (live) setState({ kind: 'ready', preview, user });
      } catch (err) {
        if (!live) return;
        const code = deadCode(err);
        setState(code ? { kind: 'dead', code } : { kind: 'error', message: errorText(t, err) });
      }
    })();
    return () => {
      live = false;
    };
  }, [secret, t, state.kind]);

  // The lobby: long polls until the host decides.
  useEffect(() => {
    if (state.kind !== 'waiting') return;
    const { preview, name } = state;
    let live = true;
    void (async () => {
      while (live) {
        try {
          const res = await pollLobby(state.ticket, MAX_LOBBY_WAIT_SECONDS - 5);
          if (!live) return;
          if (res.status !== 'waiting') storeLobby(secret, null);
          if (res.status === 'admitted') return enter(res, name);
          if (res.status === 'refused') return setState({ kind: 'refused', preview });
        } catch (err) {
          const code = deadCode(err);
          if (code) storeLobby(secret, null);
          if (code) return live && setState({ kind: 'dead', code });
          await new Promise((r) => setTimeout(r, POLL_RETRY_MS));
        }
      }
    })();
    return () => {
      live = false;
    };
    // While waiting the state does not change, so this loop runs once per ticket.
  }, [state, secret]);

  const accept = async (preview: Preview, displayName?: string) => {
    const res = await acceptInvite(secret, { displayName, sub: displayName ? loadSub(preview.room.id) : undefined });
    const name = displayName ?? (state.kind === 'ready' && state.user ? state.user.displayName : '');
    if (res.status === 'joined') enter(res, name);
    else {
      storeLobby(secret, { ticket: res.lobby.ticket, name, preview });
      setState({ kind: 'waiting', preview, ticket: res.lobby.ticket, name });
    }
  };
  const fail = (err: unknown): string | null => {
    const code = deadCode(err);
    if (code) {
      setState({ kind: 'dead', code });
      return null;
    }
    return errorText(t, err);
  };

  const here = location.pathname;
  switch (state.kind) {
    case 'loading':
      return <LoadingScreen label={t('invitePage.checking')} />;
    case 'error':
      return (
        <MessagePage title={t('invitePage.errorTitle')} message={state.message} testId="invite-error">
          <button type="button" className="btn primary" onClick={() => setState({ kind: 'loading' })}>
            {t('common.retry')}
          </button>
        </MessagePage>
      );
    case 'dead':
      return (
        <MessagePage title={t(`invitePage.dead.${state.code}.title`)} message={t(`invitePage.dead.${state.code}.body`)} testId={`invite-dead-${state.code.toLowerCase()}`}>
          {state.code === 'ACCOUNT_REQUIRED' && (
            <Link to={signInPath(here)} className="btn primary">
              {t('auth.signIn')}
            </Link>
          )}
        </MessagePage>
      );
    case 'refused':
      return <MessagePage title={t('lobby.refusedTitle')} message={t('lobby.refusedBody', { room: state.preview.room.name })} testId="lobby-refused" />;
    case 'waiting':
      return (
        <main className="center-page">
          <div className="card auth-card" data-testid="lobby-waiting" aria-live="polite">
            <Logo />
            <h1>{t('lobby.waitingTitle')}</h1>
            <div className="loading">
              <span className="spinner" aria-hidden="true" />
              <span>{t('lobby.waitingBody', { room: state.preview.room.name })}</span>
            </div>
            <p className="muted small">{t('lobby.keepOpen')}</p>
          </div>
        </main>
      );
    case 'ready':
      return <InviteCard preview={state.preview} user={state.user} here={here} onAccept={accept} onError={fail} />;
  }
}

function InviteCard({ preview, user, here, onAccept, onError }: { preview: Preview; user: User | null; here: string; onAccept: (p: Preview, name?: string) => Promise<void>; onError: (err: unknown) => string | null }) {
  const { t, i18n } = useTranslation('access');
  const [name, setName] = useState(loadDisplayName);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!user && !DisplayNameSchema.safeParse(name).success) return setError(t('auth.nameInvalid'));
    setBusy(true);
    setError(null);
    try {
      if (!user) saveDisplayName(name.trim());
      await onAccept(preview, user ? undefined : name.trim());
    } catch (err) {
      setError(onError(err));
      setBusy(false);
    }
  }

  const summary = t('invitePage.summary', { role: t(`roles.${preview.role}`), kind: t(`kinds.${preview.kind}`) });
  return (
    <main className="center-page">
      <form className="card auth-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="invite-title" data-testid="invite-landing">
        <Logo />
        <p className="muted">{t('invitePage.invitedTo')}</p>
        <h1 id="invite-title">{preview.room.name}</h1>
        <p>{summary}</p>
        {preview.requireApproval && <p className="muted small">{t('invitePage.approvalNote')}</p>}
        <p className="muted small">{t('invitePage.expires', { time: formatTime(preview.expiresAt, i18n.language) })}</p>
        {user ? (
          <p>{t('invitePage.asUser', { name: user.displayName })}</p>
        ) : preview.allowGuests ? (
          <Field label={t('invitePage.yourName')} value={name} onChange={(e) => setName(e.target.value)} autoComplete="nickname" data-testid="invite-name" autoFocus />
        ) : null}
        <FormError message={error} />
        {user || preview.allowGuests ? (
          <button type="submit" className="btn primary wide" disabled={busy} data-testid="invite-accept">
            {busy ? t('invitePage.joining') : preview.requireApproval ? t('invitePage.askToJoin') : t('invitePage.join')}
          </button>
        ) : (
          <>
            <p role="alert">{t('invitePage.dead.ACCOUNT_REQUIRED.body')}</p>
            <Link to={signInPath(here)} className="btn primary wide">
              {t('auth.signIn')}
            </Link>
          </>
        )}
        {!user && preview.allowGuests && (
          <p className="muted small">
            {t('invitePage.haveAccount')} <Link to={signInPath(here)}>{t('auth.signIn')}</Link>
          </p>
        )}
      </form>
    </main>
  );
}
