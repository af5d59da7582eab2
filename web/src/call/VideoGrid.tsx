import type { CallPeer } from '@coderoom/shared/client';
import type { RemoteParticipant } from './CallClient';
import { VideoTile } from './VideoTile';
import { useTranslation } from '../i18n';

interface Props {
  self: CallPeer | null;
  selfName: string;
  localVideo: MediaStreamTrack | null;
  localScreen: MediaStreamTrack | null;
  micOn: boolean;
  participants: RemoteParticipant[];
  activeSpeaker: string | null;
  view: 'grid' | 'speaker';
  onView: (consumerId: string, visible: boolean, widthPx: number) => void;
}

/**
 * The call's videos: a screen-share stage when someone shares, then either a grid of everyone
 * or the active speaker large with the others in a strip (hidden tiles pause their consumers).
 */
export function VideoGrid({ self, selfName, localVideo, localScreen, micOn, participants, activeSpeaker, view, onView }: Props) {
  const { t } = useTranslation('call');
  const screens = participants.filter((p) => p.screen);
  const speakerId = activeSpeaker && participants.some((p) => p.peer.peerId === activeSpeaker) ? activeSpeaker : participants[0]?.peer.peerId;
  const selfTile = <VideoTile key="self" name={self?.name ?? selfName} track={localVideo} self muted={!micOn} speaking={activeSpeaker !== null && activeSpeaker === self?.peerId} />;
  const tile = (p: RemoteParticipant) => (
    <VideoTile key={p.peer.peerId} name={p.peer.name} track={p.camera} consumerId={p.cameraConsumerId} onView={onView} muted={p.muted} speaking={p.peer.peerId === activeSpeaker} />
  );
  const featured = view === 'speaker' ? participants.find((p) => p.peer.peerId === speakerId) : undefined;

  return (
    <div className={`call-grid-wrap${screens.length > 0 || localScreen ? ' has-stage' : ''}`}>
      {(screens.length > 0 || localScreen) && (
        <div className="call-stage" data-testid="call-screen-stage">
          {localScreen && <VideoTile name={t('screenOf', { name: self?.name ?? selfName })} track={localScreen} self screen testId="call-screen-tile" />}
          {screens.map((p) => (
            <VideoTile key={p.peer.peerId} name={t('screenOf', { name: p.peer.name })} track={p.screen} consumerId={p.screenConsumerId} onView={onView} screen testId="call-screen-tile" />
          ))}
        </div>
      )}
      {featured ? (
        <div className="call-speaker">
          <div className="call-featured">{tile(featured)}</div>
          <div className="call-strip">
            {selfTile}
            {participants.filter((p) => p !== featured).map(tile)}
          </div>
        </div>
      ) : (
        <div className="call-grid" data-count={participants.length + 1}>
          {selfTile}
          {participants.map(tile)}
        </div>
      )}
    </div>
  );
}
