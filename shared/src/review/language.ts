/** Fenced-code language for file names whose extension is not itself a name GitHub knows. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  mjs: 'js', cjs: 'js', mts: 'ts', cts: 'ts', py: 'python', rb: 'ruby', rs: 'rust', kt: 'kotlin',
  sh: 'bash', zsh: 'bash', yml: 'yaml', md: 'markdown', h: 'c', hpp: 'cpp', cc: 'cpp', hh: 'cpp', cs: 'csharp',
};

/** For files known by their whole name. */
const BY_NAME: Readonly<Record<string, string>> = { dockerfile: 'dockerfile', makefile: 'makefile' };

/** The language tag of a fenced code block for a file path ('' when unknown). */
export function languageForPath(path: string): string {
  const name = (path.split('/').pop() ?? '').toLowerCase();
  if (Object.hasOwn(BY_NAME, name)) return BY_NAME[name]!;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return '';
  const ext = name.slice(dot + 1);
  if (Object.hasOwn(BY_EXTENSION, ext)) return BY_EXTENSION[ext]!;
  return /^[a-z0-9+-]{1,16}$/.test(ext) ? ext : '';
}
