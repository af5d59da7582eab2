import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Log levels accepted in config. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Creates the process's root logger (JSON to stdout or to the given stream). Services get children. */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = { level, base: { pid: process.pid }, redact: ['token', '*.token', 'req.headers.cookie', 'req.headers.authorization'] };
  return destination ? pino(options, destination as unknown as pino.DestinationStream) : pino(options);
}
