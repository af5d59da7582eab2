import type { Peer } from './RoomConnection';
import { Trans, useTranslation } from './i18n';

/** Shown while we follow someone: whom, and a way to stop. */
export function FollowBanner({ peer, onStop }: { peer: Peer; onStop: () => void }) {
  const { t } = useTranslation('room');
  return (
    <div className="follow-banner" data-testid="follow-banner" role="status" style={{ borderColor: peer.color }}>
      <span className="dot" style={{ background: peer.color }} aria-hidden="true" />
      <span>
        {peer.file ? (
          <Trans t={t} i18nKey="follow.following" values={{ name: peer.name, file: peer.file }} components={[<strong />, <span className="mono" />]} />
        ) : (
          <Trans t={t} i18nKey="follow.followingNoFile" values={{ name: peer.name }} components={[<strong />]} />
        )}
      </span>
      <button type="button" className="btn tiny" onClick={onStop} aria-label={t('follow.stopLabel', { name: peer.name })}>
        {t('follow.stop')}
      </button>
    </div>
  );
}
