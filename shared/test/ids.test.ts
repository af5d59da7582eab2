import { describe, expect, it } from 'vitest';
import { FilePathSchema, formatDocName, parseDocName, roomIndexDocName } from '../src/index.js';
import { prng } from './prng.js';


describe('document names and file paths', () => {
  it('NAME1 formats and parses round-trip; paths may contain colons and unicode', () => {
    for (const path of ['main.ts', 'src/a/b.py', 'notes:v2.md', '한국어/파일.txt', 'a b/c']) {
      const d = { roomId: 'AbCdEfGhIj_-12', kind: 'file' as const, path };
      expect(parseDocName(formatDocName(d))).toEqual(d);
    }
    expect(parseDocName(roomIndexDocName('AbCdEfGhIj'))).toEqual({ roomId: 'AbCdEfGhIj', kind: 'meta', path: 'files' });
  });

  it('NAME2 refuses traversal, absolute, empty segments, control characters and unknown kinds', () => {
    for (const bad of ['room:AbCdEfGhIj:file:../x', 'room:AbCdEfGhIj:file:/etc/passwd', 'room:AbCdEfGhIj:file:a//b', 'room:AbCdEfGhIj:file:a/./b', 'room:AbCdEfGhIj:file:a\u0000', 'room:AbCdEfGhIj:file:a\\b', 'room:AbCdEfGhIj:pty:x', 'room:short:file:x', 'room::file:x', 'file:x', '']) {
      expect(parseDocName(bad), bad).toBeNull();
    }
    expect(FilePathSchema.safeParse('x'.repeat(513)).success).toBe(false);
  });

  it('NAME3 seeded fuzz: parseDocName never throws and whatever it accepts formats back to the same name', () => {
    const rand = prng(7);
    const alphabet = 'room:file:meta:/.\\\u0000abcXYZ019_-한 ';
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(rand() * 40);
      let s = rand() < 0.5 ? 'room:AbCdEfGhIj:file:' : '';
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const parsed = parseDocName(s);
      if (parsed) expect(formatDocName(parsed)).toBe(s);
    }
  });
});
