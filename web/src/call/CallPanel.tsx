import { useCallback, useEffect, useState } from 'react';
import type { Role } from '@coderoom/shared/client';
import { useStore } from '../useStore';
import { CallClient } from './CallClient';
import { CallBar } from './CallBar';
import { PreJoin } from './PreJoin';
import { RemoteAudio } from './RemoteAudio';
import { VideoGrid } from './VideoGrid';
import { useTranslation } from '../i18n';
import './call.css';

export interface CallPanelProps {
  roomId: string;
  /** A fresh access token for the room (the room's TokenKeeper). */
  getToken: () => Promise<string>;
  selfName: string;
  role: Role;
  /** Told who is speaking (a name), or null when nobody is or the call ended. */
  onActiveSpeaker?: (name: string | null) => void;
}

/**
 * The room's call: a pre-join check, then the video grid and call bar. Lazily loaded; the
 * media libraries (mediasoup-client, simple-peer) load only when the call starts.
 */
export default function CallPanel({ roomId, getToken, selfName, role, onActiveSpeaker }: CallPanelProps) {
  const { t } = useTranslation('call');
  const [call, setCall] = useState<{ client: CallClient; local: MediaStream } | null>(null);

  const join = useCallback(
    (local: MediaStream) => {
      const client = new CallClient(roomId, getToken, local);
      client.start();
      setCall({ client, local });
    },
    [roomId, getToken],
  );

  useEffect(() => {
    if (!call) return;
    return () => {
      call.client.leave();
      for (const t of call.local.getTracks()) t.stop();
    };
  }, [call]);

  return (
    <section className="call-panel" aria-label={t('panel')}>
      {call ? <InCall client={call.client} local={call.local} selfName={selfName} onLeave={() => setCall(null)} onActiveSpeaker={onActiveSpeaker} /> : <PreJoin selfName={selfName} canSend={role !== 'viewer'} onJoin={join} />}
    </section>
  );
}

function InCall({ client, local, selfName, onLeave, onActiveSpeaker }: { client: CallClient; local: MediaStream; selfName: string; onLeave: () => void; onActiveSpeaker?: (name: string | null) => void }) {
  const { t } = useTranslation('call');
  const s = useStore(client.state);
  const [view, setView] = useState<'grid' | 'speaker'>('grid');
  const onView = useCallback((consumerId: string, visible: boolean, width: number) => client.setVideoView(consumerId, visible, width), [client]);
  const canSend = s.self?.canProduce ?? false;
  const [actionError, setActionError] = useState<string | null>(null);
  const speakerName = s.activeSpeaker === null ? null : s.activeSpeaker === s.self?.peerId ? null : (s.participants.find((p) => p.peer.peerId === s.activeSpeaker)?.peer.name ?? null);
  useEffect(() => {
    onActiveSpeaker?.(speakerName);
  }, [onActiveSpeaker, speakerName]);
  useEffect(() => () => onActiveSpeaker?.(null), [onActiveSpeaker]);
  const act = (p: Promise<void>): void => {
    setActionError(null);
    void p.catch((err: Error) => setActionError(err.message));
  };

  return (
    <>
      {actionError && (
        <div className="call-notice" role="alert">
          {actionError}
        </div>
      )}
      {s.status !== 'connected' && (
        <div className="call-notice" role="status">
          {s.status === 'connecting' ? t('joining') : s.status === 'reconnecting' ? t('reconnecting') : s.status === 'failed' ? t('unavailable', { error: s.error ?? t('unknownError') }) : null}
        </div>
      )}
      <VideoGrid
        self={s.self}
        selfName={selfName}
        localVideo={s.camOn ? (local.getVideoTracks()[0] ?? null) : null}
        localScreen={s.localScreen}
        micOn={s.micOn}
        participants={s.participants}
        activeSpeaker={s.activeSpeaker}
        view={view}
        onView={onView}
      />
      <div hidden>
        {s.participants.map((p) => p.audio && <RemoteAudio key={p.peer.peerId} track={p.audio} />)}
      </div>
      <CallBar
        micOn={s.micOn}
        camOn={s.camOn}
        sharing={s.sharing}
        canSend={canSend}
        mode={s.mode}
        quality={s.quality}
        status={s.status}
        view={view}
        onMic={() => act(client.setMic(!s.micOn))}
        onCamera={() => act(client.setCamera(!s.camOn))}
        onScreen={() => act(client.setSharing(!s.sharing))}
        onView={() => setView(view === 'grid' ? 'speaker' : 'grid')}
        onLeave={onLeave}
      />
    </>
  );
}
