import { useCallback, useEffect, useMemo, useState } from 'react';
import * as Y from 'yjs';
import { lineAt, lineEndOffset, lineStartOffset, locateAll, sliceLines, type ChangedFile, type LocatedThread, type ReviewRefsResponse, type ReviewThread } from '@coderoom/shared/client';
import { ApiError } from '../api';
import type { FileSession } from '../FileSession';
import type { FollowProps } from '../editor/follow';
import type { FileItem, RoomConnection } from '../RoomConnection';
import { useTranslation } from '../i18n';
import { Store } from '../Store';
import { useStore } from '../useStore';
import DiffView, { COMMENT_KEY, type LineRange } from './DiffView';
import { ReviewApi } from './reviewApi';
import { ReviewSession } from './ReviewSession';
import { ThreadPanel, type ThreadActions, type Viewer } from './ThreadPanel';
import './review.css';

/** How often the changed-files list is refreshed while the review is shown. */
const CHANGES_REFRESH_MS = 10_000;
/** Attempts at opening a thread when the server's copy of the file is a moment behind ours. */
const CREATE_ATTEMPTS = 4;
/** Wait between those attempts. */
const CREATE_RETRY_MS = 300;

export interface ReviewPaneProps {
  conn: RoomConnection;
  viewer: Viewer;
  files: readonly FileItem[];
  path: string | null;
  fileSession: FileSession | null;
  onOpenFile: (path: string) => void;
  base: string;
  onBase: (base: string) => void;
  layout: 'split' | 'unified';
  onLayout: (layout: 'split' | 'unified') => void;
  readOnly: boolean;
  follow: FollowProps;
}

/** A selection pinned to the text, so it still names the same code when the comment is sent. */
interface Composing {
  range: LineRange;
  start: Y.RelativePosition;
  end: Y.RelativePosition;
}

/** The located threads of one file, recomputed as its text and the threads change. */
function useLocated(threads: readonly ReviewThread[], session: FileSession | null, loaded: boolean): LocatedThread[] {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!session) return;
    let frame = 0;
    const bump = (): void => {
      if (!frame) frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    session.text.observe(bump);
    return () => {
      session.text.unobserve(bump);
      cancelAnimationFrame(frame);
    };
  }, [session]);
  return useMemo(() => {
    if (!session || !loaded) return [];
    const mine = threads.filter((x) => x.path === session.path);
    void version; // a change of the text
    return locateAll(mine, new Map([[session.path, session.text]])).sort((a, b) => a.location.startLine - b.location.startLine || a.thread.createdAt - b.thread.createdAt);
  }, [threads, session, loaded, version]);
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/**
 * The review surface (lazy chunk, with @codemirror/merge): the changed files against a base with
 * their line and thread counts, the open file's diff with threads in its gutter, and the threads
 * panel; export of the whole review.
 */
export default function ReviewPane(props: ReviewPaneProps) {
  const { conn, viewer, files, path, fileSession, onOpenFile, base, onBase, layout, onLayout, readOnly } = props;
  const { t } = useTranslation('review');
  const api = useMemo(() => new ReviewApi(conn.roomId, () => conn.token()), [conn]);
  const [review, setReview] = useState<ReviewSession | null>(null);
  useEffect(() => {
    const s = new ReviewSession(conn.roomId, conn.socket, () => conn.token());
    setReview(s);
    return () => s.destroy();
  }, [conn]);

  const [refs, setRefs] = useState<ReviewRefsResponse | null>(null);
  const [refsError, setRefsError] = useState<string | null>(null);
  useEffect(() => {
    api.refs().then(setRefs, (err: unknown) => setRefsError(err instanceof ApiError ? err.message : String(err)));
  }, [api]);
  const repository = refs?.repository ?? false;

  const [changes, setChanges] = useState<{ base: string; files: ChangedFile[] } | null>(null);
  const [changesError, setChangesError] = useState<string | null>(null);
  const [refreshTick, setRefreshTick] = useState(0);
  useEffect(() => {
    if (!repository) return;
    let stop = false;
    const load = () =>
      api.changes(base).then(
        (c) => {
          if (stop) return;
          setChanges({ base, files: c.files });
          setChangesError(null);
        },
        (err: unknown) => !stop && setChangesError(err instanceof ApiError ? err.message : String(err)),
      );
    void load();
    const timer = setInterval(() => void load(), CHANGES_REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [api, base, repository, refreshTick]);

  // The open file at the base.
  const [original, setOriginal] = useState<{ key: string; text: string } | { key: string; error: string } | null>(null);
  const originalKey = `${base}\u0000${path ?? ''}`;
  useEffect(() => {
    if (!path || !refs) return;
    if (!repository) {
      setOriginal({ key: originalKey, text: '' });
      return;
    }
    let stop = false;
    api.file(base, path).then(
      (f) => !stop && setOriginal({ key: originalKey, text: f.text }),
      (err: unknown) => !stop && setOriginal({ key: originalKey, error: err instanceof ApiError ? err.message : String(err) }),
    );
    return () => {
      stop = true;
    };
  }, [api, base, path, refs, repository, originalKey]);

  const threads = useStore(review?.threads ?? EMPTY_THREADS);
  const fileLoaded = useStore(fileSession?.loaded ?? FALSE_STORE);
  const fileError = useStore(fileSession?.error ?? NULL_STORE);
  const located = useLocated(threads, fileSession, fileLoaded);

  const [selection, setSelection] = useState<LineRange>({ fromLine: 1, toLine: 1 });
  const onSelectLines = useCallback((r: LineRange) => setSelection((cur) => (cur.fromLine === r.fromLine && cur.toLine === r.toLine ? cur : r)), []);
  const [composing, setComposing] = useState<Composing | null>(null);
  const [activeThread, setActiveThread] = useState<string | null>(null);
  const [reveal, setReveal] = useState<{ line: number; seq: number } | null>(null);
  useEffect(() => setComposing(null), [fileSession]);

  const startComment = useCallback(() => {
    if (!fileSession) return;
    const text = fileSession.text;
    const s = text.toString();
    setComposing({
      range: selection,
      start: Y.createRelativePositionFromTypeIndex(text, lineStartOffset(s, selection.fromLine), 0),
      end: Y.createRelativePositionFromTypeIndex(text, lineEndOffset(s, selection.toLine), -1),
    });
  }, [fileSession, selection]);

  const actions: ThreadActions = useMemo(
    () => ({
      create: async (body) => {
        if (!fileSession || !composing) return;
        // Our own edits reach the server first, then the lines are read again from the pinned selection.
        await waitUntil(() => fileSession.provider.unsyncedChanges === 0, 5000);
        for (let attempt = 1; ; attempt++) {
          const s = fileSession.text.toString();
          const start = Y.createAbsolutePositionFromRelativePosition(composing.start, fileSession.doc);
          const end = Y.createAbsolutePositionFromRelativePosition(composing.end, fileSession.doc);
          const fromLine = start ? lineAt(s, start.index) : composing.range.fromLine;
          const toLine = Math.max(fromLine, end ? lineAt(s, end.index) : composing.range.toLine);
          try {
            const id = await api.createThread({ path: fileSession.path, fromLine, toLine, body, code: sliceLines(s, fromLine, toLine) });
            setComposing(null);
            setActiveThread(id);
            return;
          } catch (err) {
            if (!(err instanceof ApiError && err.code === 'CONFLICT') || attempt >= CREATE_ATTEMPTS) throw err;
            await new Promise((r) => setTimeout(r, CREATE_RETRY_MS));
          }
        }
      },
      reply: (threadId, body) => api.reply(threadId, body),
      edit: (threadId, commentId, body) => api.edit(threadId, commentId, body),
      setStatus: (threadId, status) => api.setStatus(threadId, status),
    }),
    [api, fileSession, composing],
  );

  const [exportError, setExportError] = useState<string | null>(null);
  const download = (format: 'markdown' | 'json') => {
    setExportError(null);
    api.download(format).catch(() => setExportError(t('errors.export')));
  };

  // Counts: the whole review, and per file (changed files first, then others with threads).
  const counts = useMemo(() => {
    const byPath = new Map<string, { open: number; resolved: number }>();
    for (const th of threads) {
      const c = byPath.get(th.path) ?? { open: 0, resolved: 0 };
      c[th.status]++;
      byPath.set(th.path, c);
    }
    return byPath;
  }, [threads]);
  const totalOpen = threads.filter((x) => x.status === 'open').length;
  const roomPaths = useMemo(() => new Set(files.map((f) => f.path)), [files]);
  const listed: Array<{ path: string; change: ChangedFile | null }> = useMemo(() => {
    const changed = changes?.files ?? [];
    const seen = new Set(changed.map((c) => c.path));
    const others = [...counts.keys()].filter((p) => !seen.has(p)).sort();
    return [...changed.map((c) => ({ path: c.path, change: c })), ...others.map((p) => ({ path: p, change: null }))];
  }, [changes, counts]);

  const gutterThreads = useMemo(
    () => located.filter((x) => !x.location.outdated).map((x) => ({ id: x.thread.id, startLine: x.location.startLine, endLine: x.location.endLine, resolved: x.thread.status === 'resolved' })),
    [located],
  );
  const originalReady = original && original.key === originalKey ? original : null;

  const selectionLabel = selection.fromLine === selection.toLine ? t('lines.one', { line: selection.fromLine }) : t('lines.range', { from: selection.fromLine, to: selection.toLine });
  return (
    <div className="review-pane" data-testid="review-pane">
      <div className="review-toolbar" role="toolbar" aria-label={t('toolbar.label')}>
        <label className="review-base">
          <span>{t('toolbar.base')}</span>
          <select value={base} onChange={(e) => onBase(e.target.value)} disabled={!repository} data-testid="review-base-select">
            <option value="HEAD">{refs?.head?.branch ? t('toolbar.head', { branch: refs.head.branch }) : 'HEAD'}</option>
            {refs && refs.branches.length > 0 && (
              <optgroup label={t('toolbar.branches')}>
                {refs.branches.map((b) => (
                  <option key={b.name} value={b.name}>
                    {b.name}
                  </option>
                ))}
              </optgroup>
            )}
            {refs && refs.commits.length > 0 && (
              <optgroup label={t('toolbar.commits')}>
                {refs.commits.map((c) => (
                  <option key={c.sha} value={c.sha}>
                    {c.sha.slice(0, 7)} {c.subject.slice(0, 60)}
                  </option>
                ))}
              </optgroup>
            )}
            {base !== 'HEAD' && !refs?.branches.some((b) => b.name === base) && !refs?.commits.some((c) => c.sha === base) && <option value={base}>{base}</option>}
          </select>
        </label>
        <div className="review-layout" role="radiogroup" aria-label={t('toolbar.layout')}>
          <button type="button" role="radio" aria-checked={layout === 'split'} className="btn tiny" onClick={() => onLayout('split')} data-testid="review-layout-split">
            {t('toolbar.split')}
          </button>
          <button type="button" role="radio" aria-checked={layout === 'unified'} className="btn tiny" onClick={() => onLayout('unified')} data-testid="review-layout-unified">
            {t('toolbar.unified')}
          </button>
        </div>
        <button type="button" className="btn tiny primary" disabled={!fileSession || !fileLoaded} onClick={startComment} data-testid="review-comment-button" aria-keyshortcuts="Control+Alt+C" title={t('toolbar.commentKey', { key: COMMENT_KEY.replace('Mod', 'Ctrl') })}>
          {fileSession && fileLoaded ? t('toolbar.comment', { lines: selectionLabel }) : t('actions.comment')}
        </button>
        <span className="review-overview muted" data-testid="review-overview" data-open={totalOpen} data-resolved={threads.length - totalOpen}>
          {t('overview.review', { open: totalOpen, resolved: threads.length - totalOpen })}
        </span>
        <div className="header-spacer" />
        <button type="button" className="btn tiny ghost" onClick={() => download('markdown')} data-testid="review-export-md">
          {t('toolbar.exportMarkdown')}
        </button>
        <button type="button" className="btn tiny ghost" onClick={() => download('json')} data-testid="review-export-json">
          {t('toolbar.exportJson')}
        </button>
      </div>
      {exportError && (
        <p className="review-error" role="alert">
          {exportError}
        </p>
      )}
      <div className="review-body">
        <nav className="review-files" aria-label={t('files.label')}>
          <div className="review-section-title">
            <h2>{t('files.title')}</h2>
            <button type="button" className="btn tiny ghost" onClick={() => setRefreshTick((n) => n + 1)} disabled={!repository} aria-label={t('files.refresh')}>
              ↻
            </button>
          </div>
          {refsError && <p className="review-error">{t('errors.refs', { message: refsError })}</p>}
          {refs && !repository && <p className="muted review-empty">{t('files.noRepository')}</p>}
          {changesError && <p className="review-error" role="alert">{changesError}</p>}
          {repository && !changes && !changesError && <p className="muted review-empty">{t('files.loading')}</p>}
          {repository && changes && listed.length === 0 && <p className="muted review-empty">{t('files.none', { base })}</p>}
          <ul data-testid="review-changed-files">
            {listed.map(({ path: p, change }) => {
              const c = counts.get(p);
              const openable = roomPaths.has(p);
              return (
                <li key={p}>
                  <button
                    type="button"
                    className={p === path ? 'review-file current' : 'review-file'}
                    disabled={!openable}
                    aria-current={p === path ? 'true' : undefined}
                    onClick={() => onOpenFile(p)}
                    data-testid="review-changed-file"
                    data-path={p}
                    data-added={change?.added ?? ''}
                    data-removed={change?.removed ?? ''}
                    title={openable ? p : t('files.notOpenable', { path: p })}
                  >
                    <span className="mono review-file-path">{p}</span>
                    {change && (
                      <span className="review-file-stat" aria-label={change.added === null ? t('files.binary') : t('files.stat', { added: change.added, removed: change.removed })}>
                        {change.added === null ? (
                          t('files.binaryShort')
                        ) : (
                          <>
                            <span className="added">+{change.added}</span> <span className="removed">−{change.removed}</span>
                          </>
                        )}
                      </span>
                    )}
                    {c && (
                      <span className="count" title={t('overview.counts', c)} aria-label={t('overview.counts', c)}>
                        {c.open}/{c.open + c.resolved}
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="review-main">
          {!fileSession ? (
            <div className="editor-empty">
              <div>
                <h2>{t('diff.noFile')}</h2>
                <p className="muted">{t('diff.pick')}</p>
              </div>
            </div>
          ) : fileError ? (
            <div className="editor-empty" role="alert">
              <div>
                <h2>{t('diff.fileError')}</h2>
                <p className="muted">{fileError}</p>
              </div>
            </div>
          ) : (
            <>
              <div className="editor-tabbar">
                <span className="mono editor-path" title={fileSession.path}>
                  {fileSession.path}
                </span>
                <span className="pill">{repository ? t('diff.against', { base }) : t('diff.noBase')}</span>
              </div>
              {originalReady && 'error' in originalReady ? (
                <div className="editor-empty" role="alert">
                  <div>
                    <h2>{t('diff.baseError')}</h2>
                    <p className="muted">{originalReady.error}</p>
                  </div>
                </div>
              ) : !originalReady || !fileLoaded ? (
                <div className="editor-loading muted">{t('diff.loading')}</div>
              ) : (
                <DiffView
                    session={fileSession}
                    original={repository ? originalReady.text : fileSession.text.toString()}
                    layout={layout}
                    readOnly={readOnly}
                    threads={gutterThreads}
                    onOpenThread={setActiveThread}
                    reveal={reveal}
                    onSelectLines={onSelectLines}
                    onComment={startComment}
                    follow={props.follow}
                  />
              )}
            </>
          )}
        </div>
        {fileSession && (
          <ThreadPanel
            path={fileSession.path}
            threads={located}
            viewer={viewer}
            actions={actions}
            composing={composing?.range ?? null}
            onCancelCompose={() => setComposing(null)}
            activeThread={activeThread}
            onShowThread={(x) => {
              setActiveThread(x.thread.id);
              setReveal((r) => ({ line: x.location.startLine, seq: (r?.seq ?? 0) + 1 }));
            }}
          />
        )}
      </div>
    </div>
  );
}

const EMPTY_THREADS = new Store<readonly ReviewThread[]>([]);
const FALSE_STORE = new Store(false);
const NULL_STORE = new Store<string | null>(null);
