import { defineCounter, defineGauge } from '@coderoom/shared';

/** Terminal sessions (shells, running or exited) currently held. */
export const terminalSessionsGauge = defineGauge({ name: 'pty_terminal_sessions', help: 'Terminal sessions currently open.' });
/** Viewers (one socket watching one terminal) currently attached. */
export const viewersGauge = defineGauge({ name: 'pty_viewers', help: 'Terminal viewers currently attached.' });
/** Bytes written to terminal sockets (output frames and messages). */
export const bytesOutCounter = defineCounter({ name: 'pty_bytes_out_total', help: 'Bytes sent to terminal clients.' });
/** Viewers that fell further behind than the output ring reaches and were sent a fresh snapshot. */
export const viewerResyncsCounter = defineCounter({ name: 'pty_viewer_resyncs_total', help: 'Viewers resynchronised with a fresh snapshot after falling behind.' });
