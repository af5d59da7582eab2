import { useEffect, useState } from 'react';
import type { ConnectionInfo } from './RoomConnection';

interface Props {
  info: ConnectionInfo;
  onRetry: () => void;
}

const LABELS: Record<ConnectionInfo['state'], string> = { connected: 'Connected', connecting: 'Connecting…', disconnected: 'Offline' };

/** The socket's state, with reconnect details and a "retry now" while offline. */
export function ConnectionStatus({ info, onRetry }: Props) {
  const offlineFor = useSecondsSince(info.state === 'disconnected' ? info.since : null);
  const detail =
    info.state === 'disconnected'
      ? `reconnecting${info.attempts > 1 ? ` (attempt ${info.attempts})` : ''}${offlineFor >= 5 ? ` · ${formatDuration(offlineFor)}` : ''}`
      : null;
  return (
    <div className={`status conn-${info.state}`} data-testid="connection-status" data-state={info.state} role="status" aria-live="polite">
      <span className="status-dot" aria-hidden="true" />
      <span className="status-label">{LABELS[info.state]}</span>
      {detail && <span className="status-detail">{detail}</span>}
      {info.state === 'disconnected' && (
        <button type="button" className="btn tiny" onClick={onRetry} aria-label="Reconnect now">
          Retry
        </button>
      )}
    </div>
  );
}

/** Seconds elapsed since `since` (ticking every second), or 0. */
function useSecondsSince(since: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (since === null) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [since]);
  return since === null ? 0 : Math.max(0, Math.floor((now - since) / 1000));
}

function formatDuration(s: number): string {
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${s % 60}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
}
