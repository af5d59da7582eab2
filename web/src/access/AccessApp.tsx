import { useEffect } from 'react';
import type { User } from '@coderoom/shared/client';
import { useTranslation } from '../i18n';
import { LoadingScreen } from '../LoadingScreen';
import { navigate } from '../routing';
import { AccountPage, SignInPage, SignUpPage } from './AuthPages';
import { AuditView } from './AuditView';
import { WorkspacePage, WorkspacesPage } from './Dashboard';
import { InvitePage } from './InvitePage';
import { signInPath, type AccessRoute } from './routes';
import { AccessShell, MessagePage, useMe } from './ui';

/** The teams-and-access pages (lazy chunk). */
export default function AccessApp({ route }: { route: AccessRoute }) {
  switch (route.page) {
    case 'signin':
      return <SignInPage next={route.next} />;
    case 'signup':
      return <SignUpPage next={route.next} />;
    case 'invite':
      return <InvitePage secret={route.secret} />;
    default:
      return <SignedIn route={route} />;
  }
}

/** Pages that need an account: sends the signed-out to sign-in, and back here afterwards. */
function SignedIn({ route }: { route: Exclude<AccessRoute, { page: 'signin' | 'signup' | 'invite' }> }) {
  const { t } = useTranslation('access');
  const { user, error, reload } = useMe();
  useEffect(() => {
    if (user === null) navigate(signInPath(location.pathname));
  }, [user]);
  if (error)
    return (
      <MessagePage title={t('errors.loadFailed')} message={error} testId="access-error">
        <button type="button" className="btn primary" onClick={reload}>
          {t('common.retry')}
        </button>
      </MessagePage>
    );
  if (!user) return <LoadingScreen label={t('common.loading')} />;
  return <SignedInPage route={route} user={user} />;
}

function SignedInPage({ route, user }: { route: Exclude<AccessRoute, { page: 'signin' | 'signup' | 'invite' }>; user: User }) {
  const { t } = useTranslation('access');
  switch (route.page) {
    case 'account':
      return <AccountPage user={user} />;
    case 'workspaces':
      return <WorkspacesPage user={user} />;
    case 'workspace':
      return <WorkspacePage user={user} workspaceId={route.workspaceId} />;
    case 'audit':
      return (
        <AccessShell user={user} title={t('audit.titleAll')}>
          {user.isAdmin ? <AuditView scope={{ kind: 'all' }} /> : <p className="muted" role="alert">{t('audit.adminOnly')}</p>}
        </AccessShell>
      );
  }
}
