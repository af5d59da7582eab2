import { lazy, Suspense } from 'react';
import { useTranslation } from '../i18n';
import { LoadingScreen } from '../LoadingScreen';
import type { AccessRoute } from './routes';

/** The account, workspace, invite and audit pages are one lazy chunk: the home page stays small. */
const AccessApp = lazy(() => import('./AccessApp'));

export function AccessPage({ route }: { route: AccessRoute }) {
  const { t } = useTranslation('access');
  return (
    <Suspense fallback={<LoadingScreen label={t('common.loading')} />}>
      <AccessApp route={route} />
    </Suspense>
  );
}
