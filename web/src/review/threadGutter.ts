import { RangeSet, RangeSetBuilder, StateEffect, StateField, type Extension, type Text } from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, gutter, type DecorationSet } from '@codemirror/view';

/** A thread as the gutter shows it: its current lines and whether it is resolved. */
export interface GutterThread {
  id: string;
  startLine: number;
  endLine: number;
  resolved: boolean;
}

/** Replaces the threads the gutter shows. */
export const setGutterThreads = StateEffect.define<readonly GutterThread[]>();

class ThreadMarker extends GutterMarker {
  constructor(
    readonly ids: readonly string[],
    readonly resolved: boolean,
    readonly label: string,
  ) {
    super();
  }

  override eq(other: GutterMarker): boolean {
    return other instanceof ThreadMarker && other.resolved === this.resolved && other.ids.join() === this.ids.join() && other.label === this.label;
  }

  override toDOM(): Node {
    const el = document.createElement('span');
    el.className = this.resolved ? 'cm-review-marker resolved' : 'cm-review-marker';
    el.title = this.label;
    el.textContent = this.ids.length > 1 ? String(this.ids.length) : '●';
    return el;
  }
}

interface Marks {
  markers: RangeSet<GutterMarker>;
  lines: DecorationSet;
  /** Thread ids by the line each starts on. */
  byLine: ReadonlyMap<number, readonly string[]>;
}

const lineDecoration = Decoration.line({ class: 'cm-review-line' });

function build(doc: Text, threads: readonly GutterThread[], label: (n: number) => string): Marks {
  const byLine = new Map<number, GutterThread[]>();
  const covered = new Set<number>();
  for (const t of threads) {
    if (t.startLine > doc.lines) continue;
    const list = byLine.get(t.startLine) ?? [];
    list.push(t);
    byLine.set(t.startLine, list);
    if (!t.resolved) for (let l = t.startLine; l <= Math.min(t.endLine, doc.lines); l++) covered.add(l);
  }
  const markers = new RangeSetBuilder<GutterMarker>();
  for (const line of [...byLine.keys()].sort((a, b) => a - b)) {
    const list = byLine.get(line)!;
    markers.add(doc.line(line).from, doc.line(line).from, new ThreadMarker(list.map((t) => t.id), list.every((t) => t.resolved), label(list.length)));
  }
  const lines = new RangeSetBuilder<Decoration>();
  for (const line of [...covered].sort((a, b) => a - b)) lines.add(doc.line(line).from, doc.line(line).from, lineDecoration);
  return { markers: markers.finish(), lines: lines.finish(), byLine: new Map([...byLine].map(([l, ts]) => [l, ts.map((t) => t.id)])) };
}

/**
 * Review threads in a CodeMirror view: a gutter marker on the first line of each thread (click or
 * Enter on it opens the thread) and a tint on the lines of open threads. The threads come from
 * `setGutterThreads`, dispatched whenever their located lines change.
 */
export function threadGutter(onOpen: (threadId: string) => void, label: (n: number) => string): Extension {
  const field = StateField.define<{ threads: readonly GutterThread[]; marks: Marks }>({
    create: (state) => ({ threads: [], marks: build(state.doc, [], label) }),
    update(value, tr) {
      let threads = value.threads;
      for (const e of tr.effects) if (e.is(setGutterThreads)) threads = e.value;
      if (threads === value.threads && !tr.docChanged) return value;
      return { threads, marks: build(tr.state.doc, threads, label) };
    },
    provide: (f) => EditorView.decorations.from(f, (v) => v.marks.lines),
  });
  return [
    field,
    gutter({
      class: 'cm-review-gutter',
      markers: (view) => view.state.field(field).marks.markers,
      domEventHandlers: {
        mousedown(view, block) {
          const ids = view.state.field(field).marks.byLine.get(view.state.doc.lineAt(block.from).number);
          if (!ids?.length) return false;
          onOpen(ids[0]!);
          return true;
        },
      },
    }),
  ];
}
