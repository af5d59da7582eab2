import type { Peer } from './RoomConnection';

/** Shown while we follow someone: whom, and a way to stop. */
export function FollowBanner({ peer, onStop }: { peer: Peer; onStop: () => void }) {
  return (
    <div className="follow-banner" data-testid="follow-banner" role="status" style={{ borderColor: peer.color }}>
      <span className="dot" style={{ background: peer.color }} aria-hidden="true" />
      <span>
        Following <strong>{peer.name}</strong>
        {peer.file ? (
          <>
            {' '}
            in <span className="mono">{peer.file}</span>
          </>
        ) : (
          ' (no file open)'
        )}
      </span>
      <button type="button" className="btn tiny" onClick={onStop} aria-label={`Stop following ${peer.name}`}>
        Stop
      </button>
    </div>
  );
}
