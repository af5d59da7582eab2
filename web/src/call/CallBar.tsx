import type { CallMode } from '@coderoom/shared/client';
import type { ConnectionQuality } from './connectionQuality';

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

const QUALITY_LABEL: Record<ConnectionQuality, string> = { good: 'Good connection', fair: 'Fair connection', poor: 'Poor connection', unknown: 'Measuring…' };

/** Mute, camera, screen share, view and leave, with the call's mode and connection quality. */
export function CallBar(p: Props) {
  return (
    <div className="call-bar" role="toolbar" aria-label="Call controls">
      <button className={`btn tiny${p.micOn ? '' : ' danger'}`} data-testid="call-mute" aria-pressed={!p.micOn} onClick={p.onMic} disabled={!p.canSend}>
        {p.micOn ? 'Mute' : 'Unmute'}
      </button>
      <button className={`btn tiny${p.camOn ? '' : ' danger'}`} data-testid="call-camera" aria-pressed={!p.camOn} onClick={p.onCamera} disabled={!p.canSend}>
        {p.camOn ? 'Camera off' : 'Camera on'}
      </button>
      <button className={`btn tiny${p.sharing ? ' primary' : ''}`} data-testid="call-screen" aria-pressed={p.sharing} onClick={p.onScreen} disabled={!p.canSend}>
        {p.sharing ? 'Stop sharing' : 'Share screen'}
      </button>
      <button className="btn tiny ghost" data-testid="call-view" onClick={p.onView}>
        {p.view === 'grid' ? 'Speaker view' : 'Grid view'}
      </button>
      <span className="call-status muted" data-testid="call-mode" data-mode={p.mode} data-status={p.status} title={p.mode === 'p2p' ? 'Media flows directly between the two of you' : 'Media flows through the server'}>
        {p.status === 'connected' ? (p.mode === 'p2p' ? 'Direct' : 'Via server') : p.status}
      </span>
      <span className={`call-quality q-${p.quality}`} data-testid="call-quality" data-quality={p.quality} title={QUALITY_LABEL[p.quality]} aria-label={QUALITY_LABEL[p.quality]} />
      <button className="btn tiny danger" data-testid="call-leave" onClick={p.onLeave}>
        Leave
      </button>
    </div>
  );
}
