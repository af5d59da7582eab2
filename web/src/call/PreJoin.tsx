import { useEffect, useRef, useState } from 'react';
import { DevicePicker } from './DevicePicker';
import { VideoTile } from './VideoTile';
import { useTranslation } from '../i18n';

/** How often the microphone level meter updates, in ms. */
const LEVEL_INTERVAL_MS = 100;

interface Props {
  selfName: string;
  /** Viewers join to watch and listen; they are not asked for a camera or microphone. */
  canSend: boolean;
  onJoin: (stream: MediaStream) => void;
}

/** The check before joining: camera preview, microphone level, device pickers. */
export function PreJoin({ selfName, canSend, onJoin }: Props) {
  const { t } = useTranslation('call');
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [camId, setCamId] = useState('');
  const [micId, setMicId] = useState('');
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [level, setLevel] = useState(0);
  const handedOff = useRef(false);

  useEffect(() => {
    if (!canSend) return;
    let cancelled = false;
    let acquired: MediaStream | null = null;
    navigator.mediaDevices
      .getUserMedia({
        audio: micId ? { deviceId: { exact: micId } } : true,
        video: camId ? { deviceId: { exact: camId }, width: { ideal: 1280 }, height: { ideal: 720 } } : { width: { ideal: 1280 }, height: { ideal: 720 } },
      })
      .then(async (s) => {
        if (cancelled) return s.getTracks().forEach((t) => t.stop());
        acquired = s;
        setStream(s);
        setError(null);
        setDevices(await navigator.mediaDevices.enumerateDevices());
      })
      .catch((err: Error) => setError(t('mediaError', { error: err.message })));
    return () => {
      cancelled = true;
      if (acquired && !handedOff.current) acquired.getTracks().forEach((t) => t.stop());
    };
  }, [canSend, camId, micId, t]);

  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!track) return;
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const data = new Uint8Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getByteTimeDomainData(data);
      let peak = 0;
      for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
      setLevel(peak / 128);
    }, LEVEL_INTERVAL_MS);
    return () => {
      clearInterval(timer);
      void ctx.close();
    };
  }, [stream]);

  const join = (): void => {
    handedOff.current = true;
    onJoin(stream ?? new MediaStream());
  };

  return (
    <div className="call-prejoin">
      {canSend ? (
        <>
          <VideoTile name={selfName} track={stream?.getVideoTracks()[0] ?? null} self testId="call-preview" />
          <div className="call-level" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)} aria-label={t('level')}>
            <div style={{ width: `${Math.round(level * 100)}%` }} />
          </div>
          <DevicePicker label={t('camera')} kind="videoinput" devices={devices} value={camId || (stream?.getVideoTracks()[0]?.getSettings().deviceId ?? '')} onChange={setCamId} />
          <DevicePicker label={t('microphone')} kind="audioinput" devices={devices} value={micId || (stream?.getAudioTracks()[0]?.getSettings().deviceId ?? '')} onChange={setMicId} />
          {error && <p className="form-error">{error}</p>}
        </>
      ) : (
        <p className="muted">{t('viewerNote')}</p>
      )}
      <button className="btn primary wide" data-testid="call-join" onClick={join} disabled={canSend && !stream && !error}>
        {t('join')}
      </button>
    </div>
  );
}
