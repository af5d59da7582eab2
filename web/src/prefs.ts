import { z } from 'zod';
import { Store } from './Store';

/**
 * Layout and display preferences this browser remembers (localStorage), each a Store that
 * components subscribe to with `useStore`. Stored values are validated; a bad one is ignored.
 */
class PersistedStore<T> extends Store<T> {
  constructor(
    private readonly key: string,
    schema: z.ZodType<T>,
    fallback: T,
  ) {
    let initial = fallback;
    try {
      const raw = localStorage.getItem(key);
      const parsed = raw === null ? null : schema.safeParse(JSON.parse(raw));
      if (parsed?.success) initial = parsed.data;
    } catch {
      // storage unavailable or unparsable: use the default
    }
    super(initial);
  }

  override set(next: T): void {
    super.set(next);
    try {
      localStorage.setItem(this.key, JSON.stringify(next));
    } catch {
      // not remembered, still applied
    }
  }
}

/** Smallest and largest terminal font size offered, in CSS px. */
export const TERMINAL_FONT_MIN_PX = 9;
export const TERMINAL_FONT_MAX_PX = 22;
const Ratio = z.number().min(0).max(1);

/** Share of the width the editor takes beside the terminals. */
export const workSplitRatio = new PersistedStore('coderoom:layout:work', Ratio, 0.55);
/** Share the first terminal pane takes when two are shown. */
export const terminalSplitRatio = new PersistedStore('coderoom:layout:terminals', Ratio, 0.5);
/** The terminals' font size, in CSS px. */
export const terminalFontPx = new PersistedStore('coderoom:terminal:font', z.number().int().min(TERMINAL_FONT_MIN_PX).max(TERMINAL_FONT_MAX_PX), 13);
/** Light, dark, or whatever the system prefers. */
export const themeChoice = new PersistedStore('coderoom:theme', z.enum(['system', 'light', 'dark']), 'system');
export type ThemeChoice = 'system' | 'light' | 'dark';
