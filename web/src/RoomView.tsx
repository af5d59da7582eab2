import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { canEdit } from '@coderoom/shared/client';
import * as api from './api';
import { ConnectionStatus } from './ConnectionStatus';
import { CopyInviteButton } from './CopyInviteButton';
import { EditorPane } from './EditorPane';
import { ErrorPage } from './ErrorPage';
import { FileList } from './FileList';
import { FollowBanner } from './FollowBanner';
import { Icon } from './Icon';
import { LoadingScreen } from './LoadingScreen';
import { Logo } from './Logo';
import { PresenceList } from './PresenceList';
import { RoleBadge } from './RoleBadge';
import { RoomConnection, type Peer } from './RoomConnection';
import { replaceSearch } from './routing';
import { forgetSession, type RoomSession } from './session';
import { SyncStatus } from './SyncStatus';
import { TokenKeeper } from './TokenKeeper';
import { useStore } from './useStore';
import { colorForSub } from './colors';
import { SplitView } from './terminal/SplitView';
import { TerminalPanel } from './terminal/TerminalPanel';
import { useTranslation } from './i18n';
import { usePresenter, useViewSync } from './review/useViewSync';
import { RemovedPage, RoomAccessControls } from './access/RoomAccessControls';

/** The call (mediasoup-client, simple-peer) loads only when someone opens it. */
const CallPanel = lazy(() => import('./call/CallPanel'));
/** The review (diff view, @codemirror/merge, threads) loads only when someone opens it. */
const ReviewPane = lazy(() => import('./review/ReviewPane'));

/** How long an open file may be missing from the index before we call it deleted. */
const RENAME_GRACE_MS = 1500;
/** How long a file we open but never saw in the index may take to appear there. */
const MISSING_FILE_GRACE_MS = 4000;
/** How long a notice stays up. */
const NOTICE_MS = 6000;
/** Share of the width the editor takes beside the terminals at first. */
const EDITOR_SPLIT_RATIO = 0.55;

interface Props {
  session: RoomSession;
  onLeave: () => void;
}

/** The room once joined (lazy chunk: Yjs and Hocuspocus load here, not on the home page). */
export default function RoomView({ session, onLeave }: Props) {
  const [live, setLive] = useState<{ keeper: TokenKeeper; conn: RoomConnection } | null>(null);

  useEffect(() => {
    const keeper = new TokenKeeper(session);
    const conn = new RoomConnection(session.roomId, keeper);
    setLive({ keeper, conn });
    return () => {
      conn.close();
      keeper.close();
    };
  }, [session]);

  if (!live) return <LoadingScreen label="Connecting…" />;
  return <Room keeper={live.keeper} conn={live.conn} onLeave={onLeave} />;
}

function Room({ keeper, conn, onLeave }: { keeper: TokenKeeper; conn: RoomConnection; onLeave: () => void }) {
  const session = useStore(keeper.session);
  const [callOpen, setCallOpen] = useState(false);
  const [callMounted, setCallMounted] = useState(false);
  const files = useStore(conn.files);
  const filesLoaded = useStore(conn.filesLoaded);
  const peers = useStore(conn.peers);
  const connection = useStore(conn.connection);
  const unsynced = useStore(conn.unsynced);
  const fatal = useStore(conn.fatal);
  const editable = canEdit(session.role);

  const [currentPath, setCurrentPath] = useState<string | null>(() => new URL(location.href).searchParams.get('file'));
  const [following, setFollowing] = useState<string | null>(null);
  const [sidebarOpen, setSidebarOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [workRatio, setWorkRatio] = useState(EDITOR_SPLIT_RATIO);
  /** What a phone shows (on wider screens both are side by side). */
  const [phoneView, setPhoneView] = useState<'editor' | 'terminal'>('editor');

  const fileSession = useMemo(() => (currentPath ? conn.openFile(currentPath) : null), [conn, currentPath]);

  useEffect(() => {
    conn.setCurrentFile(currentPath);
    replaceSearch({ file: currentPath });
  }, [conn, currentPath]);

  // The open file left the index: follow it if it was renamed, else close it and say so. Wait a
  // moment first: a rename may arrive as a delete then an add, and a file we just created may
  // reach the index after the REST answer.
  const seenInIndex = useRef<string | null>(null);
  useEffect(() => {
    if (!filesLoaded || !currentPath) return;
    if (files.some((f) => f.path === currentPath)) {
      seenInIndex.current = currentPath;
      return;
    }
    const renamed = conn.renamedTo(currentPath);
    if (renamed) {
      setCurrentPath(renamed);
      return;
    }
    const wasThere = seenInIndex.current === currentPath;
    const t = setTimeout(
      () => {
        setNotice(wasThere ? `“${currentPath}” was deleted.` : `“${currentPath}” does not exist in this room.`);
        setCurrentPath(null);
      },
      wasThere ? RENAME_GRACE_MS : MISSING_FILE_GRACE_MS,
    );
    return () => clearTimeout(t);
  }, [conn, files, filesLoaded, currentPath]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);

  // Follow mode: go where they go; stop when they leave.
  const followed = following ? (peers.find((p) => p.tab === following) ?? null) : null;
  const { t } = useTranslation('review');
  const view = useViewSync(conn, followed);
  const presenter = usePresenter(peers, following, setFollowing);
  const [presenting, setPresenting] = useState(false);
  useEffect(() => conn.setPresenting(presenting && session.role === 'host'), [conn, presenting, session.role]);
  useEffect(() => {
    if (following && !followed && connection.state === 'connected') {
      setFollowing(null);
      setNotice('The person you followed left the room.');
    }
  }, [following, followed, connection.state]);
  useEffect(() => {
    if (followed?.file && followed.file !== currentPath) setCurrentPath(followed.file);
  }, [followed?.file, currentPath]);

  const openFile = useCallback((path: string) => {
    setFollowing(null);
    setCurrentPath(path);
    setSidebarOpen(false);
  }, []);
  const stopFollowing = useCallback(() => setFollowing(null), []);
  const toggleFollow = useCallback((p: Peer) => {
    setFollowing((cur) => (cur === p.tab ? null : p.tab));
    setSidebarOpen(false);
  }, []);

  const roomId = conn.roomId;
  const onCreate = async (path: string) => {
    await api.createFile(roomId, await keeper.token(), path);
    openFile(path);
  };
  const onRename = async (from: string, to: string) => {
    await api.renameFile(roomId, await keeper.token(), from, to);
    setCurrentPath((cur) => (cur === from ? to : cur));
  };
  const onDelete = async (path: string) => {
    await api.deleteFile(roomId, await keeper.token(), path);
  };

  if (fatal?.code === 'FORBIDDEN') return <RemovedPage />; // access (issue 5): a host removed us
  if (fatal) {
    const title = fatal.code === 'NOT_FOUND' ? 'This room no longer exists' : fatal.code === 'FORBIDDEN' ? 'You no longer have access' : 'Your session was rejected';
    return <ErrorPage title={title} message={`The server closed the connection${fatal.message ? `: ${fatal.message}` : ''}. You can join again from the invite link.`} action={{ label: 'Join again', onClick: () => rejoin(roomId) }} />;
  }

  const me = colorForSub(session.sub);
  return (
    <div className={sidebarOpen ? 'room sidebar-open' : 'room'}>
      <header className="room-header">
        <button
          type="button"
          className="icon-btn menu-btn"
          onClick={() => setSidebarOpen((o) => !o)}
          aria-label={sidebarOpen ? 'Hide files and people' : 'Show files and people'}
          aria-expanded={sidebarOpen}
          aria-controls="room-sidebar"
        >
          <Icon name="menu" size={20} />
        </button>
        <a href="/" className="home-link" aria-label="CodeRoom home">
          <Logo small />
        </a>
        <h1 className="room-name" title={session.roomName}>
          {session.roomName}
        </h1>
        <ConnectionStatus info={connection} onRetry={conn.retryNow} />
        <SyncStatus unsynced={unsynced} offline={connection.state === 'disconnected'} />
        <div className="header-spacer" />
        <RoomAccessControls keeper={keeper} linkInvite={<CopyInviteButton roomId={roomId} />} />
        <div className="me" aria-label={`You are ${session.displayName}, ${session.role}`}>
          <span className="dot" style={{ background: me.color }} aria-hidden="true" />
          <span className="me-name">{session.displayName}</span>
          <RoleBadge role={session.role} testId="role-badge" />
        </div>
        <button
          type="button"
          className="btn ghost review-toggle"
          data-testid="review-toggle"
          aria-pressed={view.mode === 'diff'}
          onClick={() => {
            stopFollowing();
            view.setMode(view.mode === 'diff' ? 'editor' : 'diff');
          }}
        >
          <Icon name="review" />
          <span className="btn-label">{t('room.review')}</span>
        </button>
        {session.role === 'host' && (
          <button type="button" className="btn ghost" data-testid="present-toggle" aria-pressed={presenting} onClick={() => setPresenting((p) => !p)} title={t('room.presentHint')}>
            <Icon name="present" />
            <span className="btn-label">{presenting ? t('room.stopPresenting') : t('room.present')}</span>
          </button>
        )}
        <button
          type="button"
          className="btn ghost"
          data-testid="call-open"
          aria-pressed={callOpen}
          aria-label={callOpen ? 'Hide the call' : 'Open the call'}
          onClick={() => {
            setCallMounted(true);
            setCallOpen((o) => !o);
          }}
        >
          <Icon name="video" />
          <span className="btn-label">Call</span>
        </button>
        <button type="button" className="btn ghost" onClick={onLeave} aria-label="Leave room" title="Leave room (you can rejoin with the link)">
          <Icon name="leave" />
          <span className="btn-label">Leave</span>
        </button>
      </header>
      {connection.state === 'disconnected' && (
        <div className="banner offline-banner" role="status">
          You are offline. Your edits stay in this tab and will be merged when the connection returns.
        </div>
      )}
      {session.role === 'viewer' && (
        <div className="banner viewer-banner" role="note">
          You joined as a viewer: you can read and follow others, but not edit.
        </div>
      )}
      {followed && <FollowBanner peer={followed} onStop={stopFollowing} />}
      {presenter && !followed && (
        <div className="banner notice-banner" role="status" data-testid="presenter-banner">
          {t('room.presenting', { name: presenter.name })}
          <button type="button" className="btn tiny" onClick={() => setFollowing(presenter.tab)}>
            {t('room.follow')}
          </button>
        </div>
      )}
      {notice && (
        <div className="banner notice-banner" role="status">
          {notice}
          <button type="button" className="icon-btn" onClick={() => setNotice(null)} aria-label="Dismiss">
            <Icon name="close" />
          </button>
        </div>
      )}
      <div className="room-body">
        <aside id="room-sidebar" className="sidebar" aria-label="Files and people">
          <FileList files={files} loaded={filesLoaded} currentPath={currentPath} editable={editable} onOpen={openFile} onCreate={onCreate} onRename={onRename} onDelete={onDelete} />
          <PresenceList peers={peers} following={following} onToggleFollow={toggleFollow} />
        </aside>
        {sidebarOpen && <div className="scrim" onClick={() => setSidebarOpen(false)} aria-hidden="true" />}
        <div className={`work-area show-${phoneView}`}>
          <div className="view-switch" role="tablist" aria-label="Show">
            <button
              type="button"
              role="tab"
              aria-selected={phoneView === 'editor' && view.mode === 'editor'}
              onClick={() => {
                setPhoneView('editor');
                view.setMode('editor');
              }}
              data-testid="view-editor"
            >
              Editor
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={phoneView === 'editor' && view.mode === 'diff'}
              onClick={() => {
                setPhoneView('editor');
                view.setMode('diff');
              }}
              data-testid="view-review"
            >
              {t('room.review')}
            </button>
            <button type="button" role="tab" aria-selected={phoneView === 'terminal'} onClick={() => setPhoneView('terminal')} data-testid="view-terminal">
              Terminal
            </button>
          </div>
          <SplitView
            direction="row"
            ratio={workRatio}
            onRatio={setWorkRatio}
            label="Resize editor and terminals"
            className="work-split"
            first={
              <main className="editor-pane">
                {view.mode === 'diff' ? (
                  <Suspense fallback={<LoadingScreen label={t('diff.loading')} />}>
                    <ReviewPane
                      conn={conn}
                      viewer={{ sub: session.sub, role: session.role }}
                      files={files}
                      path={currentPath}
                      fileSession={fileSession}
                      onOpenFile={openFile}
                      base={view.base}
                      onBase={view.setBase}
                      layout={view.layout}
                      onLayout={view.setLayout}
                      readOnly={!editable}
                      follow={{ followTab: following, followTop: view.followTop, onTopLine: view.onTopLine, onUserInteraction: stopFollowing }}
                    />
                  </Suspense>
                ) : (
                  <EditorPane
                    session={fileSession}
                    readOnly={!editable}
                    followTab={following}
                    followTop={view.followTop}
                    onTopLine={view.onTopLine}
                    onUserInteraction={stopFollowing}
                    onShowFiles={() => setSidebarOpen(true)}
                    editable={editable}
                  />
                )}
              </main>
            }
            second={<TerminalPanel roomId={roomId} keeper={keeper} />}
          />
        </div>
        {callMounted && (
          // Hidden, not unmounted: closing the dock keeps the call running.
          <aside className="call-dock" hidden={!callOpen} aria-label="Call">
            <Suspense fallback={<LoadingScreen label="Loading call…" />}>
              <CallPanel roomId={roomId} getToken={keeper.token} selfName={session.displayName} role={session.role} />
            </Suspense>
          </aside>
        )}
      </div>
    </div>
  );
}

/** Forgets the rejected session and reloads: the room page then shows the join form. */
function rejoin(roomId: string): void {
  forgetSession(roomId);
  location.reload();
}
