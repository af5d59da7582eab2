import { useCallback, useEffect, useRef, useState } from 'react';
import { eventIndexAfter, type Cast } from './asciicast';
import type { XtermView } from './XtermView';
import { Icon } from '../Icon';
import { i18next, useTranslation } from '../i18n';

/** Playback speeds offered. */
const SPEEDS = [0.5, 1, 2, 4] as const;

/** m:ss.t of a time in ms. */
export function formatClock(ms: number): string {
  const tenths = Math.floor(ms / 100);
  const s = Math.floor(tenths / 10);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${tenths % 10}`;
}

/**
 * Replays an asciicast in an xterm: play/pause, a seek slider and a speed. Seeking back resets
 * the screen and replays the output up to that point at once; playing writes events as their
 * time comes.
 */
export function CastPlayer({ cast }: { cast: Cast }) {
  const { t } = useTranslation('terminal');
  const hostRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<XtermView | null>(null);
  const [playing, setPlaying] = useState(false);
  const [position, setPosition] = useState(0);
  const [speed, setSpeed] = useState<number>(1);
  /** Events already written to the screen. */
  const applied = useRef(0);
  const positionRef = useRef(0);

  useEffect(() => {
    let disposed = false;
    let created: XtermView | null = null;
    void import('./XtermView').then(({ XtermView }) => {
      if (disposed || !hostRef.current) return;
      created = new XtermView(hostRef.current, { readOnly: true, label: i18next.t('terminal:player.label', { title: cast.title || i18next.t('terminal:player.untitled') }) });
      created.resize(cast.width, cast.height);
      applied.current = 0;
      setView(created);
    });
    return () => {
      disposed = true;
      created?.dispose();
    };
  }, [cast]);

  /** Brings the screen to time `t` (ms). */
  const renderTo = useCallback(
    (t: number) => {
      if (!view) return;
      if (eventIndexAfter(cast, t) < applied.current) {
        view.reset(cast.width, cast.height, '');
        applied.current = 0;
      }
      const end = eventIndexAfter(cast, t);
      let out = '';
      for (let i = applied.current; i < end; i++) {
        const ev = cast.events[i]!;
        if (ev.kind === 'o') {
          out += ev.data;
        } else {
          if (out) view.write(out);
          out = '';
          view.resize(ev.cols, ev.rows);
        }
      }
      if (out) view.write(out);
      applied.current = end;
      positionRef.current = t;
      setPosition(t);
    },
    [cast, view],
  );

  useEffect(() => {
    if (!playing || !view) return;
    let frame = 0;
    let last = performance.now();
    if (positionRef.current >= cast.durationMs) renderTo(0);
    const tick = (now: number): void => {
      const t = Math.min(cast.durationMs, positionRef.current + (now - last) * speed);
      last = now;
      renderTo(t);
      if (t >= cast.durationMs) setPlaying(false);
      else frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [playing, speed, view, cast, renderTo]);

  return (
    <div className="cast-player" data-testid="cast-player">
      <div className="cast-screen">
        <div ref={hostRef} className="cast-host" />
        {!view && (
          <div className="term-loading loading" role="status">
            <span className="spinner" aria-hidden="true" />
            {t('player.loading')}
          </div>
        )}
      </div>
      <div className="cast-controls">
        <button type="button" className="btn tiny primary" onClick={() => setPlaying((p) => !p)} disabled={!view || cast.events.length === 0} data-testid="cast-play" aria-label={playing ? t('player.pause') : t('player.play')}>
          <Icon name={playing ? 'pause' : 'play'} size={14} />
          {playing ? t('player.pause') : t('player.play')}
        </button>
        <input
          type="range"
          className="cast-seek"
          min={0}
          max={Math.max(1, cast.durationMs)}
          step={10}
          value={position}
          disabled={!view}
          onChange={(e) => renderTo(Number(e.target.value))}
          aria-label={t('player.position')}
          aria-valuetext={t('player.positionText', { position: formatClock(position), duration: formatClock(cast.durationMs) })}
          data-testid="cast-seek"
        />
        <span className="cast-time mono" aria-hidden="true">
          {formatClock(position)} / {formatClock(cast.durationMs)}
        </span>
        <label className="cast-speed">
          <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} aria-label={t('player.speed')}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}
