import { useCallback, useEffect, useRef, useState } from 'react';
import type { Peer, RoomConnection } from '../RoomConnection';
import { DEFAULT_BASE, type ViewState } from './viewState';

/** Screens too narrow for a side-by-side diff at first. */
const NARROW_QUERY = '(max-width: 720px)';
/** Shortest time between two scroll positions published to the room. */
const PUBLISH_TOP_MS = 150;

/**
 * What this tab shows (editor or diff, base, layout, first visible line), published to the room
 * for followers; while following someone, it follows theirs.
 */
export function useViewSync(conn: RoomConnection, followed: Peer | null) {
  const [mode, setMode] = useState<ViewState['mode']>('editor');
  const [base, setBase] = useState(DEFAULT_BASE);
  // Side by side needs width; phones start unified.
  const [layout, setLayout] = useState<ViewState['layout']>(() => (window.matchMedia(NARROW_QUERY).matches ? 'unified' : 'split'));
  const [top, setTop] = useState(1);

  const theirs = followed?.view ?? null;
  const theirMode = theirs?.mode;
  const theirBase = theirs?.base;
  const theirLayout = theirs?.layout;
  useEffect(() => {
    if (theirMode) setMode(theirMode);
    if (theirBase) setBase(theirBase);
    if (theirLayout) setLayout(theirLayout);
  }, [theirMode, theirBase, theirLayout]);

  // Publish, with scroll positions throttled.
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + PUBLISH_TOP_MS - Date.now();
    const publish = () => {
      last.current = Date.now();
      conn.setView({ mode, base, layout, top });
    };
    if (wait <= 0) return publish();
    const timer = setTimeout(publish, wait);
    return () => clearTimeout(timer);
  }, [conn, mode, base, layout, top]);

  const onTopLine = useCallback((line: number) => setTop(line), []);
  return { mode, setMode, base, setBase, layout, setLayout, onTopLine, followTop: theirs?.top ?? null };
}

/**
 * A host presenting: everyone follows them unless they chose to stop (until the host presents
 * again). Returns the presenter, if any.
 */
export function usePresenter(peers: readonly Peer[], following: string | null, follow: (tab: string | null) => void): Peer | null {
  const presenter = peers.find((p) => p.presenting && !p.self) ?? null;
  const declined = useRef<string | null>(null);
  const wasFollowing = useRef<string | null>(null);
  useEffect(() => {
    // Stopping to follow the presenter declines their presentation.
    if (presenter && wasFollowing.current === presenter.tab && following !== presenter.tab) declined.current = presenter.tab;
    wasFollowing.current = following;
  }, [following, presenter]);
  useEffect(() => {
    if (!presenter) {
      declined.current = null;
      return;
    }
    if (declined.current !== presenter.tab && following !== presenter.tab) follow(presenter.tab);
  }, [presenter, following, follow]);
  return presenter;
}
