import xtermHeadless from '@xterm/headless';
import xtermSerialize from '@xterm/addon-serialize';
import { PTY_SNAPSHOT_SCROLLBACK_LINES, type PtyServerMessage } from '@coderoom/shared/client';

/** Renders a stream the way a browser viewer would (headless xterm) and serializes its screen. */
export async function render(cols: number, rows: number, steps: ({ data: string } | { cols: number; rows: number })[]): Promise<string> {
  const term = new xtermHeadless.Terminal({ cols, rows, scrollback: PTY_SNAPSHOT_SCROLLBACK_LINES, allowProposedApi: true });
  const ser = new xtermSerialize.SerializeAddon();
  term.loadAddon(ser);
  for (const s of steps) {
    if ('data' in s) term.write(s.data);
    else term.write('', () => term.resize(s.cols, s.rows));
  }
  await new Promise<void>((r) => term.write('', r));
  const out = ser.serialize({ scrollback: PTY_SNAPSHOT_SCROLLBACK_LINES });
  term.dispose();
  return out;
}

/** What a viewer who watched from its first snapshot has seen of a terminal up to `seq`. */
export function streamUpTo(messages: PtyServerMessage[], terminalId: string, seq: number): { cols: number; rows: number; steps: ({ data: string } | { cols: number; rows: number })[] } {
  const first = messages.find((m) => m.type === 'snapshot' && m.terminalId === terminalId) as Extract<PtyServerMessage, { type: 'snapshot' }>;
  const steps: ({ data: string } | { cols: number; rows: number })[] = [{ data: first.data }];
  for (const m of messages) {
    if ((m.type === 'output' || m.type === 'resize') && m.terminalId === terminalId && m.seq > first.seq && m.seq <= seq) {
      steps.push(m.type === 'output' ? { data: m.data } : { cols: m.cols, rows: m.rows });
    }
  }
  return { cols: first.cols, rows: first.rows, steps };
}
