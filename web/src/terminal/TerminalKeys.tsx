import type { PointerEvent } from 'react';
import { useTranslation } from '../i18n';

/** What each on-screen key sends to the shell (xterm's normal cursor mode). */
const KEYS = [
  { id: 'esc', label: 'Esc', data: '\x1b' },
  { id: 'tab', label: 'Tab', data: '\t' },
  { id: 'left', label: '←', data: '\x1b[D' },
  { id: 'up', label: '↑', data: '\x1b[A' },
  { id: 'down', label: '↓', data: '\x1b[B' },
  { id: 'right', label: '→', data: '\x1b[C' },
] as const;

/** The control character for a key typed while Ctrl is held (Ctrl+C → ETX), or the key unchanged. */
export function withCtrl(data: string): string {
  if (data.length !== 1) return data;
  const code = data.toUpperCase().charCodeAt(0);
  return code >= 0x40 && code <= 0x5f ? String.fromCharCode(code & 0x1f) : data;
}

interface Props {
  /** Whether Ctrl applies to the next key typed. */
  ctrl: boolean;
  onCtrl: (on: boolean) => void;
  onKey: (data: string) => void;
}

/**
 * Keys a phone's keyboard lacks, for drivers on touch screens: a sticky Ctrl (applies to the
 * next key typed), Esc, Tab and the arrows. Buttons keep the focus in the terminal.
 */
export function TerminalKeys({ ctrl, onCtrl, onKey }: Props) {
  const { t } = useTranslation('terminal');
  // Keep the terminal focused (and the soft keyboard open) while a key is tapped.
  const keepFocus = (e: PointerEvent) => e.preventDefault();
  return (
    <div className="term-keys" role="toolbar" aria-label={t('keys.label')} data-testid="terminal-keys">
      <button type="button" className={ctrl ? 'term-key on' : 'term-key'} aria-pressed={ctrl} onPointerDown={keepFocus} onClick={() => onCtrl(!ctrl)} title={t('keys.ctrlOn')} data-testid="terminal-key-ctrl">
        Ctrl
      </button>
      {KEYS.map((k) => (
        <button key={k.id} type="button" className="term-key" onPointerDown={keepFocus} onClick={() => onKey(ctrl ? withCtrl(k.data) : k.data)} aria-label={t(`keys.${k.id}`)} data-testid={`terminal-key-${k.id}`}>
          {k.label}
        </button>
      ))}
    </div>
  );
}
