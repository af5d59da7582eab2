// The xterm.js side of a terminal pane: this module (xterm, its CSS, the fit addon) is loaded
// with a dynamic import, so the home page and the editor never pay for it.
import { Terminal, type IDisposable } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { PTY_MAX_COLS, PTY_MAX_ROWS, PTY_MIN_COLS, PTY_MIN_ROWS, PTY_SNAPSHOT_SCROLLBACK_LINES } from '@coderoom/shared/client';
import type { TerminalSink } from './TerminalStream';

/** Lines of scrollback each xterm keeps (at least what a snapshot carries). */
export const XTERM_SCROLLBACK_LINES = Math.max(5000, PTY_SNAPSHOT_SCROLLBACK_LINES);

/** Colours matching the app's dark theme. */
const THEME = {
  background: '#12161b',
  foreground: '#e4e8ef',
  cursor: '#9cc0ff',
  cursorAccent: '#12161b',
  selectionBackground: '#5b8cff55',
  black: '#1c2129',
  brightBlack: '#5c6675',
};

export interface XtermViewOptions {
  /** Keystrokes and pastes typed into the terminal. */
  onData?: (data: string) => void;
  /** F6 pressed in the terminal: move focus out of it (the terminal otherwise keeps Tab). */
  onLeave?: () => void;
  /** A replay: no cursor blink, no input. */
  readOnly?: boolean;
  /** Accessible name of the terminal's input. */
  label: string;
  /** Font size in CSS px (default 13). */
  fontPx?: number;
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.floor(n)));
}

/** Whether the WebGL renderer should be used: it is faster, but tests read the DOM renderer's rows. */
function wantsWebgl(): boolean {
  if (navigator.webdriver) return false;
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

/** One xterm.js terminal mounted in `host`, fed by a TerminalStream (or a replay). */
export class XtermView implements TerminalSink {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly disposables: IDisposable[] = [];
  private waitForSize: ResizeObserver | null = null;
  private disposed = false;

  constructor(host: HTMLElement, opts: XtermViewOptions) {
    this.term = new Terminal({
      scrollback: XTERM_SCROLLBACK_LINES,
      fontFamily: "ui-monospace, 'SFMono-Regular', 'JetBrains Mono', Menlo, Consolas, 'Liberation Mono', monospace",
      fontSize: opts.fontPx ?? 13,
      lineHeight: 1.15,
      cursorBlink: !opts.readOnly,
      disableStdin: opts.readOnly === true,
      allowProposedApi: false,
      theme: THEME,
    });
    this.term.loadAddon(this.fit);
    if (opts.onData) this.disposables.push(this.term.onData(opts.onData));
    if (opts.onLeave) {
      const onLeave = opts.onLeave;
      this.term.attachCustomKeyEventHandler((e) => {
        if (e.key !== 'F6') return true;
        if (e.type === 'keydown') onLeave();
        return false;
      });
    }
    // xterm measures its font when it opens: in a hidden host (a phone's other tab) it would
    // measure nothing and render garbled, so it opens once the host has a size. Output written
    // before that is kept and shown then.
    if (host.clientWidth > 0 && host.clientHeight > 0) {
      this.open(host, opts.label);
    } else {
      this.waitForSize = new ResizeObserver(() => {
        if (host.clientWidth === 0 || host.clientHeight === 0) return;
        this.waitForSize?.disconnect();
        this.waitForSize = null;
        this.open(host, opts.label);
      });
      this.waitForSize.observe(host);
    }
  }

  reset(cols: number, rows: number, data: string): void {
    this.term.reset();
    this.resize(cols, rows);
    this.term.write(data);
  }

  write(data: string): void {
    this.term.write(data);
  }

  resize(cols: number, rows: number): void {
    const c = clamp(cols, PTY_MIN_COLS, PTY_MAX_COLS);
    const r = clamp(rows, PTY_MIN_ROWS, PTY_MAX_ROWS);
    if (c !== this.term.cols || r !== this.term.rows) this.term.resize(c, r);
  }

  /** The size that fills the host element, or null while it has no size (hidden). */
  proposeSize(): { cols: number; rows: number } | null {
    const host = this.term.element?.parentElement;
    if (!host || host.clientWidth === 0 || host.clientHeight === 0) return null;
    const d = this.fit.proposeDimensions();
    if (!d || !Number.isFinite(d.cols) || !Number.isFinite(d.rows)) return null;
    return { cols: clamp(d.cols, PTY_MIN_COLS, PTY_MAX_COLS), rows: clamp(d.rows, PTY_MIN_ROWS, PTY_MAX_ROWS) };
  }

  /** Changes the font size (a driver then re-fits; watchers keep the drivers' grid and scroll). */
  setFontSize(px: number): void {
    if (this.term.options.fontSize !== px) this.term.options.fontSize = px;
  }

  focus(): void {
    this.term.focus();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.waitForSize?.disconnect();
    for (const d of this.disposables) d.dispose();
    this.term.dispose();
  }

  private open(host: HTMLElement, label: string): void {
    if (this.disposed) return;
    this.term.open(host);
    this.term.textarea?.setAttribute('aria-label', label);
    if (wantsWebgl()) void this.loadWebgl();
  }

  /** Switches to the WebGL renderer; stays on the DOM renderer if it fails or the context is lost. */
  private async loadWebgl(): Promise<void> {
    try {
      const { WebglAddon } = await import('@xterm/addon-webgl');
      if (this.disposed) return;
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose());
      this.term.loadAddon(webgl);
    } catch {
      // no WebGL after all: the DOM renderer keeps working
    }
  }
}
