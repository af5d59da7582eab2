import { useEffect, useRef } from 'react';
import { useTranslation } from '../i18n';
import { Icon } from '../Icon';

interface Props {
  name: string;
  track: MediaStreamTrack | null;
  /** SFU consumer behind the video, told when the tile is hidden or resized. */
  consumerId?: string | null;
  onView?: (consumerId: string, visible: boolean, widthPx: number) => void;
  speaking?: boolean;
  muted?: boolean;
  self?: boolean;
  /** A screen share: fit, not crop. */
  screen?: boolean;
  testId?: string;
}

/** One video: a camera, your own preview, or a screen share. Reports visibility and size for its consumer. */
export function VideoTile({ name, track, consumerId, onView, speaking, muted, self, screen, testId = 'call-tile' }: Props) {
  const { t } = useTranslation('call');
  const video = useRef<HTMLVideoElement>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    el.srcObject = track ? new MediaStream([track]) : null;
    if (track) void el.play().catch(() => undefined);
  }, [track]);

  useEffect(() => {
    const el = box.current;
    if (!el || !consumerId || !onView) return;
    let visible = false;
    const report = (): void => onView(consumerId, visible, el.clientWidth);
    const io = new IntersectionObserver((entries) => {
      visible = entries.some((e) => e.isIntersecting);
      report();
    });
    const ro = new ResizeObserver(report);
    io.observe(el);
    ro.observe(el);
    return () => {
      io.disconnect();
      ro.disconnect();
      onView(consumerId, false, 0);
    };
  }, [consumerId, onView]);

  return (
    <div ref={box} className={`call-tile${speaking ? ' speaking' : ''}${screen ? ' screen' : ''}`} data-testid={testId} data-name={name} data-speaking={speaking ? 'true' : 'false'}>
      <video ref={video} autoPlay playsInline muted className={self && !screen ? 'mirror' : undefined} />
      {!track && <div className="call-tile-avatar" aria-hidden="true">{name.slice(0, 1).toUpperCase()}</div>}
      <div className="call-tile-name">
        {muted && (
          <span className="call-tile-muted" title={t('micOff')} aria-label={t('micOff')} role="img">
            <Icon name="micOff" size={13} />
          </span>
        )}
        {name}
        {self && t('common:you')}
      </div>
    </div>
  );
}
