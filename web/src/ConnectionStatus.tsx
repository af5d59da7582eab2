import { useEffect, useState } from 'react';
import type { ConnectionInfo } from './RoomConnection';
import { useTranslation } from './i18n';
import { formatDuration } from './format';

interface Props {
  info: ConnectionInfo;
  onRetry: () => void;
}

/** The socket's state, with reconnect details and a "retry now" while offline. */
export function ConnectionStatus({ info, onRetry }: Props) {
  const { t, i18n } = useTranslation('room');
  const offlineFor = useSecondsSince(info.state === 'disconnected' ? info.since : null);
  const detail =
    info.state === 'disconnected'
      ? [t('connection.reconnecting'), info.attempts > 1 ? t('connection.attempt', { n: info.attempts }) : null, offlineFor >= 5 ? formatDuration(offlineFor, i18n.language) : null].filter(Boolean).join(' · ')
      : null;
  return (
    <div className={`status conn-${info.state}`} data-testid="connection-status" data-state={info.state} role="status" aria-live="polite">
      <span className="status-dot" aria-hidden="true" />
      <span className="status-label">{t(`connection.${info.state}`)}</span>
      {detail && <span className="status-detail">{detail}</span>}
      {info.state === 'disconnected' && (
        <button type="button" className="btn tiny" onClick={onRetry} aria-label={t('connection.retryLabel')}>
          {t('common:actions.retry')}
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
