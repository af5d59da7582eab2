import type { Peer } from './RoomConnection';
import { RoleBadge } from './RoleBadge';

interface Props {
  peers: readonly Peer[];
  /** The tab we follow, if any. */
  following: string | null;
  onToggleFollow: (peer: Peer) => void;
}

/** Everyone in the room, where they are; click someone to follow them. */
export function PresenceList({ peers, following, onToggleFollow }: Props) {
  return (
    <section className="panel people-panel" aria-labelledby="people-title">
      <div className="panel-head">
        <h2 id="people-title">
          People <span className="count">{peers.length}</span>
        </h2>
      </div>
      <ul className="presence-list" data-testid="presence-list" aria-label="People in this room">
        {peers.map((p) => {
          const content = (
            <>
              <span className="dot" style={{ background: p.color }} aria-hidden="true" />
              <span className="presence-text">
                <span className="presence-name">
                  {p.name}
                  {p.self && <span className="muted"> (you)</span>}
                </span>
                <span className="presence-file mono">{p.file ?? 'no file open'}</span>
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
                  aria-label={`${isFollowed ? 'Stop following' : 'Follow'} ${p.name}${p.file ? `, in ${p.file}` : ''}`}
                  title={isFollowed ? `Stop following ${p.name}` : `Follow ${p.name}`}
                >
                  {content}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {peers.length <= 1 && <p className="empty muted">Nobody else is here yet. Share the invite link.</p>}
    </section>
  );
}
