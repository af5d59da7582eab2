import * as Y from 'yjs';
import { lineAt, lineEndOffset, lineStartOffset, sliceLines } from './lines.js';
import type { ReviewThread, ThreadLocation } from './model.js';

/** A line range pinned to a file's text by two encoded Yjs relative positions. */
export interface Anchor {
  anchorStart: Uint8Array;
  anchorEnd: Uint8Array;
  /** The code of the range now. */
  quotedCode: string;
}

/**
 * Pins lines `fromLine`..`toLine` (1-based, inclusive, already checked to exist) of `fileText`.
 * The start sticks to the first character of the first line (assoc 0: text inserted just before it,
 * such as new lines above, stays outside); the end sticks to the last character of the last line
 * (assoc -1: a new line typed after it stays outside). Both follow their characters through edits.
 */
export function createAnchor(fileText: Y.Text, fromLine: number, toLine: number): Anchor {
  const text = fileText.toString();
  const start = lineStartOffset(text, fromLine);
  const end = lineEndOffset(text, toLine);
  return {
    anchorStart: Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(fileText, start, 0)),
    anchorEnd: Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(fileText, end, -1)),
    quotedCode: text.slice(start, end),
  };
}

/** An anchor resolved against a text: its index, and whether the character it sticks to still exists. */
interface Resolved {
  index: number;
  alive: boolean;
}

function resolve(encoded: Uint8Array, fileText: Y.Text): Resolved | null {
  const doc = fileText.doc;
  if (!doc) return null;
  let rpos: Y.RelativePosition;
  try {
    rpos = Y.decodeRelativePosition(encoded);
  } catch {
    return null;
  }
  const abs = Y.createAbsolutePositionFromRelativePosition(rpos, doc);
  if (!abs || abs.type !== fileText) return null;
  if (rpos.item === null) return { index: abs.index, alive: true };
  // A live character resolves one further with assoc -1 than with assoc 0; a deleted one does not.
  const flipped = new Y.RelativePosition(rpos.type, rpos.tname, rpos.item, rpos.assoc >= 0 ? -1 : 0);
  const other = Y.createAbsolutePositionFromRelativePosition(flipped, doc);
  return { index: abs.index, alive: other !== null && other.index !== abs.index };
}

/**
 * Where a thread's code is now (REV1, REV2). Lines are recomputed from the anchors against the
 * current text. A thread is outdated when its code was deleted: for a thread that quoted code, when
 * the range between its anchors is empty (they collapsed onto the same index); for a thread on one
 * empty line, when a newline bounding that line was deleted. It is also outdated when its anchors
 * cannot be found in this text (another file, or a document not yet synced: locate after sync).
 */
export function locateThread(thread: ReviewThread, fileText: Y.Text): ThreadLocation {
  const start = resolve(thread.anchorStart, fileText);
  const end = resolve(thread.anchorEnd, fileText);
  if (!start || !end) return { startLine: thread.startLine, endLine: thread.endLine, code: '', outdated: true };
  const text = fileText.toString();
  const startLine = lineAt(text, start.index);
  const deleted = thread.quotedCode === '' ? !start.alive || !end.alive : end.index <= start.index;
  if (deleted) return { startLine, endLine: startLine, code: '', outdated: true };
  const endLine = Math.max(startLine, lineAt(text, end.index));
  return { startLine, endLine, code: sliceLines(text, startLine, endLine), outdated: false };
}
