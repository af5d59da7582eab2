import { useTranslation } from './i18n';
import { formatDateTime } from './format';
import { navigate, roomPath } from './routing';
import { recentRooms } from './session';

/** The rooms this browser joined, newest first, as links; `empty` is shown when there are none. */
export function RecentRooms({ empty }: { empty?: string }) {
  const { t, i18n } = useTranslation();
  const rooms = recentRooms();
  if (rooms.length === 0) return empty ? <p className="muted">{empty}</p> : null;
  return (
    <section className="recent" aria-labelledby="recent-title">
      <h2 id="recent-title">{t('home.recent.title')}</h2>
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
    </section>
  );
}
