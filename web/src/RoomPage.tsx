import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { RoomIdSchema, type Room } from '@coderoom/shared/client';
import { ApiError, getRoom, joinRoom } from './api';
import { ErrorPage } from './ErrorPage';
import { JoinForm } from './JoinForm';
import { LoadingScreen } from './LoadingScreen';
import { forgetSession, loadSession, loadSub, saveSession, sessionFromJoin, type RoomSession } from './session';
import { navigate } from './routing';
import { errorMessage } from './errorMessage';
import { useTranslation } from './i18n';
import { RoomGate } from './access/RoomGate';

// The room (Yjs, Hocuspocus, and later the editor) is a separate chunk: the home page stays small.
const RoomView = lazy(() => import('./RoomView'));

/** A stored token with less than this left is not used as is; we rejoin instead. */
const MIN_STORED_TOKEN_MS = 60_000;

type State =
  | { kind: 'loading' }
  | { kind: 'bad-link' }
  | { kind: 'not-found' }
  | { kind: 'error'; message: string }
  | { kind: 'join'; room: Room }
  | { kind: 'ready'; session: RoomSession };

/** `/r/<roomId>`: finds the room, joins it (with a stored session or the join form), shows it. */
export function RoomPage({ roomId }: { roomId: string }) {
  const [state, setState] = useState<State>(() => initialState(roomId));
  const [attempt, setAttempt] = useState(0);
  const { t } = useTranslation();

  useEffect(() => {
    if (state.kind !== 'loading') return;
    let cancelled = false;
    void resolveRoom(roomId).then((next) => {
      if (!cancelled) setState(next);
    });
    return () => {
      cancelled = true;
    };
    // `attempt` re-runs this after "Try again".
  }, [roomId, state.kind, attempt]);

  const leave = useCallback(() => {
    forgetSession(roomId);
    navigate('/');
  }, [roomId]);

  const onJoined = useCallback((session: RoomSession) => setState({ kind: 'ready', session }), []);

  const retry = () => {
    setState({ kind: 'loading' });
    setAttempt((n) => n + 1);
  };

  switch (state.kind) {
    case 'loading':
      return <LoadingScreen label={t('page.loadingRoom')} />;
    case 'bad-link':
      return <ErrorPage title={t('page.badLinkTitle')} message={t('page.badLinkMessage')} />;
    case 'not-found':
      return <ErrorPage title={t('page.roomNotFoundTitle')} message={t('page.roomNotFoundMessage')} />;
    case 'error':
      return <ErrorPage title={t('page.roomErrorTitle')} message={state.message} action={{ label: t('actions.tryAgain'), onClick: retry }} />;
    case 'join':
      return (
        // access (issue 5): workspace rooms are entered by membership or invite, not by this form
        <RoomGate roomId={roomId} onJoined={onJoined}>
          <JoinForm room={state.room} onJoined={onJoined} />
        </RoomGate>
      );
    case 'ready':
      return (
        <Suspense fallback={<LoadingScreen label={t('page.loadingRoom')} />}>
          <RoomView session={state.session} onLeave={leave} />
        </Suspense>
      );
  }
}

function initialState(roomId: string): State {
  if (!RoomIdSchema.safeParse(roomId).success) return { kind: 'bad-link' };
  const stored = loadSession(roomId);
  if (stored && stored.expiresAt - Date.now() > MIN_STORED_TOKEN_MS) return { kind: 'ready', session: stored };
  return { kind: 'loading' };
}

/** Looks the room up; with an expired stored session, rejoins as the same person. */
async function resolveRoom(roomId: string): Promise<State> {
  let room: Room;
  try {
    room = await getRoom(roomId);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'NOT_FOUND') return { kind: 'not-found' };
    if (err instanceof ApiError && err.code === 'BAD_REQUEST') return { kind: 'bad-link' };
    return { kind: 'error', message: errorMessage(err) };
  }
  const stored = loadSession(roomId);
  if (stored) {
    try {
      const res = await joinRoom(roomId, { displayName: stored.displayName, role: stored.role === 'viewer' ? 'viewer' : 'editor', sub: loadSub(roomId) ?? stored.sub });
      const session = sessionFromJoin(res, stored.displayName);
      saveSession(session);
      return { kind: 'ready', session };
    } catch {
      forgetSession(roomId);
    }
  }
  return { kind: 'join', room };
}
