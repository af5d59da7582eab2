import { useEffect, useState } from 'react';
import { isHost, type TerminalInfo } from '@coderoom/shared/client';
import type { PtyClient, PtyYou } from './PtyClient';
import { Icon } from '../Icon';
import { useTranslation } from '../i18n';

interface Props {
  client: PtyClient;
  info: TerminalInfo;
  you: PtyYou;
}

/**
 * Who drives the shown terminal and how control changes hands: the drivers (hosts revoke),
 * raise/lower hand for watchers, raised hands with Grant for hosts, and recording for hosts.
 */
export function ControlBar({ client, info, you }: Props) {
  const { t } = useTranslation('terminal');
  const host = isHost(you.role);
  const driving = info.drivers.some((d) => d.sub === you.sub);
  const handUp = info.hands.some((h) => h.sub === you.sub);
  const terminalId = info.id;

  return (
    <div className="term-controls" role="toolbar" aria-label={t('control.label', { title: info.title })}>
      <div className="term-drivers" data-testid="terminal-drivers" aria-label={t('control.drivers')}>
        <span className="term-label">{t('control.driving')}</span>
        {info.drivers.length === 0 && <span className="muted">{t('control.nobody')}</span>}
        {info.drivers.map((d) => (
          <span key={d.sub} className="chip" data-name={d.name}>
            <span className="chip-name">
              {d.name}
              {d.sub === you.sub && <span className="muted">{t('common:you')}</span>}
            </span>
            {host && d.sub !== you.sub && (
              <button type="button" className="chip-btn" data-testid="terminal-revoke" onClick={() => client.request({ type: 'revoke', terminalId, sub: d.sub })} aria-label={t('control.revokeLabel', { name: d.name })} title={t('control.revokeTitle', { name: d.name })}>
                {t('control.revoke')}
              </button>
            )}
          </span>
        ))}
      </div>

      {!driving && (
        <button
          type="button"
          className={handUp ? 'btn tiny hand-up' : 'btn tiny'}
          data-testid="terminal-raise-hand"
          aria-pressed={handUp}
          onClick={() => client.request(handUp ? { type: 'lowerHand', terminalId } : { type: 'raiseHand', terminalId })}
          title={handUp ? t('control.lowerTitle') : t('control.raiseTitle')}
        >
          <Icon name="hand" size={14} />
          {handUp ? t('control.lower') : t('control.raise')}
        </button>
      )}
      {!driving && handUp && <span className="muted term-note">{t('control.waiting')}</span>}

      {host && info.hands.length > 0 && (
        <ul className="term-hands" aria-label={t('control.hands')}>
          {info.hands.map((h) => (
            <li key={h.sub} className="chip hand" data-testid="terminal-hand" data-name={h.name}>
              <Icon name="hand" size={14} />
              <span className="chip-name">{h.name}</span>
              <button type="button" className="chip-btn primary" data-testid="terminal-grant" onClick={() => client.request({ type: 'grant', terminalId, sub: h.sub })} aria-label={t('control.grantLabel', { name: h.name })}>
                {t('control.grant')}
              </button>
              <button type="button" className="chip-btn" onClick={() => client.request({ type: 'lowerHand', terminalId, sub: h.sub })} aria-label={t('control.dismissHand', { name: h.name })} title={t('common:actions.dismiss')}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}

      <div className="term-controls-end">
        {info.recording && <RecordingBadge startedAt={info.recording.startedAt} />}
        {host && (
          <button
            type="button"
            className={info.recording ? 'btn tiny recording' : 'btn tiny'}
            data-testid="terminal-record"
            aria-pressed={info.recording !== null}
            onClick={() => client.request({ type: info.recording ? 'recordStop' : 'recordStart', terminalId })}
          >
            <Icon name={info.recording ? 'stop' : 'record'} size={14} />
            {info.recording ? t('control.stopRecording') : t('control.record')}
          </button>
        )}
      </div>
    </div>
  );
}

/** "REC 01:23", ticking. */
function RecordingBadge({ startedAt }: { startedAt: number }) {
  const { t } = useTranslation('terminal');
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const s = Math.max(0, Math.floor((now - startedAt) / 1000));
  const label = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return (
    <span className="rec-badge" role="status" aria-label={t('control.recordingLabel', { time: label })}>
      <span className="rec-dot" aria-hidden="true" />
      {t('control.rec', { time: label })}
    </span>
  );
}
