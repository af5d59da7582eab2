/** The few icons the app uses, as inline SVG (no icon font, no emoji fallback differences). */
const PATHS = {
  plus: 'M12 5v14M5 12h14',
  pencil: 'M4 20h4L19 9l-4-4L4 16v4zM14 6l4 4',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
  link: 'M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1',
  menu: 'M4 6h16M4 12h16M4 18h16',
  leave: 'M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10',
  close: 'M6 6l12 12M18 6L6 18',
  check: 'M5 12l5 5 9-10',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  people: 'M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20a6 6 0 0 1 12 0M16 5a3 3 0 0 1 0 6M21 20a6 6 0 0 0-4-5.6',
  video: 'M3 7h12v10H3zM15 10l6-3v10l-6-3',
  terminal: 'M4 5h16v14H4zM7 9l3 3-3 3M12 15h5',
  splitRow: 'M4 5h16v14H4zM12 5v14',
  splitColumn: 'M4 5h16v14H4zM4 12h16',
  hand: 'M8 13V6a1.5 1.5 0 0 1 3 0v5M11 11V4.5a1.5 1.5 0 0 1 3 0V11M14 11V6a1.5 1.5 0 0 1 3 0v7a7 7 0 0 1-7 7 6 6 0 0 1-5-3l-2.5-4a1.5 1.5 0 0 1 2.5-1.5L8 15',
  record: 'M12 7a5 5 0 1 0 0 10 5 5 0 1 0 0-10z',
  stop: 'M7 7h10v10H7z',
  play: 'M8 5l11 7-11 7z',
  pause: 'M8 5v14M16 5v14',
  download: 'M12 4v11M7 10l5 5 5-5M5 20h14',
  restart: 'M4 12a8 8 0 1 0 2.4-5.7M4 4v5h5',
  review: 'M4 5h16v11H9l-5 4zM8 9h8M8 12h5',
  present: 'M3 4h18v12H3zM12 16v4M8 20h8',
  micOff: 'M9 9v3a3 3 0 0 0 5.1 2.1M15 10V5a3 3 0 0 0-5.7-1.3M19 11a7 7 0 0 1-1.2 3.9M5 11a7 7 0 0 0 11.6 5.3M12 18v3M4 4l16 16',
  film: 'M4 5h16v14H4zM8 5v14M16 5v14M4 9h4M4 15h4M16 9h4M16 15h4',
} as const;

export type IconName = keyof typeof PATHS;

/** A decorative icon (hidden from screen readers; label the button that holds it). */
export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg className="icon" aria-hidden="true" viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d={PATHS[name]} />
    </svg>
  );
}
