import { HomePage } from './HomePage';
import { RoomPage } from './RoomPage';
import { ErrorPage } from './ErrorPage';
import { parseRoute, usePathname } from './routing';
import { useTranslation } from './i18n';

/** Picks the page for the current URL. */
export function App() {
  const route = parseRoute(usePathname());
  const { t } = useTranslation();
  switch (route.page) {
    case 'home':
      return <HomePage />;
    case 'room':
      // key: a different room is a fresh page (state, connection and all).
      return <RoomPage key={route.roomId} roomId={route.roomId} />;
    case 'not-found':
      return <ErrorPage title={t('page.notFoundTitle')} message={t('page.notFoundMessage')} />;
  }
}
