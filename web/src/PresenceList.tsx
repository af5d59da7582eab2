import type { Peer } from './RoomConnection';
import { RoleBadge } from './RoleBadge';
import { useTranslation } from './i18n';

interface Props {
  peers: readonly Peer[];
  /** The tab we follow, if any. */
  following: string | null;
  onToggleFollow: (peer: Peer) => void;
}

/** Everyone in the room, where they are; click someone to follow them. */
export function PresenceList({ peers, following, onToggleFollow }: Props) {
  const { t } = useTranslation('room');
  return (
    <section className="panel people-panel" aria-labelledby="people-title">
      <div className="panel-head">
        <h2 id="people-title">
          {t('people.title')} <span className="count">{peers.length}</span>
        </h2>
      </div>
      <ul className="presence-list" data-testid="presence-list" aria-label={t('people.list')}>
        {peers.map((p) => {
          const content = (
            <>
              <span className="dot" style={{ background: p.color }} aria-hidden="true" />
              <span className="presence-text">
                <span className="presence-name">
                  {p.name}
                  {p.self && <span className="muted">{t('common:you')}</span>}
                </span>
                <span className="presence-file mono">{p.file ?? t('people.noFile')}</span>
              </span>
              <RoleBadge role={p.role} />
            </>
          );
          const isFollowed = following === p.tab;
          return (
            <li key={p.clientId} data-testid="presence-item" data-name={p.name} data-self={p.self ? 'true' : undefined} data-following={isFollowed ? 'true' : undefined}>
              {p.self ? (
                <div className="presence-row">{content}</div>
              ) : (
                <button
                  type="button"
                  className={isFollowed ? 'presence-row following' : 'presence-row'}
                  onClick={() => onToggleFollow(p)}
                  aria-pressed={isFollowed}
                  title={t(isFollowed ? 'people.stopFollow' : 'people.follow', { name: p.name })}
                >
                  {content}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {peers.length <= 1 && <p className="empty muted">{t('people.alone')}</p>}
    </section>
  );
}
