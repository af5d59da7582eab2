import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { canResolveThread, type LocatedThread, type ReviewComment, type Role } from '@coderoom/shared/client';
import { ApiError } from '../api';
import { useTranslation } from '../i18n';
import type { LineRange } from './DiffView';

/** Who is looking: decides which buttons they get (the server enforces the same rules). */
export interface Viewer {
  sub: string;
  role: Role;
}

/** What the thread panel asks of the review. */
export interface ThreadActions {
  create: (body: string) => Promise<void>;
  reply: (threadId: string, body: string) => Promise<void>;
  edit: (threadId: string, commentId: string, body: string) => Promise<void>;
  setStatus: (threadId: string, status: 'open' | 'resolved') => Promise<void>;
}

interface Props {
  path: string;
  threads: readonly LocatedThread[];
  viewer: Viewer;
  actions: ThreadActions;
  /** The lines a new comment would cover, while composing one. */
  composing: LineRange | null;
  onCancelCompose: () => void;
  activeThread: string | null;
  onShowThread: (thread: LocatedThread) => void;
}

function useErrorMessage(): (err: unknown) => string {
  const { t } = useTranslation('review');
  return (err) => {
    if (err instanceof ApiError) {
      if (err.code === 'NETWORK') return t('errors.network');
      if (err.code === 'CONFLICT') return t('errors.conflict');
      if (err.code === 'FORBIDDEN') return t('errors.forbidden');
      return t('errors.server', { message: err.message });
    }
    return t('errors.unknown');
  };
}

function lineLabel(t: (k: string, o?: Record<string, unknown>) => string, from: number, to: number): string {
  return from === to ? t('lines.one', { line: from }) : t('lines.range', { from, to });
}

/** A text box with a submit button; Ctrl/Cmd+Enter submits, Escape cancels. */
function CommentForm({ label, submitLabel, initial = '', autoFocus, onSubmit, onCancel, testId }: { label: string; submitLabel: string; initial?: string; autoFocus?: boolean; onSubmit: (body: string) => Promise<void>; onCancel?: () => void; testId: string }) {
  const { t } = useTranslation('review');
  const [body, setBody] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const message = useErrorMessage();
  const id = useId();
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!body.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(body);
      setBody('');
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="review-form" onSubmit={(e) => void submit(e)} data-testid={testId}>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <textarea
        id={id}
        value={body}
        placeholder={label}
        rows={2}
        autoFocus={autoFocus}
        data-testid={`${testId}-input`}
        onChange={(e) => setBody(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
          if (e.key === 'Escape' && onCancel) onCancel();
        }}
      />
      {error && (
        <p className="review-error" role="alert">
          {error}
        </p>
      )}
      <div className="review-form-actions">
        {onCancel && (
          <button type="button" className="btn tiny ghost" onClick={onCancel}>
            {t('actions.cancel')}
          </button>
        )}
        <button type="submit" className="btn tiny primary" disabled={!body.trim() || busy} data-testid={`${testId}-submit`}>
          {busy ? t('actions.saving') : submitLabel}
        </button>
      </div>
    </form>
  );
}

function Comment({ threadId, comment, viewer, actions }: { threadId: string; comment: ReviewComment; viewer: Viewer; actions: ThreadActions }) {
  const { t, i18n } = useTranslation('review');
  const [editing, setEditing] = useState(false);
  const mine = comment.author.sub === viewer.sub;
  const when = new Date(comment.createdAt).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <li className="review-comment" data-testid="review-comment" data-author={comment.author.name}>
      <div className="review-comment-head">
        <strong>{comment.author.name}</strong>
        <time className="muted" dateTime={new Date(comment.createdAt).toISOString()}>
          {when}
        </time>
        {comment.editedAt !== null && <span className="muted">{t('thread.edited')}</span>}
        {mine && !editing && (
          <button type="button" className="btn tiny ghost" onClick={() => setEditing(true)} data-testid="review-comment-edit" aria-label={t('actions.editComment')}>
            {t('actions.edit')}
          </button>
        )}
      </div>
      {editing ? (
        <CommentForm
          label={t('thread.editLabel')}
          submitLabel={t('actions.save')}
          initial={comment.body}
          autoFocus
          testId="review-edit"
          onSubmit={async (body) => {
            await actions.edit(threadId, comment.id, body);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <p className="review-comment-body">{comment.body}</p>
      )}
    </li>
  );
}

function ThreadCard({ located, viewer, actions, active, onShow }: { located: LocatedThread; viewer: Viewer; actions: ThreadActions; active: boolean; onShow: () => void }) {
  const { t } = useTranslation('review');
  const { thread, location } = located;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const message = useErrorMessage();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (active) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  const resolved = thread.status === 'resolved';
  const lines = location.outdated ? lineLabel(t, thread.startLine, thread.endLine) : lineLabel(t, location.startLine, location.endLine);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await actions.setStatus(thread.id, resolved ? 'open' : 'resolved');
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const headingId = useId();
  return (
    <article
      ref={ref}
      className={`review-thread${active ? ' active' : ''}${resolved ? ' resolved' : ''}`}
      aria-labelledby={headingId}
      data-testid="review-thread"
      data-thread-id={thread.id}
      data-status={thread.status}
      data-outdated={location.outdated ? 'true' : 'false'}
      data-lines={location.outdated ? '' : `${location.startLine}-${location.endLine}`}
    >
      <header className="review-thread-head">
        <h3 id={headingId}>
          {location.outdated ? (
            lines
          ) : (
            <button type="button" className="link-btn" onClick={onShow} data-testid="review-thread-goto" title={t('thread.goto')}>
              {lines}
            </button>
          )}
        </h3>
        <span className={`pill ${resolved ? 'ok' : 'open'}`}>{resolved ? t('status.resolved') : t('status.open')}</span>
        {location.outdated && <span className="pill warn">{t('status.outdated')}</span>}
      </header>
      {location.outdated ? (
        <figure className="review-quote">
          <figcaption className="muted">{t('thread.outdatedCaption')}</figcaption>
          <pre className="mono">{thread.quotedCode || t('thread.emptyLine')}</pre>
        </figure>
      ) : (
        <pre className="review-code mono">{location.code || t('thread.emptyLine')}</pre>
      )}
      <ol className="review-comments">
        {thread.comments.map((c) => (
          <Comment key={c.id} threadId={thread.id} comment={c} viewer={viewer} actions={actions} />
        ))}
      </ol>
      {!resolved && <CommentForm label={t('thread.replyLabel')} submitLabel={t('actions.reply')} testId="review-reply" onSubmit={(body) => actions.reply(thread.id, body)} />}
      {canResolveThread(viewer.role, viewer.sub, thread) && (
        <div className="review-thread-actions">
          <button type="button" className="btn tiny" disabled={busy} onClick={() => void toggle()} data-testid={resolved ? 'review-thread-reopen' : 'review-thread-resolve'}>
            {resolved ? t('actions.reopen') : t('actions.resolve')}
          </button>
        </div>
      )}
      {error && (
        <p className="review-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}

/** The threads of the open file: a new comment being written, then every thread by line. */
export function ThreadPanel({ path, threads, viewer, actions, composing, onCancelCompose, activeThread, onShowThread }: Props) {
  const { t } = useTranslation('review');
  const open = threads.filter((x) => x.thread.status === 'open').length;
  return (
    <section className="review-threads" aria-label={t('thread.panelLabel', { path })} data-testid="review-threads">
      <h2 className="review-section-title">
        {t('thread.title')} <span className="count">{t('overview.counts', { open, resolved: threads.length - open })}</span>
      </h2>
      {composing && (
        <div className="review-thread new">
          <h3>{t('thread.newOn', { lines: lineLabel(t, composing.fromLine, composing.toLine) })}</h3>
          <CommentForm label={t('thread.newLabel')} submitLabel={t('actions.comment')} autoFocus testId="review-new-comment" onSubmit={actions.create} onCancel={onCancelCompose} />
        </div>
      )}
      {threads.length === 0 && !composing && <p className="muted review-empty">{t('thread.none')}</p>}
      {threads.map((x) => (
        <ThreadCard key={x.thread.id} located={x} viewer={viewer} actions={actions} active={activeThread === x.thread.id} onShow={() => onShowThread(x)} />
      ))}
    </section>
  );
}
