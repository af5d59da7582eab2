import { Logo } from '../Logo';
import { useTranslation } from '../i18n';
import { navigate, roomPath } from '../routing';
import { recentRooms } from '../session';
import { formatDateTime } from '../format';

/**
 * What the app shows when it opens without a connection (served by the service worker): that we
 * are offline, and the rooms this browser visited, which open once the connection is back.
 */
export function OfflinePage() {
  const { t, i18n } = useTranslation();
  const rooms = recentRooms();
  return (
    <main className="center-page">
      <div className="card offline-card" data-testid="offline-page" role="alert">
        <Logo />
        <h1>{t('offline.title')}</h1>
        <p className="muted">{t('offline.message')}</p>
        <section aria-labelledby="recent-title">
          <h2 id="recent-title">{t('home.recent.title')}</h2>
          {rooms.length === 0 ? (
            <p className="muted">{t('offline.noRecent')}</p>
          ) : (
            <ul className="recent-list" data-testid="recent-rooms">
              {rooms.map((r) => (
                <li key={r.roomId}>
                  <a
                    href={roomPath(r.roomId)}
                    data-testid="recent-room"
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(roomPath(r.roomId));
                    }}
                  >
                    {r.roomName}
                  </a>
                  <span className="muted">{t('home.recent.lastVisit', { when: formatDateTime(r.visitedAt, i18n.language) })}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <button type="button" className="btn" onClick={() => location.reload()}>
          {t('offline.retry')}
        </button>
      </div>
    </main>
  );
}
