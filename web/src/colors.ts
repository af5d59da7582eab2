/** A person's colours: `color` for carets and dots, `colorLight` for their selections. */
export interface PersonColor {
  color: string;
  colorLight: string;
}

/** Hues readable on the dark theme, far enough apart to tell people apart. */
const PALETTE: readonly PersonColor[] = [
  { color: '#f0717e', colorLight: '#f0717e40' },
  { color: '#f5a65b', colorLight: '#f5a65b40' },
  { color: '#e6cf5c', colorLight: '#e6cf5c40' },
  { color: '#7fd37a', colorLight: '#7fd37a40' },
  { color: '#4fd1c5', colorLight: '#4fd1c540' },
  { color: '#62b0ff', colorLight: '#62b0ff40' },
  { color: '#a48bff', colorLight: '#a48bff40' },
  { color: '#f07ad8', colorLight: '#f07ad840' },
];

/** A stable colour for a person, derived from their token subject (FNV-1a hash). */
export function colorForSub(sub: string): PersonColor {
  let h = 0x811c9dc5;
  for (let i = 0; i < sub.length; i++) {
    h ^= sub.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return PALETTE[(h >>> 0) % PALETTE.length] ?? PALETTE[0]!;
}
