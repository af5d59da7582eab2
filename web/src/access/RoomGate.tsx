import { useEffect, useState, type ReactNode } from 'react';
import { RoomResponseSchema, type User } from '@coderoom/shared/client';
import { ApiError, call } from '../api';
import { useTranslation } from '../i18n';
import { LoadingScreen } from '../LoadingScreen';
import { roomPath } from '../routing';
import { saveSession, sessionFromJoin, type RoomSession } from '../session';
import { enterRoom, me } from './accessApi';
import { signInPath } from './routes';
import { errorText, Link, MessagePage } from './ui';

type State = { kind: 'checking' } | { kind: 'link' } | { kind: 'invite-only'; user: User | null; message: string | null };

/**
 * Before the join-by-link form: a workspace room (issue 5) is not joined by link. A signed-in
 * member or participant enters it (`POST /api/rooms/:id/enter`); anyone else is told to ask for
 * an invite or to sign in. Rooms made by link show `children` (the join form) as before.
 */
export function RoomGate({ roomId, onJoined, children }: { roomId: string; onJoined: (s: RoomSession) => void; children: ReactNode }) {
  const { t } = useTranslation('access');
  const [state, setState] = useState<State>({ kind: 'checking' });
  useEffect(() => {
    let live = true;
    void (async () => {
      let user: User | null = null;
      try {
        const { access } = await call(RoomResponseSchema, 'GET', `/api/rooms/${encodeURIComponent(roomId)}`);
        if (access.joinByLink) return live && setState({ kind: 'link' });
        user = await me();
        if (!user) return live && setState({ kind: 'invite-only', user, message: null });
        const session = sessionFromJoin(await enterRoom(roomId), user.displayName);
        saveSession(session);
        if (live) onJoined(session);
      } catch (err) {
        // Unknown to this check (e.g. an older server): fall back to the join form.
        if (!user && !(err instanceof ApiError && err.code === 'FORBIDDEN')) return live && setState({ kind: 'link' });
        if (live) setState({ kind: 'invite-only', user, message: errorText(t, err) });
      }
    })();
    return () => {
      live = false;
    };
  }, [roomId, onJoined, t]);

  if (state.kind === 'checking') return <LoadingScreen label={t('common.loading')} />;
  if (state.kind === 'link') return children;
  return (
    <MessagePage title={t('gate.title')} message={state.user ? t('gate.notMember', { name: state.user.displayName }) : t('gate.body')} testId="room-gate">
      {!state.user && (
        <Link to={signInPath(roomPath(roomId))} className="btn primary">
          {t('auth.signIn')}
        </Link>
      )}
    </MessagePage>
  );
}
