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
import { LanguagePicker } from './LanguagePicker';
import { ThemePicker } from './ThemePicker';
import { ShortcutSheet, useRoomShortcuts, type Panel } from './Shortcuts';
import { workSplitRatio } from './prefs';
import { PHONE_QUERY, TABLET_PORTRAIT_QUERY, useMediaQuery } from './useMediaQuery';
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
/** The tabs of a room on a phone (one column); wider screens show editor and terminals side by side. */
const PHONE_VIEWS = ['editor', 'terminal', 'call', 'people', 'review'] as const;
type PhoneView = (typeof PHONE_VIEWS)[number];

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

  const { t } = useTranslation();
  if (!live) return <LoadingScreen label={t('page.connecting')} />;
  return <Room keeper={live.keeper} conn={live.conn} onLeave={onLeave} />;
}

function Room({ keeper, conn, onLeave }: { keeper: TokenKeeper; conn: RoomConnection; onLeave: () => void }) {
  const { t } = useTranslation('room');
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
  const workRatio = useStore(workSplitRatio);
  const phone = useMediaQuery(PHONE_QUERY);
  /** A tablet held upright: editor above terminals, both full width. */
  const stacked = useMediaQuery(TABLET_PORTRAIT_QUERY);
  /** What a phone shows (on wider screens editor and terminals are side by side). */
  const [phoneView, setPhoneView] = useState<PhoneView>('editor');
  /** Who speaks in the call (announced politely; pinned as a small overlay on a phone). */
  const [speaker, setSpeaker] = useState<string | null>(null);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const panels: Panel[] = [
    { id: 'room-header', name: t('header.toolbar') },
    { id: 'room-sidebar', name: t('sidebar') },
    { id: 'room-editor', name: t('views.editor') },
    { id: 'room-terminals', name: t('views.terminal') },
    { id: 'room-call', name: t('views.call') },
  ];
  useRoomShortcuts(panels, () => setShortcutsOpen(true));
  const showPhoneView = (next: PhoneView): void => {
    // On a phone the Review tab is the diff view in the editor's place.
    if (next === 'review') view.setMode('diff');
    else if (next === 'editor') view.setMode('editor');
    if (next === 'call') {
      setCallMounted(true);
      setCallOpen(true);
    }
    setPhoneView(next);
  };

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
    const timer = setTimeout(
      () => {
        setNotice(t(wasThere ? 'notice.deleted' : 'notice.missing', { path: currentPath }));
        setCurrentPath(null);
      },
      wasThere ? RENAME_GRACE_MS : MISSING_FILE_GRACE_MS,
    );
    return () => clearTimeout(timer);
  }, [conn, files, filesLoaded, currentPath, t]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  // Follow mode: go where they go; stop when they leave.
  const followed = following ? (peers.find((p) => p.tab === following) ?? null) : null;
  const { t: tr } = useTranslation('review');
  const view = useViewSync(conn, followed);
  const presenter = usePresenter(peers, following, setFollowing);
  const [presenting, setPresenting] = useState(false);
  useEffect(() => conn.setPresenting(presenting && session.role === 'host'), [conn, presenting, session.role]);
  useEffect(() => {
    if (following && !followed && connection.state === 'connected') {
      setFollowing(null);
      setNotice(t('notice.followLeft'));
    }
  }, [following, followed, connection.state, t]);
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
    const title = t(fatal.code === 'NOT_FOUND' ? 'fatal.notFound' : fatal.code === 'FORBIDDEN' ? 'fatal.forbidden' : 'fatal.rejected');
    const message = fatal.message ? t('fatal.messageWithReason', { reason: fatal.message }) : t('fatal.message');
    return <ErrorPage title={title} message={message} action={{ label: t('fatal.joinAgain'), onClick: () => rejoin(roomId) }} />;
  }

  const me = colorForSub(session.sub);
  return (
    <div className={sidebarOpen ? 'room sidebar-open' : 'room'}>
      {shortcutsOpen && <ShortcutSheet panels={panels} onClose={() => setShortcutsOpen(false)} />}
      <header id="room-header" className="room-header">
        <button
          type="button"
          className="icon-btn menu-btn"
          onClick={() => setSidebarOpen((o) => !o)}
          aria-label={sidebarOpen ? t('header.hideSidebar') : t('header.showSidebar')}
          aria-expanded={sidebarOpen}
          aria-controls="room-sidebar"
        >
          <Icon name="menu" size={20} />
        </button>
        <a href="/" className="home-link" aria-label={t('header.home')}>
          <Logo small />
        </a>
        <h1 className="room-name" title={session.roomName}>
          {session.roomName}
        </h1>
        <ConnectionStatus info={connection} onRetry={conn.retryNow} />
        <SyncStatus unsynced={unsynced} offline={connection.state === 'disconnected'} />
        <div className="header-spacer" />
        <RoomAccessControls keeper={keeper} linkInvite={<CopyInviteButton roomId={roomId} />} />
        {!phone && <LanguagePicker />}
        {!phone && <ThemePicker />}
        <div className="me" aria-label={t('header.me', { name: session.displayName, role: t(`roles.${session.role}`) })}>
          <span className="dot" style={{ background: me.color }} aria-hidden="true" />
          <span className="me-name">{session.displayName}</span>
          <RoleBadge role={session.role} testId="role-badge" />
        </div>
        <button
          type="button"
          className="btn ghost review-toggle"
          data-testid="review-toggle"
          title={tr('room.review')}
          aria-pressed={view.mode === 'diff'}
          onClick={() => {
            stopFollowing();
            view.setMode(view.mode === 'diff' ? 'editor' : 'diff');
          }}
        >
          <Icon name="review" />
          <span className="btn-label">{tr('room.review')}</span>
        </button>
        {session.role === 'host' && (
          <button type="button" className="btn ghost" data-testid="present-toggle" aria-pressed={presenting} onClick={() => setPresenting((p) => !p)} title={tr('room.presentHint')}>
            <Icon name="present" />
            <span className="btn-label">{presenting ? tr('room.stopPresenting') : tr('room.present')}</span>
          </button>
        )}
        <button
          type="button"
          className="btn ghost"
          data-testid="call-open"
          aria-pressed={callOpen}
          aria-label={callOpen ? t('header.hideCall') : t('header.openCall')}
          title={callOpen ? t('header.hideCall') : t('header.openCall')}
          onClick={() => {
            setCallMounted(true);
            if (phone) showPhoneView(phoneView === 'call' ? 'editor' : 'call');
            else setCallOpen((o) => !o);
          }}
        >
          <Icon name="video" />
          <span className="btn-label">{t('header.call')}</span>
        </button>
        <button type="button" className="icon-btn shortcuts-btn" onClick={() => setShortcutsOpen(true)} aria-label={t('common:shortcuts.open')} title={t('common:shortcuts.open')} data-testid="shortcuts-open" aria-keyshortcuts="?">
          ?
        </button>
        <button type="button" className="btn ghost" onClick={onLeave} aria-label={t('header.leaveLabel')} title={t('header.leaveTitle')}>
          <Icon name="leave" />
          <span className="btn-label">{t('header.leave')}</span>
        </button>
      </header>
      {connection.state === 'disconnected' && (
        <div className="banner offline-banner" role="status">
          {t('banner.offline')}
        </div>
      )}
      {session.role === 'viewer' && (
        <div className="banner viewer-banner" role="note">
          {t('banner.viewer')}
        </div>
      )}
      {followed && <FollowBanner peer={followed} onStop={stopFollowing} />}
      {presenter && !followed && (
        <div className="banner notice-banner" role="status" data-testid="presenter-banner">
          {tr('room.presenting', { name: presenter.name })}
          <button type="button" className="btn tiny" onClick={() => setFollowing(presenter.tab)}>
            {tr('room.follow')}
          </button>
        </div>
      )}
      {notice && (
        <div className="banner notice-banner" role="status">
          {notice}
          <button type="button" className="icon-btn" onClick={() => setNotice(null)} aria-label={t('common:actions.dismiss')}>
            <Icon name="close" />
          </button>
        </div>
      )}
      {phone && (
        <div className="view-switch" role="tablist" aria-label={t('views.label')}>
          {PHONE_VIEWS.map((view) => (
            <button
              key={view}
              type="button"
              role="tab"
              id={`view-tab-${view}`}
              aria-selected={phoneView === view}
              aria-controls="room-main"
              onClick={() => showPhoneView(view)}
              data-testid={`view-${view}`}
            >
              {t(`views.${view}`)}
            </button>
          ))}
        </div>
      )}
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="speaker-announcement">
        {speaker ? t('people.speaking', { name: speaker }) : ''}
      </div>
      {phone && speaker && phoneView !== 'call' && (
        <button type="button" className="speaker-overlay" data-testid="speaker-overlay" onClick={() => showPhoneView('call')} aria-label={t('people.speaking', { name: speaker })}>
          <span className="speaker-dot" aria-hidden="true" />
          <span className="speaker-name">{speaker}</span>
        </button>
      )}
      <div id="room-main" className={`room-body phone-${phoneView}`}>
        <aside id="room-sidebar" className="sidebar" aria-label={t('sidebar')}>
          <FileList files={files} loaded={filesLoaded} currentPath={currentPath} editable={editable} onOpen={openFile} onCreate={onCreate} onRename={onRename} onDelete={onDelete} />
          {!phone && <PresenceList peers={peers} following={following} onToggleFollow={toggleFollow} />}
          {phone && (
            <div className="drawer-prefs">
              <LanguagePicker />
              <ThemePicker />
            </div>
          )}
        </aside>
        {sidebarOpen && <div className="scrim" onClick={() => setSidebarOpen(false)} aria-hidden="true" />}
        {phone && phoneView === 'people' && (
          <div className="phone-panel">
            <PresenceList peers={peers} following={following} onToggleFollow={toggleFollow} />
          </div>
        )}
        <div className={`work-area show-${phoneView}`}>
          <SplitView
            direction={stacked && !phone ? 'column' : 'row'}
            ratio={workRatio}
            onRatio={(r) => workSplitRatio.set(r)}
            label={t('split')}
            className="work-split"
            first={
              <main id="room-editor" className="editor-pane" tabIndex={-1} aria-label={t('views.editor')}>
                {view.mode === 'diff' ? (
                  <Suspense fallback={<LoadingScreen label={tr('diff.loading')} />}>
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
          <aside id="room-call" className="call-dock" hidden={phone ? phoneView !== 'call' : !callOpen} aria-label={t('call:panel')}>
            <Suspense fallback={<LoadingScreen label={t('call:loading')} />}>
              <CallPanel roomId={roomId} getToken={keeper.token} selfName={session.displayName} role={session.role} onActiveSpeaker={setSpeaker} />
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
