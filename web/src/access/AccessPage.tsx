import { lazy, Suspense } from 'react';
import { LoadingScreen } from '../LoadingScreen';
import type { AccessRoute } from './routes';

/** The account, workspace, invite and audit pages are one lazy chunk: the home page stays small. */
const AccessApp = lazy(() => import('./AccessApp'));

export function AccessPage({ route }: { route: AccessRoute }) {
  return (
    <Suspense fallback={<LoadingScreen label="…" />}>
      <AccessApp route={route} />
    </Suspense>
  );
}
