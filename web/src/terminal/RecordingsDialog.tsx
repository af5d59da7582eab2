import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api';
import type { TokenKeeper } from '../TokenKeeper';
import { CastParseError, parseCast, type Cast } from './asciicast';
import { CastPlayer } from './CastPlayer';
import { fetchRecording, listRecordings, type RecordingEntry } from './recordingsApi';
import { Icon } from '../Icon';

interface Props {
  roomId: string;
  keeper: TokenKeeper;
  onClose: () => void;
}

function message(err: unknown): string {
  if (err instanceof ApiError || err instanceof CastParseError) return err.message;
  return 'Something went wrong.';
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The room's terminal recordings: replay one here, or download its asciicast file. */
export function RecordingsDialog({ roomId, keeper, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [list, setList] = useState<RecordingEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState<{ entry: RecordingEntry; cast: Cast } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

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
    <dialog
      ref={ref}
      className={playing ? 'dialog recordings-dialog wide' : 'dialog recordings-dialog'}
      aria-labelledby="recordings-title"
      data-testid="recordings-dialog"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      <div className="recordings-head">
        <h2 id="recordings-title">{playing ? `Replay: ${playing.entry.title || playing.entry.id}` : 'Terminal recordings'}</h2>
        <button type="button" className="icon-btn" onClick={onClose} aria-label="Close recordings">
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
              Back to the list
            </button>
          </div>
        </>
      ) : list === null ? (
        !error && (
          <div className="loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading recordings…
          </div>
        )
      ) : list.length === 0 ? (
        <p className="muted">No recordings yet. A host can record a terminal with the Record button.</p>
      ) : (
        <ul className="recording-list" aria-label="Recordings">
          {list.map((r) => (
            <li key={r.id} className="recording-item" data-testid="recording-item" data-recording-id={r.id}>
              <div className="recording-text">
                <span className="recording-title">{r.title || r.id}</span>
                <span className="muted recording-meta">
                  {new Date(r.startedAt).toLocaleString()} · {r.width}×{r.height} · {formatBytes(r.bytes)}
                  {r.active && <span className="rec-badge small"> recording</span>}
                </span>
              </div>
              <button type="button" className="btn tiny" onClick={() => void play(r)} disabled={busy !== null} data-testid="recording-play" aria-label={`Replay ${r.title || r.id}`}>
                <Icon name="play" size={14} />
                Replay
              </button>
              <button type="button" className="btn tiny ghost" onClick={() => void download(r)} disabled={busy !== null} data-testid="recording-download" aria-label={`Download ${r.title || r.id} as an asciicast file`}>
                <Icon name="download" size={14} />
                Download
              </button>
            </li>
          ))}
        </ul>
      )}
    </dialog>
  );
}
