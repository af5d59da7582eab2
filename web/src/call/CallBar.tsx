import type { CallMode } from '@coderoom/shared/client';
import type { ConnectionQuality } from './connectionQuality';
import { useTranslation } from '../i18n';

interface Props {
  micOn: boolean;
  camOn: boolean;
  sharing: boolean;
  canSend: boolean;
  mode: CallMode;
  quality: ConnectionQuality;
  status: string;
  view: 'grid' | 'speaker';
  onMic: () => void;
  onCamera: () => void;
  onScreen: () => void;
  onView: () => void;
  onLeave: () => void;
}

/** Mute, camera, screen share, view and leave, with the call's mode and connection quality. */
export function CallBar(p: Props) {
  const { t } = useTranslation('call');
  const quality = t(`quality.${p.quality}`);
  return (
    <div className="call-bar" role="toolbar" aria-label={t('controls')}>
      {/* Watchers (viewers) only watch and listen: no send controls. */}
      {p.canSend && (
        <>
          <button className={`btn tiny${p.micOn ? '' : ' danger'}`} data-testid="call-mute" aria-pressed={!p.micOn} onClick={p.onMic}>
            {p.micOn ? t('mute') : t('unmute')}
          </button>
          <button className={`btn tiny${p.camOn ? '' : ' danger'}`} data-testid="call-camera" aria-pressed={!p.camOn} onClick={p.onCamera}>
            {p.camOn ? t('cameraOff') : t('cameraOn')}
          </button>
          <button className={`btn tiny${p.sharing ? ' primary' : ''}`} data-testid="call-screen" aria-pressed={p.sharing} onClick={p.onScreen}>
            {p.sharing ? t('stopShare') : t('share')}
          </button>
        </>
      )}
      <button className="btn tiny ghost" data-testid="call-view" onClick={p.onView}>
        {p.view === 'grid' ? t('speakerView') : t('gridView')}
      </button>
      <span className="call-status muted" data-testid="call-mode" data-mode={p.mode} data-status={p.status} title={p.mode === 'p2p' ? t('p2pTitle') : t('sfuTitle')}>
        {p.status === 'connected' ? (p.mode === 'p2p' ? t('p2p') : t('sfu')) : t(`status.${p.status}`, { defaultValue: p.status })}
      </span>
      <span className={`call-quality q-${p.quality}`} data-testid="call-quality" data-quality={p.quality} title={quality} aria-label={quality} role="img" />
      <button className="btn tiny danger" data-testid="call-leave" onClick={p.onLeave}>
        {t('leave')}
      </button>
    </div>
  );
}
