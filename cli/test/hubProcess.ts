import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

/** The built CLI entry: tests run against what `npm start` runs. */
export const CLI_BIN = fileURLToPath(new URL('../bin/coderoom.js', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  port: number;
  url: string;
  wsUrl: string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the hub wrote to stdout and stderr so far. */
  output(): string;
}

/** Whether `port` on 127.0.0.1 is free for both TCP and UDP right now. */
async function portFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise<boolean>((resolve) => {
    const udp = createSocket('udp4');
    udp.once('error', () => resolve(false));
    udp.bind(port, '127.0.0.1', () => udp.close(() => resolve(true)));
  });
}

/**
 * A port free for mediasoup's WebRtcServer (UDP and TCP). Hubs in tests run side by side, so
 * each gets its own instead of the fixed default 40000.
 */
export async function freeRtcPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    if (await portFree(port)) return port;
  }
}

/** Starts `coderoom start` in a child process on a free port; killed (SIGKILL) when the test finishes if still alive. */
export async function startHubProcess(dataDir: string, env: Record<string, string> = {}): Promise<HubProcess> {
  const media = { MEDIA_WORKERS: '1', MEDIA_RTC_MIN_PORT: String(await freeRtcPort()) };
  const child = spawn(process.execPath, [CLI_BIN, 'start'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...media, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start:\n${out}`)), 15_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"port":(\d+),"msg":"listen\(\) \| serving"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', () => reject(new Error(`hub exited early:\n${out}`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/collab`, exited, output: () => out };
}
