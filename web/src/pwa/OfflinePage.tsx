import { Logo } from '../Logo';
import { RecentRooms } from '../RecentRooms';
import { useTranslation } from '../i18n';

/**
 * What the app shows when it opens without a connection (served by the service worker): that we
 * are offline, and the rooms this browser visited, which open once the connection is back.
 */
export function OfflinePage() {
  const { t } = useTranslation();
  return (
    <main className="center-page">
      <div className="card offline-card" data-testid="offline-page" role="alert">
        <Logo />
        <h1>{t('offline.title')}</h1>
        <p className="muted">{t('offline.message')}</p>
        <RecentRooms empty={t('offline.noRecent')} />
        <button type="button" className="btn" onClick={() => location.reload()}>
          {t('offline.retry')}
        </button>
      </div>
    </main>
  );
}
