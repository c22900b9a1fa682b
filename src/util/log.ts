import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr (stdout stays free for command output and CNI results). */
export function createLogger(component: string, level: string = process.env.PODNET_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: component, level, base: { component, pid: process.pid } }, pino.destination(2));
}
