import { useCallback, useEffect, useId, useRef, useState, type ReactNode, type SelectHTMLAttributes } from 'react';
import type { TFunction } from 'i18next';
import type { User } from '@coderoom/shared/client';
import { ApiError } from '../api';
import { useTranslation } from '../i18n';
import { Icon } from '../Icon';
import { Logo } from '../Logo';
import { navigate } from '../routing';
import { me, signOut } from './accessApi';
import './access.css';

/** A failed call as a sentence for people (by the server's error code). */
export function errorText(t: TFunction<'access'>, err: unknown): string {
  const code = err instanceof ApiError ? err.code : 'INTERNAL';
  const known = ['NETWORK', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'BAD_REQUEST', 'INVITE_EXPIRED', 'INVITE_EXHAUSTED', 'INVITE_REVOKED', 'ACCOUNT_REQUIRED'];
  return known.includes(code) ? t(`errors.${code}`) : t('errors.INTERNAL');
}

/** A time, in the reader's language. */
export function formatTime(ms: number, lang: string): string {
  return new Date(ms).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}

/** The signed-in account: undefined while loading, null when signed out. */
export function useMe(): { user: User | null | undefined; error: string | null; reload: () => void } {
  const { t } = useTranslation('access');
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    me().then(
      (u) => live && setUser(u),
      (err: unknown) => live && setError(errorText(t, err)),
    );
    return () => {
      live = false;
    };
  }, [n, t]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { user, error, reload };
}

/** An in-app link (no reload). */
export function Link({ to, children, className, testId }: { to: string; children: ReactNode; className?: string; testId?: string }) {
  return (
    <a
      href={to}
      className={className}
      data-testid={testId}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** The frame of signed-in pages: logo, navigation, the account and sign-out. */
export function AccessShell({ user, title, children }: { user: User; title: string; children: ReactNode }) {
  const { t } = useTranslation('access');
  const out = async () => {
    try {
      await signOut();
    } finally {
      navigate('/signin');
    }
  };
  return (
    <div className="access-page">
      <header className="access-header">
        <Link to="/" className="home-link">
          <Logo small />
        </Link>
        <nav aria-label={t('nav.label')} className="access-nav">
          <Link to="/workspaces" testId="nav-workspaces">
            {t('nav.workspaces')}
          </Link>
          {user.isAdmin && (
            <Link to="/audit" testId="nav-audit">
              {t('nav.audit')}
            </Link>
          )}
          <Link to="/account" testId="nav-account">
            {t('nav.account')}
          </Link>
        </nav>
        <span className="access-user muted" title={user.email}>
          {user.displayName}
        </span>
        <button type="button" className="btn ghost tiny" onClick={() => void out()} data-testid="signout-button">
          {t('nav.signOut')}
        </button>
      </header>
      <main className="access-main">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}

/** A labelled select. */
export function SelectField({ label, children, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} className="access-select" {...rest}>
        {children}
      </select>
    </div>
  );
}

/** A labelled checkbox. */
export function CheckField({ label, checked, onChange, testId, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; testId?: string; hint?: string }) {
  return (
    <label className="access-check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span>
        {label}
        {hint && <span className="block muted small">{hint}</span>}
      </span>
    </label>
  );
}

/** A modal (native <dialog>: focus stays inside, Escape closes). */
export function Modal({ title, onClose, children, testId, wide = false }: { title: string; onClose: () => void; children: ReactNode; testId?: string; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { t } = useTranslation('access');
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog access-dialog wide' : 'dialog access-dialog'}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="access-dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="btn ghost tiny" onClick={onClose} aria-label={t('common.close')}>
          <Icon name="close" />
        </button>
      </div>
      {children}
    </dialog>
  );
}

/** A full-page message card (dead links, refused, removed) with a way out. */
export function MessagePage({ title, message, testId, children }: { title: string; message: string; testId: string; children?: ReactNode }) {
  const { t } = useTranslation('access');
  return (
    <main className="center-page">
      <div className="card error-card" data-testid={testId} role="alert">
        <Logo />
        <h1>{title}</h1>
        <p className="muted">{message}</p>
        <div className="row">
          {children}
          <Link to="/" className="btn">
            {t('common.home')}
          </Link>
        </div>
      </div>
    </main>
  );
}

/** A form's error line (announced), or nothing. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="form-error" role="alert">
      {message}
    </p>
  );
}

/** The end of a form: its error line, then (right-aligned) any extra buttons and the submit button. */
export function FormFooter({ error, busy = false, label, testId, children }: { error?: string | null; busy?: boolean; label: string; testId?: string; children?: ReactNode }) {
  return (
    <>
      <FormError message={error} />
      <div className="row end">
        {children}
        <button type="submit" className="btn primary" disabled={busy} data-testid={testId}>
          {label}
        </button>
      </div>
    </>
  );
}
