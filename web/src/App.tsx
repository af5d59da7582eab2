import { useEffect, useState } from 'react';
import { HomePage } from './HomePage';
import { RoomPage } from './RoomPage';
import { ErrorPage } from './ErrorPage';
import { parseRoute, usePathname } from './routing';
import { useTranslation } from './i18n';
import { OfflinePage } from './pwa/OfflinePage';
import { UpdatePrompt } from './pwa/UpdatePrompt';
import { useOnline } from './pwa/useOnline';
import { AccessPage } from './access/AccessPage';

/** The page for the current URL, and the service worker's update prompt over it. */
export function App() {
  return (
    <>
      <Page />
      <UpdatePrompt />
    </>
  );
}

function Page() {
  const route = parseRoute(usePathname());
  const { t } = useTranslation();
  const online = useOnline();
  // Opened without a connection: the offline page, until the connection returns. A room that
  // was open before the connection dropped stays (its edits are kept and merged later).
  const [openedOffline, setOpenedOffline] = useState(() => !navigator.onLine);
  useEffect(() => {
    if (online) setOpenedOffline(false);
  }, [online]);
  if (!online && (openedOffline || route.page === 'home')) return <OfflinePage />;

  switch (route.page) {
    case 'home':
      return <HomePage />;
    case 'room':
      // key: a different room is a fresh page (state, connection and all).
      return <RoomPage key={route.roomId} roomId={route.roomId} />;
    case 'access':
      return <AccessPage route={route.route} />;
    case 'not-found':
      return <ErrorPage title={t('page.notFoundTitle')} message={t('page.notFoundMessage')} />;
  }
}
