/** Icons of the terminal panel, drawn like the app's Icon (inline SVG, hidden from screen readers). */
const PATHS = {
  terminal: 'M4 5h16v14H4zM7 9l3 3-3 3M12 15h5',
  plus: 'M12 5v14M5 12h14',
  splitRow: 'M4 5h16v14H4zM12 5v14',
  splitColumn: 'M4 5h16v14H4zM4 12h16',
  hand: 'M8 13V6a1.5 1.5 0 0 1 3 0v5M11 11V4.5a1.5 1.5 0 0 1 3 0V11M14 11V6a1.5 1.5 0 0 1 3 0v7a7 7 0 0 1-7 7 6 6 0 0 1-5-3l-2.5-4a1.5 1.5 0 0 1 2.5-1.5L8 15',
  record: 'M12 7a5 5 0 1 0 0 10 5 5 0 1 0 0-10z',
  stop: 'M7 7h10v10H7z',
  play: 'M8 5l11 7-11 7z',
  pause: 'M8 5v14M16 5v14',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  restart: 'M4 12a8 8 0 1 0 2.4-5.7M4 4v5h5',
  film: 'M4 5h16v14H4zM8 5v14M16 5v14M4 9h4M4 15h4M16 9h4M16 15h4',
} as const;

export type TerminalIconName = keyof typeof PATHS;

/** A decorative icon (label the button that holds it). */
export function TerminalIcon({ name, size = 16 }: { name: TerminalIconName; size?: number }) {
  return (
    <svg className="icon" aria-hidden="true" viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
