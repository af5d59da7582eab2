import { useEffect, useState, type FormEvent } from 'react';
import { DisplayNameSchema, EmailSchema, MIN_PASSWORD_CHARS, PasswordSchema, type SessionInfo, type User } from '@coderoom/shared/client';
import { Field } from '../Field';
import { useTranslation } from '../i18n';
import { Logo } from '../Logo';
import { navigate } from '../routing';
import { changePassword, listSessions, revokeSession, signIn, signUp } from './accessApi';
import { AccessShell, errorText, formatTime, Link, FormError } from './ui';

/** `/signin` */
export function SignInPage({ next }: { next: string | null }) {
  const { t } = useTranslation('access');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!email.trim() || !password) return setError(t('auth.fillBoth'));
    setBusy(true);
    setError(null);
    try {
      await signIn({ email, password });
      navigate(next ?? '/workspaces');
    } catch (err) {
      setError(errorText(t, err) === t('errors.UNAUTHORIZED') ? t('auth.wrongCredentials') : errorText(t, err));
      setBusy(false);
    }
  }

  return (
    <main className="center-page">
      <form className="card auth-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="signin-title" data-testid="signin-form">
        <Logo />
        <h1 id="signin-title">{t('auth.signInTitle')}</h1>
        <Field label={t('auth.email')} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="signin-email" autoFocus />
        <Field label={t('auth.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="signin-password" />
        <FormError message={error} />
        <button type="submit" className="btn primary wide" disabled={busy} data-testid="signin-submit">
          {busy ? t('auth.signingIn') : t('auth.signIn')}
        </button>
        <p className="muted">
          {t('auth.noAccount')} <Link to={next ? `/signup?next=${encodeURIComponent(next)}` : '/signup'} testId="signup-link">{t('auth.signUp')}</Link>
        </p>
      </form>
    </main>
  );
}

/** `/signup` */
export function SignUpPage({ next }: { next: string | null }) {
  const { t } = useTranslation('access');
  const [form, setForm] = useState({ displayName: '', email: '', password: '' });
  const [errors, setErrors] = useState<{ displayName?: string; email?: string; password?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = {
      displayName: DisplayNameSchema.safeParse(form.displayName).success ? undefined : t('auth.nameInvalid'),
      email: EmailSchema.safeParse(form.email).success ? undefined : t('auth.emailInvalid'),
      password: PasswordSchema.safeParse(form.password).success ? undefined : t('auth.passwordRule', { min: MIN_PASSWORD_CHARS }),
    };
    setErrors(errs);
    if (errs.displayName || errs.email || errs.password) return;
    setBusy(true);
    try {
      await signUp(form);
      navigate(next ?? '/workspaces');
    } catch (err) {
      setErrors({ form: errorText(t, err) === t('errors.CONFLICT') ? t('auth.emailTaken') : errorText(t, err) });
      setBusy(false);
    }
  }
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <main className="center-page">
      <form className="card auth-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="signup-title" data-testid="signup-form">
        <Logo />
        <h1 id="signup-title">{t('auth.signUpTitle')}</h1>
        <Field label={t('auth.displayName')} autoComplete="name" value={form.displayName} onChange={set('displayName')} error={errors.displayName} data-testid="signup-name" autoFocus />
        <Field label={t('auth.email')} type="email" autoComplete="email" value={form.email} onChange={set('email')} error={errors.email} data-testid="signup-email" />
        <Field
          label={t('auth.password')}
          type="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={errors.password}
          hint={t('auth.passwordRule', { min: MIN_PASSWORD_CHARS })}
          data-testid="signup-password"
        />
        <FormError message={errors.form} />
        <button type="submit" className="btn primary wide" disabled={busy} data-testid="signup-submit">
          {busy ? t('auth.signingUp') : t('auth.signUp')}
        </button>
        <p className="muted">
          {t('auth.haveAccount')} <Link to={next ? `/signin?next=${encodeURIComponent(next)}` : '/signin'}>{t('auth.signIn')}</Link>
        </p>
      </form>
    </main>
  );
}

/** `/account`: password change and the list of sessions. */
export function AccountPage({ user }: { user: User }) {
  const { t } = useTranslation('access');
  return (
    <AccessShell user={user} title={t('account.title')}>
      <section className="card access-section" aria-labelledby="acct-me">
        <h2 id="acct-me">{user.displayName}</h2>
        <p className="muted">
          {user.email}
          {user.isAdmin && <span className="pill access-pill">{t('account.admin')}</span>}
        </p>
      </section>
      <PasswordForm />
      <SessionList />
    </AccessShell>
  );
}

function PasswordForm() {
  const { t } = useTranslation('access');
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!PasswordSchema.safeParse(next).success) return setMsg({ ok: false, text: t('auth.passwordRule', { min: MIN_PASSWORD_CHARS }) });
    setBusy(true);
    try {
      const { revokedSessions } = await changePassword({ currentPassword: cur, newPassword: next });
      setMsg({ ok: true, text: t('account.passwordChanged', { count: revokedSessions }) });
      setCur('');
      setNext('');
    } catch (err) {
      setMsg({ ok: false, text: errorText(t, err) === t('errors.UNAUTHORIZED') ? t('account.currentWrong') : errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card access-section" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="acct-pw">
      <h2 id="acct-pw">{t('account.changePassword')}</h2>
      <Field label={t('account.currentPassword')} type="password" autoComplete="current-password" value={cur} onChange={(e) => setCur(e.target.value)} />
      <Field label={t('account.newPassword')} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} hint={t('auth.passwordRule', { min: MIN_PASSWORD_CHARS })} />
      {msg && (
        <p className={msg.ok ? 'access-ok' : 'form-error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      <div className="row end">
        <button type="submit" className="btn primary" disabled={busy || !cur || !next}>
          {t('account.changePassword')}
        </button>
      </div>
    </form>
  );
}

function SessionList() {
  const { t, i18n } = useTranslation('access');
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    listSessions().then(
      (s) => {
        setSessions(s);
        setError(null);
      },
      (err: unknown) => setError(errorText(t, err)),
    );
  useEffect(() => {
    void load();
  }, []);
  const revoke = async (s: SessionInfo) => {
    try {
      await revokeSession(s.id);
      if (s.current) navigate('/signin');
      else await load();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <section className="card access-section" aria-labelledby="acct-sessions" data-testid="session-list">
      <h2 id="acct-sessions">{t('account.sessions')}</h2>
      <FormError message={error} />
      {sessions === null && !error && <p className="muted">{t('common.loading')}</p>}
      {sessions && (
        <ul className="access-list">
          {sessions.map((s) => (
            <li key={s.id} className="access-item">
              <div className="grow">
                <div className="ellipsis" title={s.userAgent ?? ''}>
                  {s.userAgent ?? t('account.unknownDevice')} {s.current && <span className="pill access-pill">{t('account.thisSession')}</span>}
                </div>
                <div className="muted small">{t('account.sessionTimes', { created: formatTime(s.createdAt, i18n.language), seen: formatTime(s.lastSeenAt, i18n.language) })}</div>
              </div>
              <button type="button" className="btn tiny" onClick={() => void revoke(s)} data-testid="session-revoke">
                {s.current ? t('nav.signOut') : t('account.revoke')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
