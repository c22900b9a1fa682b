/**
 * exec and attach, independent of the wire: a transport (SPDY streams in spdy.ts or WebSocket
 * channels in websocket.ts) hands over a CommandIO — stdin to read, stdout/stderr to write, resize
 * events, and finish() that writes the v4 Status on the error stream and closes the session.
 */
import { closeSync, constants as fsc, createWriteStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Logger } from '../../util/log.js';
import { startContainerProcess, type ExecTarget } from '../containerprocess.js';
import { parseLogLine } from '../logs.js';
import type { AttachTarget } from '../runtime.js';

export interface StreamOptions { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

const truthy = (v: string | null): boolean => v === '1' || v === 'true';

/** stdin/stdout/stderr/tty from an exec/attach query (with a tty there is no separate stderr). */
export function streamOptions(q: URLSearchParams): StreamOptions {
  const tty = truthy(q.get('tty'));
  return { stdin: truthy(q.get('stdin')), stdout: truthy(q.get('stdout')), stderr: truthy(q.get('stderr')) && !tty, tty };
}

/** A Status (metav1) as the v4+ error stream carries it. */
export type StreamStatus = Record<string, unknown>;

/** The v4+ error-stream Status for an exit code (upstream's NonZeroExitCode with an ExitCode cause). */
export function exitStatus(code: number | null, signal: string | null): StreamStatus {
  if (code === 0) return { metadata: {}, status: 'Success' };
  const c = code ?? (signal ? 128 : 1);
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command, exit status ${c}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(c) }] },
  };
}

/** A Status for an error that is not an exit code. */
export function failureStatus(message: string, reason = 'InternalError', code = 500): StreamStatus {
  return { metadata: {}, status: 'Failure', message, reason, code };
}

export interface CommandIO {
  readonly opts: StreamOptions;
  /** Registers stdin's reader (data, then end when the client closes stdin). */
  readStdin(data: (b: Buffer) => void, end: () => void): void;
  stdout(b: Buffer): void;
  stderr(b: Buffer): void;
  onResize(cb: (cols: number, rows: number) => void): void;
  /** The client went away (connection closed). */
  onClose(cb: () => void): void;
  /** Ends the session: output streams closed, Status on the error stream, connection closed. */
  finish(status: StreamStatus): void;
}

/**
 * Splits a byte stream of concatenated JSON objects (the resize stream: `{"Width":80,"Height":24}`
 * per event) into parsed objects; returns a feeder.
 */
export function jsonObjects(cb: (o: unknown) => void): (b: Buffer) => void {
  let buf = '';
  return (b) => {
    buf += b.toString('utf8');
    for (;;) {
      const start = buf.indexOf('{');
      if (start < 0) { buf = ''; return; }
      let depth = 0;
      let inStr = false;
      let end = -1;
      for (let i = start; i < buf.length; i++) {
        const c = buf[i];
        if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; continue; }
        if (c === '"') inStr = true;
        else if (c === '{') depth++;
        else if (c === '}' && --depth === 0) { end = i; break; }
      }
      if (end < 0) { buf = buf.slice(start); return; }
      const text = buf.slice(start, end + 1);
      buf = buf.slice(end + 1);
      try { cb(JSON.parse(text)); } catch { /* not JSON: skipped */ }
    }
  };
}

/** Width/Height of a resize event, if it is one. */
export function terminalSize(o: unknown): { cols: number; rows: number } | undefined {
  if (!o || typeof o !== 'object') return undefined;
  const r = o as { Width?: unknown; Height?: unknown };
  if (typeof r.Width !== 'number' || typeof r.Height !== 'number' || r.Width <= 0 || r.Height <= 0) return undefined;
  return { cols: Math.floor(r.Width), rows: Math.floor(r.Height) };
}

/** Runs argv in the container, wired to io; finishes with the exit Status. */
export function runExec(io: CommandIO, target: ExecTarget, argv: string[], log: Logger): void {
  let started: ReturnType<typeof startContainerProcess>;
  try { started = startContainerProcess(target, argv, { tty: io.opts.tty }); } catch (e) { io.finish(failureStatus((e as Error).message)); return; }
  const { proc: child, resize } = started;
  log.debug({ initPid: target.initPid, argv, tty: io.opts.tty }, 'exec');
  child.stdout.on('data', (b: Buffer) => io.stdout(b));
  child.stderr.on('data', (b: Buffer) => (io.opts.tty ? io.stdout(b) : io.stderr(b)));
  child.stdin.on('error', () => undefined);
  if (io.opts.stdin) io.readStdin((b) => child.stdin.write(b), () => child.stdin.end());
  else child.stdin.end();
  // the first size arrives before the terminal exists: retry briefly until script(1) has made it
  let latest: { cols: number; rows: number } | undefined;
  let applying = false;
  const apply = async (): Promise<void> => {
    if (applying) return;
    applying = true;
    for (let i = 0; i < 40 && latest && child.exitCode === null; i++) {
      const want = latest;
      if (await resize(want.cols, want.rows)) { if (want === latest) break; continue; }
      await new Promise((r) => setTimeout(r, 50));
    }
    applying = false;
  };
  io.onResize((cols, rows) => { latest = { cols, rows }; void apply(); });
  io.onClose(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  let open = 2;
  let exit: [number | null, string | null] | undefined;
  const done = (): void => { if (exit && open === 0) io.finish(exitStatus(exit[0], exit[1])); };
  child.stdout.on('end', () => { open--; done(); });
  child.stderr.on('end', () => { open--; done(); });
  child.on('exit', (code, sig) => { exit = [code, sig]; done(); });
  child.on('error', (e) => io.finish(failureStatus(e.message)));
}

/**
 * attach: the container's output from now on (its log, followed), stdin into the container's
 * stdin FIFO when it has one; ends when the container stops or the client leaves.
 */
export function runAttach(io: CommandIO, t: AttachTarget): void {
  if (io.opts.stdin && !t.stdin) return io.finish(failureStatus('stdin is not enabled for this container (spec.containers[].stdin: false); attach without -i', 'BadRequest', 400));
  if (io.opts.stdin && !existsSync(t.stdinFifo)) return io.finish(failureStatus('this container runtime gives the container no stdin to attach to; attach without -i', 'BadRequest', 400));
  let offset = 0;
  try { offset = statSync(t.logPath).size; } catch { /* not written yet */ }
  let carry = '';
  let finished = false;
  const stop = (): void => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    fifo?.destroy();
  };
  const pump = (): void => {
    let size = 0;
    try { size = statSync(t.logPath).size; } catch { /* not yet */ }
    if (size <= offset) return;
    const fd = openSync(t.logPath, 'r');
    const buf = Buffer.alloc(size - offset);
    try { readSync(fd, buf, 0, buf.length, offset); } finally { closeSync(fd); }
    offset = size;
    const lines = (carry + buf.toString()).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) {
      const l = parseLogLine(line);
      if (!l) continue;
      const text = Buffer.from(l.content + (l.partial ? '' : '\n'));
      if (l.stream === 'stderr' && !io.opts.tty) io.stderr(text); else io.stdout(text);
    }
  };
  const timer = setInterval(() => {
    pump();
    if (!t.running()) { pump(); stop(); io.finish({ metadata: {}, status: 'Success' }); }
  }, 100);
  let fifo: ReturnType<typeof createWriteStream> | undefined;
  if (io.opts.stdin) {
    // a non-blocking open fails (ENXIO) when nothing reads the FIFO, instead of hanging
    try { closeSync(openSync(t.stdinFifo, fsc.O_WRONLY | fsc.O_NONBLOCK)); } catch (e) {
      stop();
      return io.finish(failureStatus(`the container's stdin is not open: ${(e as Error).message}`, 'BadRequest', 400));
    }
    fifo = createWriteStream(t.stdinFifo, { flags: 'a' });
    fifo.on('error', (e) => { stop(); io.finish(failureStatus(`writing the container's stdin: ${e.message}`)); });
    io.readStdin((b) => fifo?.write(b), () => { /* the client's stdin closed; the container's stays open */ });
  }
  io.onClose(stop);
}
