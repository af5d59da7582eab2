import { useEffect, useRef } from 'react';
import { useTranslation } from './i18n';
import { useModal } from './useModal';

/** A region of the room that F6 and Alt+number move focus to. */
export interface Panel {
  id: string;
  /** Its name, already translated. */
  name: string;
}

/** Whether a key press is meant for a text field (the editor, the terminal, an input). */
function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT';
}

const FOCUSABLE = '.cm-content, [role=tab][tabindex="0"], button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea, [tabindex]:not([tabindex="-1"])';

/** Moves focus into a panel: its first visible focusable element, else the panel itself. */
function focusPanel(id: string): boolean {
  const el = document.getElementById(id);
  if (!el || el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden') return false;
  const target = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].find((c) => c.getClientRects().length > 0 && getComputedStyle(c).visibility !== 'hidden');
  (target ?? el).focus();
  return el.contains(document.activeElement);
}

/**
 * Room keyboard shortcuts: F6 / Shift+F6 cycle focus through the panels, Alt+1…9 jump to one,
 * `?` (outside text fields) opens the shortcut sheet.
 */
export function useRoomShortcuts(panels: readonly Panel[], onHelp: () => void): void {
  const latest = useRef({ panels, onHelp });
  latest.current = { panels, onHelp };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const { panels: list, onHelp: help } = latest.current;
      if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !typingIn(e.target)) {
        e.preventDefault();
        help();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^Digit[1-9]$/.test(e.code)) {
        const panel = list[Number(e.code.slice(5)) - 1];
        if (panel && focusPanel(panel.id)) e.preventDefault();
        return;
      }
      if (e.key !== 'F6' || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      const active = document.activeElement;
      const current = list.findIndex((p) => document.getElementById(p.id)?.contains(active));
      const step = e.shiftKey ? -1 : 1;
      for (let i = 1; i <= list.length; i++) {
        const next = list[(current + step * i + list.length * 2) % list.length]!;
        if (focusPanel(next.id)) return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** The list of keyboard shortcuts, as a modal dialog (Escape closes). */
export function ShortcutSheet({ panels, onClose }: { panels: readonly Panel[]; onClose: () => void }) {
  const { t } = useTranslation();
  const modal = useModal(onClose);
  const rows: Array<[string, string]> = [
    ['?', t('shortcuts.help')],
    ['F6', t('shortcuts.nextPanel')],
    ['Shift+F6', t('shortcuts.prevPanel')],
    ...panels.map((p, i): [string, string] => [`Alt+${i + 1}`, t('shortcuts.panelN', { n: i + 1, name: p.name })]),
    ['Esc', t('shortcuts.closeDialog')],
    ['← → Home End', t('shortcuts.splitKeys')],
    ['← → Delete', t('shortcuts.tabKeys')],
  ];
  return (
    <dialog {...modal} className="dialog shortcut-sheet" aria-labelledby="shortcuts-title" data-testid="shortcut-sheet">
      <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
      <table className="shortcut-table">
        <tbody>
          {rows.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row end">
        <button type="button" className="btn" onClick={onClose} autoFocus>
          {t('actions.close')}
        </button>
      </div>
    </dialog>
  );
}
