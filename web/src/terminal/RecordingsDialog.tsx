import { useEffect, useState } from 'react';
import type { TokenKeeper } from '../TokenKeeper';
import { CastParseError, parseCast, type Cast } from './asciicast';
import { CastPlayer } from './CastPlayer';
import { fetchRecording, listRecordings, type RecordingEntry } from './recordingsApi';
import { Icon } from '../Icon';
import { errorMessage } from '../errorMessage';
import { formatBytes, formatDateTime } from '../format';
import { useTranslation } from '../i18n';
import { useModal } from '../useModal';

interface Props {
  roomId: string;
  keeper: TokenKeeper;
  onClose: () => void;
}

function message(err: unknown): string {
  return err instanceof CastParseError ? err.message : errorMessage(err);
}

/** The room's terminal recordings: replay one here, or download its asciicast file. */
export function RecordingsDialog({ roomId, keeper, onClose }: Props) {
  const { t, i18n } = useTranslation('terminal');
  const modal = useModal(onClose);
  const [list, setList] = useState<RecordingEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<{ entry: RecordingEntry; cast: Cast } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const items = await listRecordings(roomId, await keeper.token());
        if (!cancelled) setList(items);
      } catch (err) {
        if (!cancelled) setError(message(err));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [roomId, keeper]);

  const load = async (entry: RecordingEntry): Promise<Blob | null> => {
    setBusy(entry.id);
    setError(null);
    try {
      return await fetchRecording(roomId, await keeper.token(), entry.id);
    } catch (err) {
      setError(message(err));
      return null;
    } finally {
      setBusy(null);
    }
  };

  const play = async (entry: RecordingEntry): Promise<void> => {
    const blob = await load(entry);
    if (!blob) return;
    try {
      setPlaying({ entry, cast: parseCast(await blob.text()) });
    } catch (err) {
      setError(message(err));
    }
  };

  const download = async (entry: RecordingEntry): Promise<void> => {
    const blob = await load(entry);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${entry.id}.cast`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <dialog {...modal} className={playing ? 'dialog recordings-dialog wide' : 'dialog recordings-dialog'} aria-labelledby="recordings-title" data-testid="recordings-dialog">
      <div className="recordings-head">
        <h2 id="recordings-title">{playing ? t('rec.replayTitle', { title: playing.entry.title || playing.entry.id }) : t('rec.title')}</h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label={t('rec.close')}>
          ×
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {playing ? (
        <>
          <CastPlayer cast={playing.cast} />
          <div className="row end">
            <button type="button" className="btn" onClick={() => setPlaying(null)}>
              {t('rec.back')}
            </button>
          </div>
        </>
      ) : list === null ? (
        !error && (
          <div className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> {t('rec.loading')}
          </div>
        )
      ) : list.length === 0 ? (
        <p className="muted">{t('rec.empty')}</p>
      ) : (
        <ul className="recording-list" aria-label={t('rec.list')}>
          {list.map((r) => (
            <li key={r.id} className="recording-item" data-testid="recording-item" data-recording-id={r.id}>
              <div className="recording-text">
                <span className="recording-title">{r.title || r.id}</span>
                <span className="muted recording-meta">
                  {formatDateTime(r.startedAt, i18n.language)} · {r.width}×{r.height} · {formatBytes(r.bytes, i18n.language)}
                  {r.active && <span className="rec-badge small">{t('rec.active')}</span>}
                </span>
              </div>
              <button type="button" className="btn tiny" onClick={() => void play(r)} disabled={busy !== null} data-testid="recording-play" aria-label={t('rec.replayLabel', { title: r.title || r.id })}>
                <Icon name="play" size={14} />
                {t('rec.replay')}
              </button>
              <button type="button" className="btn tiny ghost" onClick={() => void download(r)} disabled={busy !== null} data-testid="recording-download" aria-label={t('rec.downloadLabel', { title: r.title || r.id })}>
                <Icon name="download" size={14} />
                {t('rec.download')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </dialog>
  );
}
